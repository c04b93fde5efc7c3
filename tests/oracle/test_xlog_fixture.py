"""The xlog fixture is exactly what real Kamailio 5.6.3 logs (so it can never drift from the judge).

Runs xlog_cases/xlog.cfg on xlog_cases/invite.sip in a fresh network namespace and compares every
logged case value with expected.tsv. Regenerate with tests/oracle/regen_xlog.py after editing the cfg.
"""
import collections

import pytest

from oracle.kamailio import kamailio_available
from oracle.xlog_cases import load_cases, load_expected

pytestmark = pytest.mark.oracle


def test_fixture_is_big_and_well_formed():
    cases = load_cases()
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(cases) >= 300
    expected = load_expected()
    assert set(expected) <= set(ids)
    assert len(expected) >= 300
    # every category is represented by a fair number of cases
    cats = collections.Counter(c.category for c in cases)
    assert {"pv-ruri", "pv-headers", "tr-string", "tr-uri", "select", "operators", "var-avp"} <= set(cats)


def test_fixture_matches_real_kamailio():
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    from oracle.regen_xlog import run_oracle
    got, run = run_oracle()
    expected = load_expected()
    diff = {cid: (expected.get(cid), got.get(cid)) for cid in set(got) | set(expected)
            if expected.get(cid) != got.get(cid)}
    assert diff == {}, f"{len(diff)} cases differ (expected, kamailio): {dict(list(sorted(diff.items()))[:10])}"
    assert len(run.replies) == 1 and run.replies[0].startswith(b"SIP/2.0 200 Oracle Done\r\n")
