"""The differential suite: each scenario x cfg pair on real Kamailio, then on `cfgvm run` with the
same cfg on the same loopback addresses; normalised transcripts must be identical."""
import pytest

from net import harness
from net.pairs import PAIRS

pytestmark = [pytest.mark.oracle, pytest.mark.slow]


@pytest.fixture(scope="module")
def cfgvm():
    proxy, why = harness.differential_proxy()
    if why:
        pytest.skip(why)
    return proxy


@pytest.mark.parametrize("name", list(PAIRS))
def test_same_as_kamailio(cfgvm, name):
    diff = harness.differential(PAIRS[name], harness.KAMAILIO, cfgvm)
    assert diff == "", diff
