"""Our core's verdict under probe.cfg (force_rport; sanity_check(); 200 "Probe OK") equals real
Kamailio 5.6.3's, recorded by tests/sip/regen_verdicts.sh with ../shared/tools/msg-oracle."""
import pytest

from cfgvm.sip.probe import verdict
from .conftest import CORPUS, FIXTURES


def _rows(name):
    path = FIXTURES / name
    if not path.is_file():
        return []
    return [tuple(line.rstrip("\n").split("\t")) for line in path.read_text().splitlines() if line]


RFC = _rows("kamailio_verdicts.tsv")
MORE = _rows("kamailio_verdicts_more.tsv")


def test_fixture_covers_rfc4475_and_rfc5118():
    names = {r[0] for r in RFC}
    assert len(names) == 46
    assert "rfc4475/archive-extra/test.dat" in names


@pytest.mark.parametrize("rel,expected", RFC, ids=[r[0] for r in RFC])
def test_verdict_rfc(rel, expected):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} not available")
    assert verdict(path.read_bytes()) == expected


@pytest.mark.parametrize("rel,expected", MORE, ids=[r[0] for r in MORE])
def test_verdict_other_corpora(rel, expected):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} not available")
    assert verdict(path.read_bytes()) == expected
