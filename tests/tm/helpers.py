"""Drive a cfg through the engine in-process on a virtual clock (dry-run style)."""
from __future__ import annotations

from cfgvm.drivers.dryrun import VirtualClock
from cfgvm.engine import Engine
from cfgvm.sip import Message
from cfgvm.vm.context import ReceiveInfo
from support.dryrun import compile_text

UAC = ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060)
UAS = ReceiveInfo("udp", "127.0.0.3", 5080, "127.0.0.1", 5060)
UAS2 = ReceiveInfo("udp", "127.0.0.4", 5080, "127.0.0.1", 5060)

INVITE = (b"INVITE sip:uas@127.0.0.1:5060 SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-c1;rport\r\n"
          b"From: <sip:uac@127.0.0.2:5070>;tag=f1\r\nTo: <sip:uas@127.0.0.1:5060>\r\nCall-ID: c1@t\r\n"
          b"CSeq: 1 INVITE\r\nContact: <sip:uac@127.0.0.2:5070>\r\nMax-Forwards: 70\r\n"
          b"Content-Length: 0\r\n\r\n")


def method(req: bytes, m: str, to_tag: str | None = None) -> bytes:
    """The same transaction's ACK/CANCEL as a UAC writes it (same branch, CSeq number)."""
    out = req.replace(b"INVITE sip", m.encode() + b" sip", 1).replace(b"1 INVITE", b"1 " + m.encode())
    if to_tag:
        out = out.replace(b"To: <sip:uas@127.0.0.1:5060>", b"To: <sip:uas@127.0.0.1:5060>;tag=" + to_tag.encode())
    return out


class Flow:
    def __init__(self, cfg_text: str):
        self.program = compile_text(cfg_text)
        self.clock = VirtualClock()
        self.engine = Engine(self.program, clock=self.clock)
        self.start = self.clock.now

    def send(self, data: bytes, rcv=UAC):
        r = self.engine.receive(data, rcv)
        assert r.error is None, r.error
        return r

    def run_timers(self, until: float):
        """Fire timers up to `until` seconds after the start; [(t, Result)] of ticks that did something."""
        out = []
        for _ in range(100_000):      # bounded: a deadline that never advances must fail, not hang
            d = self.engine.next_deadline()
            if d is None or d > self.start + until:
                return out
            self.clock.now = d
            r = self.engine.tick(d)
            assert r.error is None, r.error
            if r.sent:
                out.append((round(d - self.start, 3), r))
        raise AssertionError(f"timers still due after 100000 ticks (next deadline {d})")

    @staticmethod
    def reply_to(sent: bytes, code: int, reason: str, tag: str = "u1") -> bytes:
        """A UAS reply to a request we relayed (Via, From, To+tag, Call-ID, CSeq copied)."""
        m = Message.parse(sent)
        lines = [f"SIP/2.0 {code} {reason}"]
        for hf in m.headers():
            if hf.key in ("via", "from", "call-id", "cseq", "record-route"):
                lines.append(hf.text.rstrip("\r\n"))
            elif hf.key == "to":
                lines.append(hf.text.rstrip("\r\n") + (f";tag={tag}" if tag and code > 100 else ""))
        return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode("latin-1")


def first_lines(res, kind=None):
    return [a.data.split(b"\r\n", 1)[0].decode() for a in res.sent if kind is None or a.kind == kind]


def relayed(res):
    return [a for a in res.sent if a.kind == "relay"]


HEAD = """#!KAMAILIO
debug=2
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "corex.so"
"""
