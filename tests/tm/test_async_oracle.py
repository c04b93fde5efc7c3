"""tm's branch-failure event route, t_suspend/t_continue and t_drop (tmx) side by side with real
Kamailio 5.6.3 (in a netns, tests/oracle/kamailio.py): the same cfg and messages, the script's log
lines (marked `K|`) and the status lines sent back compared. Kamailio's branch goes to a port
nobody listens on, so every branch ends by fr_timer (1 s)."""
import re

import pytest

from oracle.kamailio import LISTEN, SOURCE, kamailio_available, run_kamailio

from cfgvm.vm.context import ReceiveInfo

from .helpers import Flow

HEAD = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
modparam("tm", "fr_timer", %(fr)d)
modparam("tm", "fr_inv_timer", 1000)
"""
BRANCH_FAILURE = HEAD % {"fr": 1000} + """
request_route {
    if (is_method("ACK")) { t_check_trans(); exit; }
    t_on_branch_failure("bf");
    t_on_failure("F");
    $du = "sip:127.0.0.2:5999";
    t_relay();
}
event_route[tm:branch-failure:bf] {
    xlog("L_INFO", "K|BF $T_reply_code $T_reply_reason $T_branch_idx $rm $ru $du last=$T_reply_last\\n");
}
failure_route[F] {
    xlog("L_INFO", "K|FR $T_reply_code $T_branch_idx\\n");
    if (t_branch_timeout()) { xlog("L_INFO", "K|timeout\\n"); }
}
"""
SUSPEND = HEAD % {"fr": 4000} + """
request_route {
    if (is_method("ACK")) { t_check_trans(); exit; }
    if (is_method("INVITE")) {
        t_on_failure("F");
        if (t_suspend()) {
            $shv(i) = $T(id_index);
            $shv(l) = $T(id_label);
            xlog("L_INFO", "K|suspended $T_branch_idx\\n");
            exit;
        }
        xlog("L_INFO", "K|not suspended\\n");
        exit;
    }
    if ($rU == "go") {
        xlog("L_INFO", "K|continue rc=$rc\\n");
        t_continue("$shv(i)", "$shv(l)", "RESUME");
        xlog("L_INFO", "K|after continue\\n");
    }
    if ($rU == "bad") {
        if (!t_continue("$shv(i)", "999999", "RESUME")) { xlog("L_INFO", "K|bad label refused\\n"); }
    }
    sl_send_reply("200", "done");
}
route[RESUME] {
    xlog("L_INFO", "K|resume $rm $ru t_is_failure_route=$T_branch_idx $T_reply_code\\n");
    if ($hdr(X-Act) == "reply") { t_reply("404", "Nope"); }
    if ($hdr(X-Act) == "drop") { t_drop(); }
}
failure_route[F] {
    xlog("L_INFO", "K|FR $T_reply_code\\n");
}
"""


def invite(call_id, act=""):
    return (f"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{call_id};rport\r\n"
            f"From: <sip:alice@127.0.0.2>;tag=fa\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: 7 INVITE\r\nMax-Forwards: 70\r\n{act}Content-Length: 0\r\n\r\n").encode("latin-1")


def message(user, n):
    return (f"MESSAGE sip:{user}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-m{n};rport\r\n"
            f"From: <sip:alice@127.0.0.2>;tag=fm\r\nTo: <sip:{user}@127.0.0.1>\r\nCall-ID: m{n}\r\n"
            f"CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode("latin-1")


CASES = {
    "branch-failure-timeout": (BRANCH_FAILURE, [invite("bf1")]),
    "suspend-continue-reply": (SUSPEND, [invite("sc1", "X-Act: reply\r\n"), message("go", 1)]),
    "suspend-continue-nothing": (SUSPEND, [invite("sc2"), message("go", 2)]),
    "suspend-continue-drop": (SUSPEND, [invite("sc3", "X-Act: drop\r\n"), message("go", 3)]),
    "suspend-timeout": (SUSPEND.replace("4000", "1000"), [invite("sc4")]),
    "continue-unknown-label": (SUSPEND, [invite("sc5", "X-Act: reply\r\n"), message("bad", 5), message("go", 6)]),
}


def status_lines(datagrams):
    """Status lines in order, a retransmission (the same line again right after) counted once."""
    out = []
    for d in datagrams:
        line = d.split(b"\r\n", 1)[0].decode("latin-1")
        if d.startswith(b"SIP/2.0") and (not out or out[-1] != line):
            out.append(line)
    return out


def marks(text):
    return re.findall(r"K\|[^\n]*", text)


def ours(cfg, messages, until=2.5):
    f = Flow(cfg)
    rcv = ReceiveInfo("udp", SOURCE[0], SOURCE[1], LISTEN[0], LISTEN[1])
    sent, logs = [], []
    for m in messages:
        r = f.send(m, rcv)
        sent += [a.data for a in r.sent if a.kind == "reply" or a.dst == SOURCE]
        logs += [x.text for x in r.logs]
    for _, r in f.run_timers(until):
        sent += [a.data for a in r.sent if a.kind == "reply" or a.dst == SOURCE]
        logs += [x.text for x in r.logs]
    return status_lines(sent), marks("".join(logs))


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_kamailio(name):
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    cfg, messages = CASES[name]
    run = run_kamailio(cfg, messages, reply_wait=1.6)
    theirs = (status_lines(run.replies), marks(run.log_text))
    assert ours(cfg, messages) == theirs


def test_suspend_then_continue_relays_in_failure_context():
    """t_relay() in the continued route sends the (saved) request as branch 1: branch 0 is the
    blind branch t_suspend added."""
    cfg = HEAD % {"fr": 4000} + """
request_route {
    if (is_method("INVITE")) { append_hf("X-Saved: 1\\r\\n"); t_suspend(); $shv(i) = $T(id_index); $shv(l) = $T(id_label); exit; }
    t_continue("$shv(i)", "$shv(l)", "GO");
    sl_send_reply("200", "ok");
}
route[GO] { $du = "sip:127.0.0.3:5080"; t_relay(); }
"""
    f = Flow(cfg)
    r1 = f.send(invite("sr1"))
    assert status_lines([a.data for a in r1.sent]) == ["SIP/2.0 100 trying -- your call is important to us"]
    r2 = f.send(message("go", 9))
    [inv] = [a for a in r2.sent if a.data.startswith(b"INVITE")]
    assert inv.dst == ("127.0.0.3", 5080) and b"X-Saved: 1\r\n" in inv.data
    from cfgvm.sip import Message
    assert Message.parse(inv.data).via1.branch.endswith(".1")
