"""tm's t_load_contacts()/t_next_contacts(): q-value serial/parallel forking.

Expected behaviour: the tm README's walk-through (D at q 1.0 first, then B and C at 0.5 in parallel,
then A without q), and real Kamailio 5.6.3 run live on the same cfgs (in a netns; the branch
destinations have no listener, so every branch ends with fr_timer's 408). Kamailio's log lines
marked ORACLE must equal the ones cfgvm logs running the same cfg in-process.
"""
import pytest

from cfgvm.diagnostics import CfgError
from cfgvm.stdlib._common import ModuleError
from oracle.kamailio import kamailio_available, run_kamailio

from .helpers import INVITE, Flow, first_lines, relayed

OPTIONS = (b"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-lc1;rport\r\n"
           b"From: <sip:alice@127.0.0.2>;tag=fa\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: contacts-1\r\n"
           b"CSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")

# request_route only: eight contacts with equal, missing and zero q, $du and a branch flag; every
# record of the XAVP, then each t_next_contacts() step (R-URI, $du, $bf, branches).
ORDER_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
loadmodule "kex.so"
modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_contact_flows")

request_route {
    $ru = "sip:a@127.0.0.10:5090";
    $du = "sip:127.0.0.20:5090";
    setbflag(3);
    append_branch("sip:b@127.0.0.11:5090", "0.3");
    append_branch("sip:c@127.0.0.12:5090");
    append_branch("sip:d@127.0.0.13:5090", "0.7");
    append_branch("sip:e@127.0.0.14:5090", "0.3");
    append_branch("sip:f@127.0.0.15:5090", "1.0");
    append_branch("sip:g@127.0.0.16:5090", "0");
    append_branch("sip:h@127.0.0.17:5090", "0.3");
    t_load_contacts();
    xlog("L_INFO", "ORACLE loaded rc=$rc n=$cnt($xavp(tm_contacts)) ru=$ru du=$du bf=$bf\n");
    $var(k) = 0;
    while ($var(k) < $cnt($xavp(tm_contacts))) {
        xlog("L_INFO", "ORACLE rec $var(k) uri=$xavp(tm_contacts[$var(k)]=>uri) dst=$xavp(tm_contacts[$var(k)]=>dst_uri) flags=$xavp(tm_contacts[$var(k)]=>flags) q_flag=$xavp(tm_contacts[$var(k)]=>q_flag)\n");
        $var(k) = $var(k) + 1;
    }
    $var(n) = 0;
    while ($var(n) < 10) {
        t_next_contacts();
        $var(rc) = $rc;
        xlog("L_INFO", "ORACLE next rc=$var(rc) ru=$ru du=$du bf=$bf left=$cnt($xavp(tm_contacts))\n");
        $var(j) = 0;
        while ($var(j) < $branch(count)) {
            xlog("L_INFO", "ORACLE   branch $var(j) uri=$(branch(uri)[$var(j)]) dst=$(branch(dst_uri)[$var(j)]) flags=$(branch(flags)[$var(j)])\n");
            $var(j) = $var(j) + 1;
        }
        if ($var(rc) < 0) { break; }
        clear_branches();
        $var(n) = $var(n) + 1;
    }
    xlog("L_INFO", "ORACLE done\n");
    sl_send_reply("200", "done");
}
"""

# the README's example through failure_route, each branch logged from branch_route
SERIAL_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
loadmodule "tmx.so"
modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_contact_flows")
modparam("tm", "fr_timer", 300)
modparam("tm", "restart_fr_on_each_reply", 0)

request_route {
    $ru = "sip:a@127.0.0.10:5090";
    append_branch("sip:b@127.0.0.11:5090", "0.5");
    append_branch("sip:c@127.0.0.12:5090", "0.5");
    append_branch("sip:d@127.0.0.13:5090", "1.0");
    t_load_contacts();
    t_next_contacts();
    t_on_failure("SERIAL");
    t_on_branch("BR");
    t_relay();
    exit;
}
branch_route[BR] {
    xlog("L_INFO", "ORACLE branch $T_branch_idx $ru\n");
}
failure_route[SERIAL] {
    xlog("L_INFO", "ORACLE failure $T_reply_code branch=$T_branch_idx left=$cnt($xavp(tm_contacts))\n");
    if (!t_next_contacts()) {
        xlog("L_INFO", "ORACLE done\n");
        exit;
    }
    t_on_failure("SERIAL");
    t_on_branch("BR");
    t_relay();
}
"""


def _ours(cfg, msg, until=10.0):
    f = Flow(cfg)
    r = f.send(msg)
    logs = [l.text for l in r.logs]
    replies = [a.data for a in r.sent if a.kind == "reply"]
    for _, rr in f.run_timers(until):
        logs += [l.text for l in rr.logs]
        replies += [a.data for a in rr.sent if a.kind == "reply"]
    return [l[l.index("ORACLE"):].rstrip("\n") for l in logs if "ORACLE" in l], \
        [x.split(b"\r\n")[0].decode() for x in replies]


def _theirs(cfg, msg, **kw):
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    run = run_kamailio(cfg, [msg], until="ORACLE done", **kw)
    lines = [l[l.index("ORACLE"):] for l in run.log_lines if "ORACLE" in l]
    return lines, [x.split(b"\r\n")[0].decode() for x in run.replies]


def test_readme_example_serial_then_parallel_then_lowest():
    lines, replies = _ours(SERIAL_CFG, INVITE)
    assert [l for l in lines if "branch " in l and "failure" not in l] == [
        "ORACLE branch 0 sip:d@127.0.0.13:5090",        # q 1.0 alone
        "ORACLE branch 1 sip:c@127.0.0.12:5090",        # q 0.5: both at once, last appended first
        "ORACLE branch 2 sip:b@127.0.0.11:5090",
        "ORACLE branch 3 sip:a@127.0.0.10:5090"]        # the R-URI without q: lowest
    assert replies == ["SIP/2.0 100 trying -- your call is important to us", "SIP/2.0 408 Request Timeout"]


def test_order_records_and_steps():
    lines, _ = _ours(ORDER_CFG, OPTIONS)
    recs = [l.split(" flags")[0].split("uri=")[1] for l in lines if " rec " in l]
    assert [r.split("@")[0] for r in recs] == ["sip:f", "sip:d", "sip:h", "sip:e", "sip:b", "sip:g",
                                               "sip:c", "sip:a"]
    steps = [l for l in lines if "next rc=" in l]
    assert [s.split(" ru=")[0] for s in steps] == ["ORACLE next rc=1"] * 5 + ["ORACLE next rc=-2"]


@pytest.mark.oracle
def test_order_same_as_kamailio():
    theirs, _ = _theirs(ORDER_CFG, OPTIONS)
    ours, _ = _ours(ORDER_CFG, OPTIONS)
    assert ours == theirs


@pytest.mark.oracle
@pytest.mark.slow
def test_serial_failure_route_same_as_kamailio():
    theirs, their_replies = _theirs(SERIAL_CFG, INVITE, reply_wait=3, expect_replies=2)
    ours, our_replies = _ours(SERIAL_CFG, INVITE)
    assert ours == theirs
    assert our_replies == their_replies


HEAD = """#!KAMAILIO
debug=2
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
"""


def _texts(result, *starts):
    """xlog texts (without the "<script>: " origin) that start with one of starts."""
    out = [l.text.split(": ", 1)[-1] for l in result.logs]
    return [t for t in out if t.startswith(starts)]


def test_contacts_avp_without_contact_flows_avp_is_refused_at_start_up():
    with pytest.raises((CfgError, ModuleError), match="contact_flows_avp"):
        Flow(HEAD + 'modparam("tm", "contacts_avp", "c")\nrequest_route { drop; }\n')


def test_without_contacts_avp_the_functions_fail():
    f = Flow(HEAD + """request_route {
    append_branch("sip:b@127.0.0.11", "0.5");
    t_load_contacts(); xlog("L_INFO", "load $rc\\n");
    t_next_contacts(); xlog("L_INFO", "next $rc\\n");
    drop;
}
""")
    assert _texts(f.send(OPTIONS), "load", "next") == ["load -1\n", "next -1\n"]


def test_single_contact_is_left_alone():
    f = Flow(HEAD + """modparam("tm", "contacts_avp", "c")
modparam("tm", "contact_flows_avp", "cf")
request_route {
    t_load_contacts(); xlog("L_INFO", "load $rc n=$cnt($xavp(c))\\n");
    t_next_contacts(); xlog("L_INFO", "next $rc ru=$ru\\n");
    drop;
}
""")
    texts = _texts(f.send(OPTIONS), "load", "next")
    assert texts == ["load 1 n=0\n", "next -2 ru=sip:bob@127.0.0.1\n"]


def test_proportional_mode_one_contact_per_step_zero_q_last():
    f = Flow(HEAD + """modparam("tm", "contacts_avp", "c")
modparam("tm", "contact_flows_avp", "cf")
request_route {
    $ru = "sip:a@127.0.0.10";
    append_branch("sip:b@127.0.0.11", "0.2");
    append_branch("sip:c@127.0.0.12", "0.8");
    append_branch("sip:z@127.0.0.13", "0");
    t_load_contacts("1");
    while (t_next_contacts() > 0) {
        xlog("L_INFO", "step $ru $cnt($xavp(c))\\n");
        if ($branch(count) > 0) { xlog("L_INFO", "parallel\\n"); }
    }
    drop;
}
""")
    for _ in range(20):
        steps = [t.split()[1] for t in _texts(f.send(OPTIONS), "step", "parallel")]
        assert sorted(steps[:2]) == ["sip:b@127.0.0.11", "sip:c@127.0.0.12"]
        # q <= 0 and the R-URI (no q) come after the weighted ones, in list order
        assert steps[2:] == ["sip:a@127.0.0.10", "sip:z@127.0.0.13"] or \
            steps[2:] == ["sip:z@127.0.0.13", "sip:a@127.0.0.10"]


# failure_route consumes the R-URI (5.6.3 t_reply.c): append_branch + t_relay forks to the new
# branch only ($du = $null does not revive the R-URI); writing $du does.
CONSUMED_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
loadmodule "tmx.so"
modparam("tm", "fr_timer", 300)

request_route {
    $du = "sip:127.0.0.10:5090";
    t_on_failure("F1");
    t_on_branch("BR");
    t_relay();
    exit;
}
branch_route[BR] {
    xlog("L_INFO", "ORACLE branch $T_branch_idx $ru $du\n");
}
failure_route[F1] {
    xlog("L_INFO", "ORACLE failure1 $T_reply_code ru=$ru du=$du\n");
    $du = $null;
    append_branch("sip:z@127.0.0.14:5090");
    t_on_failure("F2");
    t_on_branch("BR");
    t_relay();
}
failure_route[F2] {
    xlog("L_INFO", "ORACLE failure2 $T_reply_code ru=$ru du=$du\n");
    $du = "sip:127.0.0.15:5090";
    t_on_failure("F3");
    t_on_branch("BR");
    t_relay();
}
failure_route[F3] {
    xlog("L_INFO", "ORACLE done $T_reply_code\n");
}
"""


def test_failure_route_forks_to_the_r_uri_only_when_revived():
    lines, _ = _ours(CONSUMED_CFG, INVITE)
    assert [l for l in lines if " branch " in l] == [
        "ORACLE branch 0 sip:uas@127.0.0.1:5060 sip:127.0.0.10:5090",
        "ORACLE branch 1 sip:z@127.0.0.14:5090 <null>",
        "ORACLE branch 2 sip:uas@127.0.0.1:5060 sip:127.0.0.15:5090"]


@pytest.mark.oracle
@pytest.mark.slow
def test_failure_route_r_uri_state_same_as_kamailio():
    theirs, their_replies = _theirs(CONSUMED_CFG, INVITE, reply_wait=3, expect_replies=2)
    ours, our_replies = _ours(CONSUMED_CFG, INVITE)
    assert ours == theirs
    assert our_replies == their_replies
