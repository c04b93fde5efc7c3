"""tm's local replies byte for byte against real Kamailio 5.6.3 (in a netns): the 100 Trying and the
408 tm generates when fr_timer expires (status line, Via with received/rport, the tm to-tag, Server)."""
import pytest

from oracle.kamailio import LISTEN, SOURCE, kamailio_available, run_kamailio

from .helpers import Flow
from cfgvm.vm.context import ReceiveInfo

CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
modparam("tm", "fr_timer", 1000)
modparam("tm", "fr_inv_timer", 1000)
request_route {
    $du = "sip:127.0.0.2:5999";
    t_relay();
}
"""
INV = (b"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-or1;rport\r\n"
       b"From: <sip:alice@127.0.0.2>;tag=fa\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: oracle-tm-1\r\n"
       b"CSeq: 7 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.oracle
@pytest.mark.slow
def test_100_and_fr_timeout_408_identical_to_kamailio():
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    run = run_kamailio(CFG,
                       [INV], reply_wait=2.5)
    theirs = [r for r in run.replies if r.startswith(b"SIP/2.0")]
    assert theirs[:1] and theirs[0].startswith(b"SIP/2.0 100")
    f = Flow(CFG)
    rcv = ReceiveInfo("udp", SOURCE[0], SOURCE[1], LISTEN[0], LISTEN[1])
    ours = [a.data for a in f.send(INV, rcv).sent if a.kind == "reply"]
    for _, r in f.run_timers(1.0):
        ours += [a.data for a in r.sent if a.kind == "reply"]
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
