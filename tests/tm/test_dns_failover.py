"""tm with a host name as next hop: RFC 3263 through cfgvm.dns (a DNS server on 127.0.0.1), and DNS
failover as Kamailio's tm does it (t_reply.c reply_received / timer.c final_response_handler /
t_fwd.c add_uac_dns_fallback): with use_dns_failover on, a 503 or a timeout without any reply on a
branch sends the request to the next SRV target as a new branch (branch index +1); the 503 is kept
for the best-reply selection instead of being relayed while the new branch is pending."""
from cfgvm.dns import DnsConfig, Resolver
from cfgvm.sip import Message
from tests.dns.dns_server import DnsServer

from .helpers import HEAD, INVITE, UAS, Flow, first_lines, relayed

ZONE = """
_sip._udp.pbx 60 IN SRV 5 0 5072 a.pbx
_sip._udp.pbx 60 IN SRV 10 0 5070 b.pbx
a.pbx         60 IN A    127.0.0.5
b.pbx         60 IN A    127.0.0.6
"""
CFG = HEAD + """
use_dns_failover = %(failover)s
modparam("tm", "fr_timer", 2000)
request_route {
    if (is_method("ACK") && t_check_trans()) { exit; }
    $du = "%(du)s";
    if (!t_relay()) { xlog("L_ERR", "relay failed\\n"); }
}
"""


def flow(server, failover="on", du="sip:pbx.test"):
    f = Flow(CFG % {"failover": failover, "du": du})
    f.program.dns_resolver = Resolver(DnsConfig.from_params(f.program.params), nameservers=server.address)
    return f


def branch_of(data):
    return Message.parse(data).via1.branch


def test_first_branch_goes_to_the_best_srv_target():
    with DnsServer(ZONE) as s:
        r = flow(s).send(INVITE)
        [inv] = relayed(r)
        assert inv.dst == ("127.0.0.5", 5072) and branch_of(inv.data).endswith(".0")


def test_503_fails_over_to_the_next_target_and_is_not_relayed():
    with DnsServer(ZONE) as s:
        f = flow(s)
        inv = relayed(f.send(INVITE))[0].data
        r = f.send(Flow.reply_to(inv, 503, "Service Unavailable"), UAS)
        kinds = [(a.kind, a.dst, a.data.split(b" ", 1)[0]) for a in r.sent]
        assert ("relay", ("127.0.0.5", 5072), b"ACK") in kinds
        new = [a for a in r.sent if a.data.startswith(b"INVITE")]
        assert [a.dst for a in new] == [("127.0.0.6", 5070)]
        assert branch_of(new[0].data).endswith(".1")
        assert not [a for a in r.sent if a.kind == "reply"]          # 503 stored, branch 1 pending
        ok = f.send(Flow.reply_to(new[0].data, 200, "OK"), UAS)
        assert first_lines(ok, "reply") == ["SIP/2.0 200 OK"]


def test_503_without_failover_is_final():
    with DnsServer(ZONE) as s:
        f = flow(s, failover="off")
        inv = relayed(f.send(INVITE))[0].data
        r = f.send(Flow.reply_to(inv, 503, "Service Unavailable"), UAS)
        assert not [a for a in r.sent if a.data.startswith(b"INVITE")]
        assert [a.kind for a in r.sent if a.kind == "reply"] == ["reply"]


def test_timeout_without_reply_fails_over_then_408():
    with DnsServer(ZONE) as s:
        f = flow(s)
        f.send(INVITE)
        ticks = f.run_timers(10)
        invites = [(t, a.dst) for t, r in ticks for a in r.sent
                   if a.kind == "relay" and branch_of(a.data).endswith(".1")]
        assert invites[0] == (2.0, ("127.0.0.6", 5070))           # at fr_timer of branch 0
        finals = [(t, first_lines(r, "reply")) for t, r in ticks if first_lines(r, "reply")]
        assert finals[0] == (4.0, ["SIP/2.0 408 Request Timeout"])  # after branch 1's fr_timer (then G retransmits)


def test_unresolvable_next_hop_gets_478():
    with DnsServer(ZONE) as s:
        r = flow(s, du="sip:nope.test").send(INVITE)
        assert first_lines(r, "reply")[-1] == "SIP/2.0 478 Unresolvable destination (478/TM)"
        assert "<script>: relay failed\n" in [x.text for x in r.logs]
