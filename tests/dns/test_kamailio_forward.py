"""cfgvm.dns picks the destinations real Kamailio 5.6.3's forward() picked (tests/dns/oracle_dns.py,
recorded in kamailio_forward.json): SRV priority then weight, A fallback on 5060 when only another
transport has SRV, CNAME, an explicit port; the hosts file only with use_dns_cache=off."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from cfgvm.dns import DnsConfig, DnsError, Resolver
from tests.dns.dns_server import DnsServer
from tests.dns.oracle_dns import HOSTS, RURIS, ZONE

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDED = json.load(open(os.path.join(HERE, "kamailio_forward.json")))


@pytest.mark.parametrize("mode", ["cache_on", "cache_off"])
def test_same_destinations_as_kamailio(mode, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text(HOSTS)
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig.from_params({"use_dns_cache": int(mode == "cache_on")}, has_ipv6_socket=False),
                     nameservers=s.address, hosts=str(hosts))
        for ruri in RURIS:
            try:
                got = list(r.resolve_sip_destinations(ruri, now=0)[0])
            except DnsError:
                got = None
            assert got == RECORDED[mode][ruri], ruri


@pytest.mark.oracle
@pytest.mark.slow
def test_recording_still_matches_kamailio():
    if not shutil.which("kamailio") or not shutil.which("ip") or os.geteuid() != 0:
        pytest.skip("needs kamailio, iproute2 and root (network namespace)")
    out = subprocess.run([sys.executable, os.path.join(HERE, "oracle_dns.py")], capture_output=True,
                         text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == RECORDED
