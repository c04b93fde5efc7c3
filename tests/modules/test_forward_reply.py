"""Stateless reply forwarding from reply_route: sl_forward_reply([code[, reason]]) and corex's
forward_reply(), each sending a copy before the core's own forwarding (unless the route drops).
Every datagram that came back is compared with real Kamailio 5.6.3 (fixture
forward_reply_expected.json, recorded by `python tests/modules/cfgcases.py forward_reply`)."""
import json
import os

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "forward_reply_expected.json")

REPLY = ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-k\r\n"
         "Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@127.0.0.2>;tag=f1\r\n"
         "To: <sip:b@127.0.0.1>;tag=t1\r\nCall-ID: fr1@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")

CASES = {
    "sfr0": 'sl_forward_reply(); xnotice("R|$rc\\n");',
    "sfr1": 'sl_forward_reply("299"); xnotice("R|$rc\\n");',
    "sfr2": 'sl_forward_reply("202", "Queued"); xnotice("R|$rc\\n");',
    "sfr_class": 'sl_forward_reply("301"); xnotice("R|$rc\\n");',
    "sfr_drop": 'sl_forward_reply("", "Fine"); xnotice("R|$rc\\n"); xnotice("R|END\\n"); drop;',
    "fr": 'append_hf("X-A: 1\\r\\n"); forward_reply(); xnotice("R|$rc\\n"); xnotice("R|END\\n"); drop;',
}


def _cfg(code):
    return cfgcases.HEAD % ("", "drop;", code + '\nxnotice("R|END\\n");')


def regenerate():
    import sys
    sys.path.insert(0, os.path.dirname(cfgcases.HERE))
    from oracle.kamailio import run_kamailio
    out = {}
    for name, code in CASES.items():
        run = run_kamailio(_cfg(code), [REPLY.encode("latin-1")], until="R|END", reply_wait=0.5)
        log = [ln[ln.index("R|") + 2:] for ln in run.log_text.splitlines() if "R|" in ln]
        out[name] = {"log": log, "sent": [d.decode("latin-1") for d in run.replies]}
    with open(FIXTURE, "w", encoding="latin-1") as f:
        json.dump(out, f, indent=1, sort_keys=True)


def _ours(code):
    import tempfile
    from cfgvm.drivers.dryrun import DryRun, load_program, receive_info
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.cfg")
        with open(path, "w", encoding="latin-1") as f:
            f.write(_cfg(code))
        program = load_program(path)
    res = DryRun(program, trace=False).run(
        REPLY.encode("latin-1"),
        receive_info(("udp",) + cfgcases.SOURCE, ("udp",) + cfgcases.LISTEN)).result
    assert res.error is None, res.error
    log = [r.text[r.text.index("R|") + 2:].rstrip("\n") for r in res.logs if "R|" in r.text]
    return {"log": log, "sent": [a.data.decode("latin-1") for a in res.sent]}


@pytest.mark.parametrize("name", list(CASES))
def test_reply_forwarding_as_kamailio(name):
    with open(FIXTURE, encoding="latin-1") as f:
        want = json.load(f)[name]
    assert _ours(CASES[name]) == want
