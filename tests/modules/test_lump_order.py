"""Header and body edits serialised in Kamailio 5.6.3's order (fixture lump_order_expected.json,
recorded by `python tests/modules/cfgcases.py lump_order`): insert_hf/append_hf call order,
remove_hf + insert_hf in place, and set_body keeping an unchanged Content-Type where it was."""
import os

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "lump_order_expected.json")
MSG = """INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: Bob <sip:bob@example.com>
From: Alice <sip:alice@example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Content-Type: text/plain
Content-Length: 5

hello"""
CASES = {
    "ins2": 'insert_hf("X-1: a\\r\\n", "Call-ID"); insert_hf("X-2: b\\r\\n", "Call-ID");',
    "app2": 'append_hf("X-1: a\\r\\n"); append_hf("X-2: b\\r\\n");',
    "rm_ins": 'remove_hf("To"); insert_hf("To: <sip:carol@example.com>\\r\\n", "To");',
    "bodyrep": 'set_body("goodbye!", "text/plain");',         # same type: header stays in place
    "bodyrep2": 'set_body("goodbye!", "application/x-y");',   # new type: removed, appended at the end
}


def regenerate():
    cfgcases.record(CASES, MSG, FIXTURE)


@pytest.mark.parametrize("name", list(CASES))
def test_edits_serialised_as_kamailio(name):
    cfgcases.check(cfgcases.load(FIXTURE)[name], cfgcases.dryrun(CASES, MSG)[name])
