"""The seed's topology (UAC, P1, P2, UAS in four namespaces, pyroute2) with real Kamailio, then
`cfgvm run`, as P1 and P2 (the same assertions for both: they encode Kamailio's behaviour): the in-dialog BYE crosses both record-routing proxies, and with P1 bridging IPv4 to IPv6 each
proxy puts two Record-Routes (its in and out interfaces, r2=on), P1's one IPv4 and one IPv6."""
import pytest

from net import harness
from net.topology import BRIDGE, PLAIN, Topology, record_routes, run_call, via_count

pytestmark = [pytest.mark.oracle]


@pytest.fixture(scope="module", params=["kamailio", "cfgvm"])
def proxy(request):
    why = harness.live_reason(harness.KAMAILIO)
    if why:
        pytest.skip(why)
    if request.param == "kamailio":
        return harness.KAMAILIO
    cfgvm = harness.cfgvm_proxy()
    why = harness.cfgvm_run_reason(cfgvm)
    if why:
        pytest.skip(why)
    return cfgvm


def _call(links, proxy):
    topo = Topology(links)
    with topo:
        result = run_call(topo, proxy)
    assert not topo.exists(), "namespaces left behind"
    assert result.ok, result.report()
    return result


def _check_bye_through_both(result):
    uas = result.transcript.messages("uas")
    assert [m.first_line.split()[0] for m in uas] == ["INVITE", "ACK", "BYE"]
    bye = uas[-1]
    assert via_count(bye) == 3                      # P2, P1, the UAC
    assert not [n for n, _ in bye.headers if n.lower() == "route"]
    final = [m for m in result.transcript.messages("uac") if m.first_line.startswith("SIP/2.0 200")]
    assert [m.first_line for m in final] == ["SIP/2.0 200 OK", "SIP/2.0 200 OK"]   # INVITE, BYE
    return record_routes(final[0])


def test_bye_passes_through_both_proxies(proxy):
    rrs = _check_bye_through_both(_call(PLAIN, proxy))
    # two Record-Routes per proxy: each relays from one interface to another (r2=on)
    assert [r.split(";")[0] for r in rrs] == ["<sip:10.0.3.1", "<sip:10.0.2.2", "<sip:10.0.2.1", "<sip:10.0.1.1"]
    assert all(";r2=on;lr;" in r for r in rrs)


def test_p1_bridges_ipv4_to_ipv6_with_two_record_routes(proxy):
    result = _call(BRIDGE, proxy)
    rrs = _check_bye_through_both(result)
    assert [r.split(";")[0] for r in rrs] == ["<sip:[fd00:3::1]", "<sip:[fd00:2::2]", "<sip:[fd00:2::1]", "<sip:10.0.1.1"]
    assert all(";r2=on;lr;" in r for r in rrs)
    bye = result.transcript.messages("uas")[-1]
    assert bye.first_line == "BYE sip:uas@[fd00:3::2]:5080;transport=UDP SIP/2.0"
    vias = [v for n, v in bye.headers if n == "Via"]
    assert [v.split(";")[0] for v in vias] == ["SIP/2.0/UDP [fd00:3::1]", "SIP/2.0/UDP [fd00:2::1]",
                                                "SIP/2.0/UDP 10.0.1.2:5070"]
