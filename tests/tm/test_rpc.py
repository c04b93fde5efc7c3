"""tm RPC commands. Expected values are what Kamailio 5.6.3's kamcmd printed in a live session on the
same config and messages (an INVITE relayed to a dead port -> 100 Trying; a MESSAGE that only got
t_newtran(); then `tm.reply 486 Busy <tindex:tlabel of the INVITE> tt2 .`)."""
import pytest

from cfgvm.exports import RpcError
from cfgvm.stdlib.tm import rpc

from .helpers import HEAD, Flow, first_lines

CFG = HEAD + """
modparam("tm", "fr_inv_timer", 20000)
modparam("tm", "fr_timer", 20000)
request_route {
    if ($rU == "x") { $du = "sip:127.0.0.2:5999"; t_relay(); exit; }
    t_newtran();
    exit;
}
"""


def req(method, user, call_id):
    return (f"{method} sip:{user}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{call_id};rport\r\n"
            f"From: <sip:alice@127.0.0.2>;tag=fa\r\nTo: <sip:{user}@127.0.0.1>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: 7 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode("latin-1")


@pytest.fixture
def flow():
    f = Flow(CFG)
    f.send(req("INVITE", "x", "i1"))
    r = f.send(req("MESSAGE", "bob", "n1"))
    assert [x.text for x in r.logs] == ["WARNING: tm [t_lookup.c]: t_unref(): script writer didn't release transaction\n"]
    return f, None, f.engine.shared


def test_stats_and_list_as_kamcmd(flow):
    f, mod, sh = flow
    assert rpc.rpc_stats(mod, sh) == {
        "current": 2, "waiting": 1, "total": 2, "total_local": 0, "rpl_received": 0, "rpl_generated": 1,
        "rpl_sent": 1, "6xx": 0, "5xx": 0, "4xx": 0, "3xx": 0, "2xx": 0, "created": 2, "freed": 0,
        "delayed_free": 0}
    cells = rpc.rpc_list(mod, sh)
    assert [(c["tindex"], c["method"], c["from"], c["to"], c["callid"], c["cseq"], c["uas_request"],
             c["tflags"], c["outgoings"], c["ref_count"]) for c in cells] == [
        (25655, "MESSAGE", "From: <sip:alice@127.0.0.2>;tag=fa\r\n", "To: <sip:bob@127.0.0.1>\r\n",
         "Call-ID: n1\r\n", "CSeq: 7", "yes", 0, 0, 1),
        (25687, "INVITE", "From: <sip:alice@127.0.0.2>;tag=fa\r\n", "To: <sip:x@127.0.0.1>\r\n",
         "Call-ID: i1\r\n", "CSeq: 7", "yes", 65, 1, 1)]


def test_reply_by_transaction_id(flow):
    f, mod, sh = flow
    inv = [c for c in rpc.rpc_list(mod, sh) if c["method"] == "INVITE"][0]
    sink = rpc._sink()
    assert rpc.rpc_reply(mod, sh, "486", "Busy", f"{inv['tindex']}:{inv['tlabel']}", "tt2", ".", sink=sink) is None
    [sent] = [a for a in sink.sent if a.kind == "reply"]
    assert first_lines(sink.res, "reply") == ["SIP/2.0 486 Busy"]
    assert b"To: <sip:x@127.0.0.1>;tag=tt2\r\n" in sent.data
    st = rpc.rpc_stats(mod, sh)
    assert (st["current"], st["waiting"], st["rpl_generated"], st["rpl_sent"], st["4xx"]) == (2, 2, 2, 2, 1)
    with pytest.raises(RpcError, match="481 - No such transaction"):
        rpc.rpc_reply(mod, sh, "400", "x", "1:2", "t", ".")
    with pytest.raises(RpcError, match="400 - error at parameter 5"):
        rpc.rpc_reply(mod, sh, "486", "Busy", "1:2", "t")


def test_faults_as_kamcmd(flow):
    f, mod, sh = flow
    with pytest.raises(RpcError, match="500 - Hash statistics not supported"):
        rpc.rpc_hash_stats(mod, sh)
    with pytest.raises(RpcError, match="400 - CSeq expected"):
        rpc.rpc_reply_callid(mod, sh, "404", "Nope", "n1")
    with pytest.raises(RpcError, match="404 - Transaction not found"):
        rpc.rpc_reply_callid(mod, sh, "404", "Nope", "zz", "7", "tt1", ".")
    with pytest.raises(RpcError, match="400 - Callid and CSeq expected as parameters"):
        rpc.rpc_cancel(mod, sh, "i1")
    with pytest.raises(RpcError, match="400 - Transaction not found"):
        rpc.rpc_cancel(mod, sh, "i1", "7")          # not a local INVITE
    with pytest.raises(RpcError, match="400 - Invalid headers"):
        rpc.rpc_t_uac_start(mod, sh, "OPTIONS", "sip:a@127.0.0.2:5070", ".", ".", r"To: <sip:a@127.0.0.2>\r\n")
    with pytest.raises(RpcError, match="600 - Reply wait/async mode not supported"):
        rpc.rpc_t_uac_wait(mod, sh)
    assert rpc.rpc_clean(mod, sh) is None


def test_t_uac_start_and_cancel(flow):
    """A local INVITE from the RPC goes out on the next tick; tm.cancel CANCELs it once a
    provisional reply came (cancel_b_method 1 waits for one)."""
    f, mod, sh = flow
    hdrs = "From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.2>\r\nCall-ID: u1\r\nCSeq: 3 INVITE\r\n"
    assert rpc.rpc_t_uac_start(mod, sh, "INVITE", "sip:a@127.0.0.2:5070", ".", ".", hdrs) is None
    r = f.engine.tick(f.clock.now)
    [inv] = [a for a in r.sent if a.data.startswith(b"INVITE sip:a@127.0.0.2:5070")]
    assert rpc.rpc_stats(mod, sh)["total_local"] == 1
    from cfgvm.vm.context import ReceiveInfo
    f.send(Flow.reply_to(inv.data, 180, "Ringing"), ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060))
    sink = rpc._sink()
    rpc.rpc_cancel(mod, sh, "u1", "3", sink=sink)
    assert [a.data.split(b"\r\n", 1)[0] for a in sink.sent] == [b"CANCEL sip:a@127.0.0.2:5070 SIP/2.0"]
