"""Dry-run vs real Kamailio 5.6.3 on the default config's request checks (REQINIT of
/etc/kamailio/kamailio.cfg: force_rport, maxfwd, OPTIONS keepalive, sanity_check): the reply status
lines must be the same for a keepalive, malformed INVITEs and a request out of hops."""
import pytest

from oracle.kamailio import LISTEN, SOURCE, kamailio_available, run_kamailio
from support.dryrun import compile_text, run_message
from support.reqinit import reqinit_cfg

pytestmark = pytest.mark.oracle

CFG = reqinit_cfg()

_HEAD = ("{first}\r\nVia: SIP/2.0/UDP {src}:{sport};branch=z9hG4bK-{tag};rport\r\n"
         "From: <sip:alice@{src}>;tag=f-{tag}\r\nTo: <sip:bob@{dst}>\r\nCall-ID: {tag}@{src}\r\n"
         "CSeq: {cseq}\r\nMax-Forwards: {mf}\r\n{extra}Content-Length: {clen}\r\n\r\n{body}")


def sip(first, tag, cseq, mf=70, extra="", body="", clen=None):
    return _HEAD.format(first=first, src=SOURCE[0], sport=SOURCE[1], dst=LISTEN[0], tag=tag, cseq=cseq,
                        mf=mf, extra=extra, body=body,
                        clen=len(body) if clen is None else clen).encode("latin-1")


MESSAGES = {
    "options-keepalive": sip(f"OPTIONS sip:{LISTEN[0]}:{LISTEN[1]} SIP/2.0", "ka1", "10 OPTIONS"),
    "invite-cseq-method-mismatch": sip(f"INVITE sip:bob@{LISTEN[0]} SIP/2.0", "bad1", "1 BYE"),
    "invite-bad-content-length": sip(f"INVITE sip:bob@{LISTEN[0]} SIP/2.0", "bad2", "2 INVITE",
                                     extra="Content-Type: application/sdp\r\n", body="v=0\r\n", clen=40),
    "invite-bad-cseq-number": sip(f"INVITE sip:bob@{LISTEN[0]} SIP/2.0", "bad3", "x1 INVITE"),
    "invite-out-of-hops": sip(f"INVITE sip:bob@{LISTEN[0]} SIP/2.0", "hops", "3 INVITE", mf=0),
    "invite-well-formed": sip(f"INVITE sip:bob@{LISTEN[0]} SIP/2.0", "ok1", "4 INVITE"),
}


def status_line(data: bytes) -> str:
    return data.split(b"\r\n", 1)[0].decode("latin-1")


@pytest.fixture(scope="module")
def kamailio_replies():
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    out = {}
    for name, msg in MESSAGES.items():
        run = run_kamailio(CFG, [msg], reply_wait=0.5, expect_replies=1)
        out[name] = [status_line(r) for r in run.replies]
    return out


@pytest.fixture(scope="module")
def dryrun_replies():
    program = compile_text(CFG)
    out = {}
    for name, msg in MESSAGES.items():
        res = run_message(program, msg, ("udp",) + SOURCE, ("udp",) + LISTEN, trace=True)
        assert res.error is None, res.error
        out[name] = [status_line(a.data) for a in res.sent if a.kind == "reply"]
    return out


@pytest.mark.parametrize("name", list(MESSAGES))
def test_same_reply_status_as_kamailio(name, kamailio_replies, dryrun_replies):
    assert dryrun_replies[name] == kamailio_replies[name]


def test_the_keepalive_and_the_malformed_invite_get_answers(kamailio_replies):
    # guards the fixture itself: Kamailio answers the keepalive with 200 and sanity refuses with 400
    assert kamailio_replies["options-keepalive"] == ["SIP/2.0 200 Keepalive"]
    assert kamailio_replies["invite-cseq-method-mismatch"][0].startswith("SIP/2.0 400 ")
