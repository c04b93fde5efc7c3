"""textopsx through cfgvm's dry-run vs real Kamailio 5.6.3 (fixture textopsx_expected.json, recorded by
`python tests/modules/cfgcases.py textopsx`): header-value editing, iterators, msg_set_buffer."""
import os

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "textopsx_expected.json")

MSG = """INVITE sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1
Max-Forwards: 70
From: <sip:alice@127.0.0.2>;tag=ft
To: <sip:bob@127.0.0.1>
Call-ID: c1@x
CSeq: 1 INVITE
Supported: replaces, timer
Supported: 100rel
X-A: a, b ,c;p=1
X-A: d
X-P: <sip:u@h>;q=1;lr, "N" <sip:v@h>;x = "y z"
WWW-Authenticate: Digest realm="r", nonce="n1", qop=auth
Content-Type: text/plain
Content-Length: 17

line1
line2
abc
"""


CASES = {
    "app1": cfgcases.rc('append_hf_value("X-A", "new");'),
    "app2": cfgcases.rc('append_hf_value("X-A[1]", "n1");'),
    "app3": cfgcases.rc('append_hf_value("X-A[2]", "n2");'),
    "app4": cfgcases.rc('append_hf_value("X-A[-1]", "nl");'),
    "app5": cfgcases.rc('append_hf_value("X-Z", "z");'),
    "app6": cfgcases.rc('append_hf_value("X-A[9]", "n9");'),
    "app7": cfgcases.rc('$var(v) = "pv"; append_hf_value("X-A[-2]", "$var(v)-$rm");'),
    "ins1": cfgcases.rc('insert_hf_value("X-A", "i");'),
    "ins2": cfgcases.rc('insert_hf_value("X-A[2]", "i2");'),
    "ins3": cfgcases.rc('insert_hf_value("X-A[-1]", "il");'),
    "ins4": cfgcases.rc('insert_hf_value("X-Z", "z");'),
    "ins5": cfgcases.rc('insert_hf_value("X-Z[2]", "z");'),
    "rm1": cfgcases.rc('remove_hf_value("X-A");'),
    "rm2": cfgcases.rc('remove_hf_value("X-A[3]");'),
    "rm3": cfgcases.rc('remove_hf_value("X-A[4]");'),
    "rm4": cfgcases.rc('remove_hf_value("X-A[-2]");'),
    "rm5": cfgcases.rc('remove_hf_value("X-A[*]");'),
    "rm6": cfgcases.rc('remove_hf_value("X-A[3].p");'),
    "rm7": cfgcases.rc('remove_hf_value("X-P[*].q");'),
    "rm8": cfgcases.rc('remove_hf_value("X-Z");'),
    "rm9": cfgcases.rc('remove_hf_value("X-P[2].x");'),
    "rm10": cfgcases.rc('remove_hf_value("X-A[2].p");'),
    "r21": cfgcases.rc('remove_hf_value2("X-A");'),
    "r22": cfgcases.rc('remove_hf_value2("WWW-Authenticate.nonce");'),
    "r23": cfgcases.rc('remove_hf_value2("WWW-Authenticate.realm");'),
    "r24": cfgcases.rc('remove_hf_value2("WWW-Authenticate.qop");'),
    "r25": cfgcases.rc('remove_hf_value2("X-A[2]");'),
    "r26": cfgcases.rc('remove_hf_value2("X-A[-1]");'),
    "as1": cfgcases.rc('assign_hf_value("X-A", "AA");'),
    "as2": cfgcases.rc('assign_hf_value("X-A[3]", "CC");'),
    "as3": cfgcases.rc('assign_hf_value("X-A[3].p", "9");'),
    "as4": cfgcases.rc('assign_hf_value("X-A[2].p", "9");'),
    "as5": cfgcases.rc('assign_hf_value("X-P[*].lr", "on");'),
    "as6": cfgcases.rc('assign_hf_value("X-P[1].q", "");'),
    "as7": cfgcases.rc('assign_hf_value("X-A[1]", "");'),
    "as8": cfgcases.rc('assign_hf_value("X-P[2].x", "w");'),
    "a21": cfgcases.rc('assign_hf_value2("WWW-Authenticate.nonce", "n2");'),
    "a22": cfgcases.rc('assign_hf_value2("WWW-Authenticate.opaque", "o");'),
    "a23": cfgcases.rc('assign_hf_value2("X-A", "Z");'),
    "a24": cfgcases.rc('assign_hf_value2("WWW-Authenticate[*].qop", "auth-int");'),
    "inc1": cfgcases.rc('include_hf_value("Supported", "timer");'),
    "inc2": cfgcases.rc('include_hf_value("Supported", "path");'),
    "inc3": cfgcases.rc('include_hf_value("Require", "path");'),
    "exc1": cfgcases.rc('exclude_hf_value("Supported", "replaces");'),
    "exc2": cfgcases.rc('exclude_hf_value("Supported", "100rel");'),
    "exc3": cfgcases.rc('exclude_hf_value("X-A", "c;p=1");'),
    "exc4": cfgcases.rc('exclude_hf_value("X-A", "zz");'),
    "exc5": cfgcases.rc('exclude_hf_value("Supported", "TIMER");'),
    "ex1": cfgcases.rc('hf_value_exists("Supported", "Timer");'),
    "ex2": cfgcases.rc('hf_value_exists("X-A", "c");'),
    "ex3": cfgcases.rc('hf_value_exists("X-Q", "c");'),
    "ex4": cfgcases.rc('hf_value_exists("k", "timer");'),
    "multi": cfgcases.rc('append_hf_value("X-A", "x1"); append_hf_value("X-A", "x2"); insert_hf_value("X-A", "y1");'
                 ' remove_hf_value("X-A[2]");'),
    "it1": 'hf_iterator_start("i"); while(hf_iterator_next("i")) { xnotice("@@[$hfitname(i)]=[$hfitbody(i)]\\n"); }'
           ' hf_iterator_end("i");',
    "it2": 'hf_iterator_start("i"); hf_iterator_next("i"); hf_iterator_next("i"); xnotice("@@a $rc $hfitname(i)\\n");'
           ' hf_iterator_prev("i"); xnotice("@@p $rc $hfitname(i)\\n"); hf_iterator_prev("i");'
           ' xnotice("@@p2 $rc [$hfitname(i)]\\n"); hf_iterator_end("i"); xnotice("@@e [$hfitname(i)]\\n");',
    "it3": 'hf_iterator_start("i"); while(hf_iterator_next("i")) { if($hfitname(i)=="X-A") { hf_iterator_rm("i");'
           ' xnotice("@@rm $rc\\n"); } if($hfitname(i)=="X-P") { hf_iterator_append("i", "X-N: after\\r\\n");'
           ' hf_iterator_insert("i", "X-M: before\\r\\n"); xnotice("@@ai $rc\\n");} } hf_iterator_end("i");',
    "it4": 'xnotice("@@none [$hfitname(zz)] [$hfitbody(zz)]\\n"); hf_iterator_next("zz"); xnotice("@@n $rc\\n");',
    "it5": 'hf_iterator_start("i"); xnotice("@@s [$hfitname(i)]\\n"); hf_iterator_rm("i"); xnotice("@@rm $rc\\n");',
    "bl1": 'bl_iterator_start("b"); while(bl_iterator_next("b")) { xnotice("@@[$(blitval(b){s.len})]\\n"); }'
           ' bl_iterator_end("b"); xnotice("@@done\\n");',
    "bl2": 'bl_iterator_start("b"); while(bl_iterator_next("b")) { if($blitval(b)=~"line2") { bl_iterator_rm("b"); }'
           ' if($blitval(b)=~"abc") { bl_iterator_append("b", "after\\r\\n"); bl_iterator_insert("b", "before\\r\\n"); } }'
           ' bl_iterator_end("b");',
    "bl3": cfgcases.rc('bl_iterator_start("b"); bl_iterator_next("b"); bl_iterator_append("b", "X\\r\\n");'),
    "set1": 'msg_set_buffer("OPTIONS sip:x@127.0.0.9 SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-2'
            '\\r\\nFrom: <sip:a@b>;tag=1\\r\\nTo: <sip:x@y>\\r\\nCall-ID: zz\\r\\nCSeq: 2 OPTIONS\\r\\nX-Case: set1'
            '\\r\\nContent-Length: 0\\r\\n\\r\\n"); xnotice("@@$rc $rm $ru $ci\\n");',
    "apply": 'append_hf_value("X-A", "z"); remove_hf_value("X-A[1]"); msg_apply_changes();'
             ' xnotice("@@$rc [$hdr(X-A)] $hdrc(X-A)\\n");',
    "fn": 'if (fnmatch("$rm", "INV*")) xnotice("@@y\\n"); if (fnmatch("$rm", "inv*", "i")) xnotice("@@yi\\n");',
}

REPLY = """SIP/2.0 603 Decline
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-k
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1
From: <sip:alice@127.0.0.2>;tag=ft
To: <sip:bob@127.0.0.1>;tag=tt
Call-ID: c1@x
CSeq: 1 INVITE
Content-Length: 0

"""
REPLY_FIXTURE = os.path.join(cfgcases.HERE, "textopsx_reply_expected.json")
REPLY_CASES = {
    "crs1": cfgcases.rc('change_reply_status(404, "Not Here");'),
    "crs2": cfgcases.rc('change_reply_status(200, "OK");'),
    "crs3": cfgcases.rc('change_reply_status(99, "x");'),
    "crs4": cfgcases.rc('$var(c) = 486; change_reply_status("$var(c)", "Busy $rs");'),
    "crsc": cfgcases.rc('change_reply_status_code("480");'),
    "crsc2": cfgcases.rc('change_reply_status_code(180);'),
    "rapply": cfgcases.rc('append_hf("X-R: 1\\r\\n"); msg_apply_changes();') + ' xnotice("@@$hdr(X-R)\\n");',
}


def regenerate():
    cfgcases.record(CASES, MSG, FIXTURE)
    cfgcases.record(REPLY_CASES, REPLY, REPLY_FIXTURE, reply=True)


@pytest.fixture(scope="module")
def ours():
    return cfgcases.dryrun(CASES, MSG)


@pytest.fixture(scope="module")
def ours_reply():
    return cfgcases.dryrun(REPLY_CASES, REPLY, reply=True)


@pytest.mark.parametrize("name", list(CASES))
def test_request_case_as_kamailio(name, ours):
    want = cfgcases.load(FIXTURE)[name]
    got = ours[name]
    cfgcases.check(want, got)


@pytest.mark.parametrize("name", list(REPLY_CASES))
def test_reply_case_as_kamailio(name, ours_reply):
    want = cfgcases.load(REPLY_FIXTURE)[name]
    got = ours_reply[name]
    cfgcases.check(want, got)


def test_hname_fixup_rules_refuse_at_compile_time(tmp_path):
    from cfgvm.drivers.dryrun import load_program
    from cfgvm.diagnostics import CfgError
    for bad in ('append_hf_value("X-A[*]", "v");', 'include_hf_value("X-A[1]", "v");',
                'assign_hf_value("X-A[*]", "v");', 'insert_hf_value("X-A.p", "v");',
                'remove_hf_value("X-A[-11]");', 'remove_hf_value("X A");'):
        p = tmp_path / "bad.cfg"
        p.write_text(cfgcases.build_cfg({"b": bad}), encoding="latin-1")
        with pytest.raises(CfgError, match=r"\[fixup\]"):
            load_program(str(p))
