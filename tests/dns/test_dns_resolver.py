"""cfgvm.dns against a DNS server the test starts on 127.0.0.1 (tests/dns/dns_server.py).

Expected orders come from RFC 3263 (NAPTR -> SRV -> A/AAAA, port and transport rules), RFC 2782
(priority, then weight) and Kamailio 5.6's documented core params (dns_try_naptr,
dns_naptr_ignore_rfc, dns_*_pref, use_dns_failover, dns_srv_lb, dns_cache_*)."""
import random

import pytest

from cfgvm.dns import DnsConfig, DnsError, Resolver, srv_lb_order
from tests.dns.dns_server import DnsServer

ZONE = """
_sip._udp.multi   30 IN SRV 10 60 5070 a.multi
_sip._udp.multi   30 IN SRV 10 40 5071 b.multi
_sip._udp.multi   30 IN SRV  5  0 5072 c.multi
_sip._udp.multi   30 IN SRV 20 10 5073 dead.multi
a.multi           30 IN A    127.0.0.1
a.multi           30 IN AAAA ::1
b.multi           30 IN A    127.0.0.2
c.multi           30 IN A    127.0.0.3
_sip._tcp.tcponly 30 IN SRV  0  0 5090 t.tcponly
t.tcponly         30 IN A    127.0.0.20
tcponly           30 IN A    127.0.0.21
_sip._tcp.both    30 IN SRV  0  0 5080 tcp.both
_sip._udp.both    30 IN SRV  0  0 5081 udp.both
_sips._tcp.both   30 IN SRV  0  0 5082 tls.both
tcp.both          30 IN A    127.0.0.30
udp.both          30 IN A    127.0.0.31
tls.both          30 IN A    127.0.0.32
both              30 IN A    127.0.0.33
naptr             30 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.naptr
naptr             30 IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp.naptr
naptr             30 IN NAPTR  5 50 "u" "E2U+sip" "!^.*$!sip:x@y!" .
_sip._tcp.naptr   30 IN SRV  0  0 5100 n1.naptr
_sip._udp.naptr   30 IN SRV  0  0 5101 n2.naptr
n1.naptr          30 IN A    127.0.0.40
n2.naptr          30 IN A    127.0.0.41
alias             30 IN CNAME real
real              30 IN A    127.0.0.9
short              2 IN A    127.0.0.50
v6                30 IN AAAA ::2
dual              30 IN A    127.0.0.60
dual              30 IN AAAA ::3
"""


@pytest.fixture(scope="module")
def server():
    with DnsServer(ZONE) as s:
        yield s


def res(server, **kw):
    return Resolver(DnsConfig(**kw), nameservers=server.address)


# ---- RFC 3263 target selection -----------------------------------------------------------------
def test_srv_priority_then_weight_in_failover_order(server):
    # RFC 2782: lowest priority first; Kamailio keeps equal priorities heaviest first without dns_srv_lb;
    # a target without addresses (dead.multi) is skipped; each target's A then AAAA
    r = res(server, use_failover=True)
    assert r.resolve_sip_destinations("sip:bob@multi.test", now=0) == [
        ("udp", "127.0.0.3", 5072), ("udp", "127.0.0.1", 5070), ("udp", "::1", 5070),
        ("udp", "127.0.0.2", 5071)]


def test_without_failover_one_destination(server):
    assert res(server).resolve_sip_destinations("sip:bob@multi.test", now=0) == [("udp", "127.0.0.3", 5072)]


def test_explicit_port_skips_srv(server):
    # RFC 3263 4.2: a port in the URI means A/AAAA of the host on that port
    before = server.asked("_sip._udp.both.test", "SRV")
    assert res(server).resolve_sip_destinations("sip:both.test:5099", now=0) == [("udp", "127.0.0.33", 5099)]
    assert server.asked("_sip._udp.both.test", "SRV") == before


def test_ip_host_is_not_resolved(server):
    n = len(server.queries)
    r = res(server)
    assert r.resolve_sip_destinations("sip:10.0.0.1", now=0) == [("udp", "10.0.0.1", 5060)]
    assert r.resolve_sip_destinations("sip:[2001:db8::1]:5070;transport=tcp", now=0) == [
        ("tcp", "2001:db8::1", 5070)]
    assert r.resolve_sip_destinations("sips:10.0.0.1", now=0) == [("tls", "10.0.0.1", 5061)]
    assert len(server.queries) == n


def test_transport_param_and_sips_pick_the_srv_service(server):
    r = res(server)
    assert r.resolve_sip_destinations("sip:both.test;transport=tcp", now=0) == [("tcp", "127.0.0.30", 5080)]
    assert r.resolve_sip_destinations("sip:both.test", now=0) == [("udp", "127.0.0.31", 5081)]
    assert r.resolve_sip_destinations("sip:both.test", proto="udp", now=0) == [("udp", "127.0.0.31", 5081)]
    assert r.resolve_sip_destinations("sips:both.test", now=0) == [("tls", "127.0.0.32", 5082)]
    with pytest.raises(DnsError):
        r.resolve_sip_destinations("sips:both.test;transport=udp", now=0)


def test_maddr(server):
    # RFC 3263 4: maddr replaces the host; Kamailio 5.6.3 (built without HONOR_MADDR) ignores it
    uri = "sip:x@real.test;maddr=both.test"
    assert res(server).resolve_sip_destinations(uri, now=0, honor_maddr=True) == [("udp", "127.0.0.31", 5081)]
    assert res(server).resolve_sip_destinations(uri, now=0) == [("udp", "127.0.0.9", 5060)]


def test_no_srv_falls_back_to_a_on_default_port(server):
    # no transport, no failover: Kamailio only asks _sip._udp, then A on 5060
    assert res(server).resolve_sip_destinations("sip:tcponly.test", now=0) == [("udp", "127.0.0.21", 5060)]
    # while iterating for failover every supported transport's SRV is asked, by dns_*_pref
    assert res(server, use_failover=True).resolve_sip_destinations("sip:tcponly.test", now=0) == [
        ("tcp", "127.0.0.20", 5090)]


def test_transport_preferences_order_the_srv_services(server):
    r = res(server, use_failover=True, prefs={"udp": 10, "tcp": 30, "tls": 5, "sctp": -1})
    assert r.resolve_sip_destinations("sip:both.test", now=0)[0] == ("tcp", "127.0.0.30", 5080)
    r = res(server, use_failover=True, prefs={"udp": -1, "tcp": 30, "tls": 5, "sctp": -1})
    assert [d[0] for d in r.resolve_sip_destinations("sip:both.test", now=0)] == ["tcp"]


def test_naptr_transport_preference_over_order_by_default(server):
    # dns_naptr_ignore_rfc=1 (Kamailio's default): the local transport preference decides (udp 30 > tcp 20)
    r = res(server, try_naptr=True)
    assert r.resolve_sip_destinations("sip:naptr.test", now=0) == [("udp", "127.0.0.41", 5101)]


def test_naptr_order_field_per_rfc_3263(server):
    # RFC 3263 4.1 / RFC 3403: the lowest order first; the non-SIP, non-terminal record is ignored
    r = res(server, try_naptr=True, naptr_ignore_rfc=False, use_failover=True)
    assert r.resolve_sip_destinations("sip:naptr.test", now=0) == [
        ("tcp", "127.0.0.40", 5100), ("udp", "127.0.0.41", 5101)]


def test_naptr_is_only_asked_without_port_and_transport(server):
    r = res(server, try_naptr=True)
    before = server.asked("naptr.test", "NAPTR")
    assert r.resolve_sip_destinations("sip:naptr.test;transport=tcp", now=0) == [("tcp", "127.0.0.40", 5100)]
    assert server.asked("naptr.test", "NAPTR") == before


def test_cname_is_followed(server):
    assert res(server).resolve_host("alias.test", now=0) == ["127.0.0.9"]


def test_ipv6_choices(server):
    assert res(server).resolve_host("dual.test", now=0) == ["127.0.0.60", "::3"]
    assert res(server, try_ipv6=False).resolve_host("dual.test", now=0) == ["127.0.0.60"]
    assert res(server, try_ipv6=False).resolve_host("v6.test", now=0) == []
    assert res(server, cache_flags=4).resolve_host("dual.test", now=0) == ["::3", "127.0.0.60"]
    assert res(server, cache_flags=2).resolve_host("dual.test", now=0) == ["::3"]
    assert res(server).resolve_host("dual.test", "ipv4", now=0) == ["127.0.0.60"]
    assert res(server).resolve_sip_destinations("v6.test:5062", now=0) == [("udp", "::2", 5062)]


def test_unknown_name_raises(server):
    with pytest.raises(DnsError, match="nope.test"):
        res(server).resolve_sip_destinations("sip:nope.test", now=0)


# ---- the cache on the injected clock ----------------------------------------------------------
def test_ttl_expiry():
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(), nameservers=s.address)
        assert r.resolve_host("short.test", now=100.0) == ["127.0.0.50"]
        assert r.resolve_host("short.test", now=101.9) == ["127.0.0.50"]
        assert s.asked("short.test", "A") == 1                      # served by the cache
        assert r.resolve_host("short.test", now=102.0) == ["127.0.0.50"]
        assert s.asked("short.test", "A") == 2                      # TTL 2 s ran out


def test_min_and_max_ttl_clamp():
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(min_ttl=10), nameservers=s.address)
        r.resolve_host("short.test", now=0)
        r.resolve_host("short.test", now=9)
        assert s.asked("short.test", "A") == 1
        r = Resolver(DnsConfig(max_ttl=1), nameservers=s.address)
        r.resolve_host("real.test", now=0)
        r.resolve_host("real.test", now=1)
        assert s.asked("real.test", "A") == 2


def test_negative_caching():
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(negative_ttl=5), nameservers=s.address)
        for t in (0, 4.9):
            assert r.resolve_host("nope.test", "ipv4", now=t) == []
        assert s.asked("nope.test", "A") == 1
        r.resolve_host("nope.test", "ipv4", now=5)
        assert s.asked("nope.test", "A") == 2
        r = Resolver(DnsConfig(negative_ttl=0), nameservers=s.address)   # 0: not cached
        r.resolve_host("nope.test", "ipv4", now=0)
        r.resolve_host("nope.test", "ipv4", now=0)
        assert s.asked("nope.test", "A") == 4


def test_srv_additional_records_are_cached():
    with DnsServer(ZONE, srv_additional=True) as s:
        r = Resolver(DnsConfig(try_ipv6=False), nameservers=s.address)
        assert r.resolve_sip_destinations("sip:both.test", now=0) == [("udp", "127.0.0.31", 5081)]
        assert s.asked("udp.both.test", "A") == 0


def test_gc_interval_drops_expired_entries():
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(gc_interval=10), nameservers=s.address)
        r.resolve_host("short.test", "ipv4", now=0)
        assert ("short.test", "A") in r.cache.entries
        r.resolve_host("real.test", "ipv4", now=10)                   # the gc runs on the way
        assert ("short.test", "A") not in r.cache.entries


def test_uncached_resolution_asks_every_time():
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(use_cache=False), nameservers=s.address, hosts="/nonexistent")
        r.resolve_host("real.test", now=0)
        r.resolve_host("real.test", now=0)
        assert s.asked("real.test", "A") == 2


# ---- /etc/hosts -------------------------------------------------------------------------------
def test_hosts_file_without_cache(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("# comment\n127.0.0.77  pbx.local pbx  # trailing\n::7 pbx6.local\n10.1.1.1 REAL.test\n")
    with DnsServer(ZONE) as s:
        r = Resolver(DnsConfig(use_cache=False), nameservers=s.address, hosts=str(hosts))
        assert r.resolve_sip_destinations("sip:pbx.local", now=0) == [("udp", "127.0.0.77", 5060)]
        assert r.resolve_host("PBX", now=0) == ["127.0.0.77"]
        assert r.resolve_host("pbx6.local", now=0) == ["::7"]
        assert r.resolve_host("real.test", now=0) == ["10.1.1.1"]      # the file comes before DNS
        assert s.asked("real.test", "A") == 0
        assert r.reverse("127.0.0.77") == "pbx.local"
        # with the cache Kamailio asks the servers only (res_search), as cfgvm does
        r = Resolver(DnsConfig(), nameservers=s.address, hosts=str(hosts))
        assert r.resolve_host("pbx.local", now=0) == []
        assert r.resolve_host("real.test", now=0) == ["127.0.0.9"]


# ---- RFC 2782 weights with dns_srv_lb ---------------------------------------------------------
def test_srv_weight_distribution_seeded():
    rrs = [(10, 60, 1, "a"), (10, 30, 2, "b"), (10, 10, 3, "c"), (20, 0, 4, "d")]
    rng = random.Random(3263)
    first = {"a": 0, "b": 0, "c": 0}
    draws = 4000
    for _ in range(draws):
        order = srv_lb_order(rrs, rng)
        assert order[-1] == (20, 0, 4, "d")                 # the higher priority value always last
        assert sorted(order) == sorted(rrs)
        first[order[0][3]] += 1
    for name, weight in (("a", 60), ("b", 30), ("c", 10)):   # RFC 2782: chance = weight / sum
        assert abs(first[name] / draws - weight / 100) < 0.03, first


def test_zero_weight_records_come_last_almost_always():
    rng = random.Random(7)
    rrs = [(0, 0, 1, "zero"), (0, 5, 2, "five")]
    firsts = sum(srv_lb_order(rrs, rng)[0][3] == "zero" for _ in range(2000))
    assert firsts < 20        # 1/(1001*5) per draw in Kamailio's rule; RFC 2782 allows it rarely
    assert srv_lb_order([(0, 0, 1, "x"), (0, 0, 2, "y")], rng) == [(0, 0, 1, "x"), (0, 0, 2, "y")]


def test_srv_lb_through_the_resolver(server):
    counts = {}
    r = res(server, use_failover=True, srv_lb=True)
    r.rng = random.Random(11)
    for _ in range(200):
        d = r.resolve_sip_destinations("sip:multi.test", now=0)
        assert d[0] == ("udp", "127.0.0.3", 5072)              # priority 5 stays first
        counts[d[1][1]] = counts.get(d[1][1], 0) + 1
    assert 0.45 < counts["127.0.0.1"] / 200 < 0.75 and counts["127.0.0.2"] + counts["127.0.0.1"] == 200


# ---- configuration from core params -----------------------------------------------------------
def test_config_from_params():
    c = DnsConfig.from_params({"use_dns_cache": 0, "use_dns_failover": 1, "dns_try_ipv6": 1,
                               "dns_udp_pref": -1, "disable_tcp": 1})
    assert not c.use_failover and not c.use_cache
    assert c.srv_protos() == []
    c = DnsConfig.from_params({"dns_cache_init": 0, "use_dns_failover": 1})
    assert not c.use_cache and not c.use_failover
    c = DnsConfig.from_params({}, has_ipv6_socket=False)
    assert c.flags & 1
    c = DnsConfig.from_params({"dns_cache_flags": 5})
    assert c.flags == 1                  # IPv4-only clears prefer-IPv6
    assert DnsConfig().srv_protos() == ["udp", "tcp"]
