"""siputils through cfgvm's dry-run vs real Kamailio 5.6.3 (fixture siputils_expected.json, recorded by
`python tests/modules/cfgcases.py siputils_oracle`)."""
import os

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "siputils_expected.json")

MSG = """INVITE sip:bob@127.0.0.1;transport=udp;nat=yes;lr;x=Y SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1
Max-Forwards: 70
From: <sip:alice@127.0.0.2>;tag=ft
To: <sip:bob@127.0.0.1>
Call-ID: c1@x
CSeq: 1 INVITE
Supported: path, Timer
Supported: foo
Contact: "A" <sip:alice:pw@10.0.0.5:5080;transport=tcp;ob>;expires=60, <sip:b@10.0.0.6>
P-Charging-Vector: icid-value=1234bc9876e;icid-generated-at=192.0.6.8;orig-ioi=home1.net;term-ioi=h2.net
Date: Sat, 13 Nov 2010 23:29:00 GMT
Content-Length: 0

"""


CASES = {
    "upa1": cfgcases.rc('uri_param_any("nat");'),
    "upa2": cfgcases.rc('uri_param_any("LR");'),
    "upa3": cfgcases.rc('uri_param_any("no");'),
    "up1": cfgcases.rc('uri_param("lr");'),
    "up2": cfgcases.rc('uri_param("x", "Y");'),
    "gup1": 'get_uri_param("nat", "$var(n)"); xnotice("@@$rc [$var(n)]\\n");',
    "gup2": '$var(n) = "keep"; get_uri_param("lr", "$var(n)"); xnotice("@@$rc [$var(n)]\\n");',
    "gup3": '$var(n) = "keep"; get_uri_param("zz", "$var(n)"); xnotice("@@$rc [$var(n)]\\n");',
    "rm1": cfgcases.rc('uri_param_rm("nat");') + ' xnotice("@@$ru\\n");',
    "rm2": cfgcases.rc('uri_param_rm("zz");') + ' xnotice("@@$ru\\n");',
    "rm3": cfgcases.rc('uri_param_rm("x");') + ' xnotice("@@$ru\\n");',
    "t2s1": '$var(u) = "tel:+(34)-999-888-777"; tel2sip("$var(u)", "foo.com", "$var(r)"); xnotice("@@$rc $var(r)\\n");',
    "t2s2": '$var(u) = "tel:+12-(34)-56-78;Ext=200;ISUB=+123-456"; tel2sip("$var(u)", "$fd", "$var(r)");'
            ' xnotice("@@$rc $var(r)\\n");',
    "t2s3": '$var(r) = "x"; tel2sip("$ru", "foo.com", "$var(r)"); xnotice("@@$rc $var(r)\\n");',
    "suu": '$var(u) = "sip:user@host:5060;p=1"; $var(nu) = "nu"; set_uri_user("$var(u)", "$var(nu)"); xnotice("@@$rc $var(u)\\n");',
    "suh": '$var(u) = "sip:user@host:5060;p=1"; $var(nh) = "nh.org"; set_uri_host("$var(u)", "$var(nh)"); xnotice("@@$rc $var(u)\\n");',
    "sup1": cfgcases.rc('is_supported("path");'),
    "sup2": cfgcases.rc('is_supported("timer");'),
    "sup4": cfgcases.rc('is_supported("gruu");'),
    "enc": cfgcases.rc('encode_contact("pfx", "1.2.3.4");'),
    "dec": '$ru = "sip:pfx*alice*pw*10.0.0.5*5080*tcp@1.2.3.4"; decode_contact(); xnotice("@@$rc $ru\\n");',
    "dec2": '$ru = "sip:pfx*bob**10.0.0.6**@1.2.3.4"; decode_contact(); xnotice("@@$rc $ru\\n");',
    "cpe": cfgcases.rc('contact_param_encode("ksu", "sip:1.2.3.4:5060;transport=tcp");'),
    "cprm": cfgcases.rc('contact_param_rm("ob");'),
    "cpdr": '$ru = "sip:1.2.3.4;ksu=c2lwOmJvYkAxMC4wLjAuOTo1MDcw"; contact_param_decode_ruri("ksu"); xnotice("@@$rc $ru\\n");',
    "pcv": 'xnotice("@@[$pcv(all)] [$pcv(value)] [$pcv(genaddr)] [$pcv(orig)] [$pcv(term)]\\n");',
    "rpid0": cfgcases.rc('append_rpid_hf();'),
    "rpid1": '$avp(s:rpid) = "sip:+4930123@h.org"; append_rpid_hf(); xnotice("@@$rc\\n");'
             ' if (is_rpid_user_e164()) xnotice("@@e164\\n");',
    "rpid2": '$avp(s:rpid) = "sip:bob@h.org"; append_rpid_hf("P ", ";x=1"); xnotice("@@$rc\\n");'
             ' if (is_rpid_user_e164()) xnotice("@@e164\\n");',
    "date1": cfgcases.rc('hdr_date_check("10");'),
    "cmp": 'if (cmp_uri("sip:a@H.org;transport=udp", "sip:a@h.org:5060;TRANSPORT=UDP")) xnotice("@@u\\n");'
           ' if (cmp_aor("sip:a@h.org;x=1", "sip:a@H.org")) xnotice("@@a\\n");',
    "isx": 'if (is_numeric("123")) xnotice("@@n\\n"); if (is_alphanumex("a+b", "+")) xnotice("@@x\\n");'
           ' if (is_tel_number("+49")) xnotice("@@t\\n"); if (is_uri("sip:x@y")) xnotice("@@u\\n");',
}

OPTIONS = """OPTIONS sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-o
From: <sip:alice@127.0.0.2>;tag=ft
To: <sip:127.0.0.1>
Call-ID: o1@x
CSeq: 1 OPTIONS
Content-Length: 0

"""
OPT_FIXTURE = os.path.join(cfgcases.HERE, "siputils_options_expected.json")
OPT_EXTRA = 'modparam("siputils", "options_accept", "application/sdp")\nmodparam("siputils", "options_support", "path")'
OPT_CASES = {"opt": 'options_reply(); xnotice("@@$rc\\n"); xnotice("@@END\\n"); exit;'}


def regenerate():
    cfgcases.record(CASES, MSG, FIXTURE)
    cfgcases.record(OPT_CASES, OPTIONS, OPT_FIXTURE, extra=OPT_EXTRA)


@pytest.fixture(scope="module")
def ours():
    return cfgcases.dryrun(CASES, MSG)


@pytest.mark.parametrize("name", list(CASES))
def test_case_as_kamailio(name, ours):
    want = cfgcases.load(FIXTURE)[name]
    got = ours[name]
    cfgcases.check(want, got)


def test_options_reply_as_kamailio():
    want = cfgcases.load(OPT_FIXTURE)["opt"]
    got = cfgcases.dryrun(OPT_CASES, OPTIONS, extra=OPT_EXTRA)["opt"]
    cfgcases.check(want, got)
