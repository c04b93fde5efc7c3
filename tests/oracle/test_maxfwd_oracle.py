"""maxfwd's in-place decrement against real Kamailio 5.6.3: what $hdr(Max-Forwards) reads afterwards
(the digits are written into the received buffer, right-aligned in the old width) and the return
code, for values that keep their width, lose a digit, hit max_limit or are already 0. The dry-run
runs untraced (the fused VM code and the header-line fast path) and traced (the plain code)."""
import re

import pytest

from oracle.kamailio import LISTEN, SOURCE, kamailio_available, run_kamailio
from support.dryrun import compile_text, run_message

pytestmark = pytest.mark.oracle

CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
auto_aliases=no
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
modparam("maxfwd", "max_limit", 16)
request_route {
    $var(rc) = mf_process_maxfwd_header("10");
    xlog("L_ERR", "MF|$ci|$var(rc)|[$hdr(Max-Forwards)]|$hdrc(Max-Forwards)\\n");
    sl_send_reply("404", "Not here");
    exit;
}
"""
VALUES = ["70", "16", "17", "10", "100", "1", "0", " 5", "200"]


def invite(i, value):
    return (f"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-m{i}\r\n"
            f"From: <sip:alice@127.0.0.2>;tag=f{i}\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: mf-{i}\r\n"
            f"CSeq: 1 INVITE\r\nMax-Forwards: {value}\r\nContent-Length: 0\r\n\r\n").encode()


MESSAGES = [invite(i, v) for i, v in enumerate(VALUES)]
LINE = re.compile(r"MF\|(mf-\d+)\|.*")


def lines_of(text):
    return sorted(m.group(0) for m in LINE.finditer(text))


@pytest.fixture(scope="module")
def kamailio_lines():
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    run = run_kamailio(CFG, MESSAGES, reply_wait=0.5, expect_replies=1)
    return lines_of(run.log_text)


@pytest.mark.parametrize("trace", [False, True])
def test_decrement_reads_back_as_in_kamailio(kamailio_lines, trace):
    program = compile_text(CFG)
    got = []
    for msg in MESSAGES:
        res = run_message(program, msg, ("udp",) + SOURCE, ("udp",) + LISTEN, trace=trace)
        assert res.error is None, res.error
        got += [r.text for r in res.logs]
    assert lines_of("".join(got)) == kamailio_lines
    assert len(kamailio_lines) == len(VALUES)
