"""Oracle side of the differential suite: every scenario x cfg pair passes on real Kamailio 5.6.3,
and two runs of Kamailio give identical normalised transcripts (the normaliser's stability check:
it leaves no run-to-run noise, and since Kamailio behaves the same both times, it hides nothing
that a second implementation could get wrong without the diff showing it)."""
import pytest

from net import harness
from net.pairs import PAIRS

pytestmark = [pytest.mark.oracle, pytest.mark.slow]
JOBS = 4      # pairs run in parallel, each in its own namespace


@pytest.fixture(scope="module")
def twice():
    why = harness.live_reason(harness.KAMAILIO)
    if why:
        pytest.skip(why)
    pairs = list(PAIRS.values())
    return harness.run_pairs(pairs, harness.KAMAILIO, JOBS), harness.run_pairs(pairs, harness.KAMAILIO, JOBS)


def test_at_least_25_pairs_udp_and_tcp():
    assert len(PAIRS) >= 25
    transports = {a.transport for p in PAIRS.values() for a in p.agents}
    assert transports == {"udp", "tcp"}


@pytest.mark.parametrize("name", list(PAIRS))
def test_pair_passes_on_kamailio(twice, name):
    first, second = twice
    for run in (first[name], second[name]):
        assert run.ok, run.report()


@pytest.mark.parametrize("name", list(PAIRS))
def test_transcript_stable_across_runs(twice, name):
    first, second = twice
    diff = harness.compare(first[name], second[name])
    assert diff == "", diff


def test_differential_sees_a_real_difference(twice):
    """Same scenario through a stateful and a stateless relay: the diff must show tm's 100 Trying
    and the different Via branch handling, so a normalised transcript does not hide behaviour."""
    first, _ = twice
    diff = harness.compare(first["invite_stateful"], first["invite_stateless"])
    assert "SIP/2.0 100 trying -- your call is important to us" in diff
