"""DNS resolution as Kamailio 5.6's core does it (resolve.c, dns_cache.c), dnspython on the wire.

    DnsConfig   the core params (dns_*, use_dns_*, rev_dns) with Kamailio's defaults and fix-ups
    query()     the only I/O: one dnspython query -> [Record] (answer and additional sections)
    DnsCache    sans-IO cache on an injected clock `now` (seconds): per-record expiry, negative
                entries, CNAME chains, the periodic gc
    HostsFile   an /etc/hosts reader (injectable path) for the uncached, gethostbyname-like path
    Resolver    RFC 3263 target selection: NAPTR (dns_try_naptr) -> SRV -> A/AAAA, RFC 2782
                weights (dns_srv_lb, seeded by an injectable RNG), the failover order

Public API for forward()/tm:
    resolver_for(program)                       one Resolver per program (its cache is shared state)
    Resolver.resolve_sip_destinations(uri_or_host, proto, port, now) -> [(proto, ip, port)]
        in failover order when use_dns_failover is on, else the single destination Kamailio uses
    Resolver.resolve_host(name, af_pref, now) -> [ip]
    Resolver.check_address(ip, name, now)       the `dns` / `rev_dns` received= test

What Kamailio does and cfgvm follows on purpose:
  * With the cache on (use_dns_cache, the default) names are asked to the DNS servers only, as
    res_search() does: /etc/hosts is not read. With use_dns_cache=0 A/AAAA go through
    gethostbyname(), i.e. the hosts file first, then DNS.
  * SRV records are kept sorted by priority, then weight (heaviest first). The first destination
    without failover takes them in that order; dns_srv_lb only acts on the failover iteration.
  * Without failover and without NAPTR only the SRV of the given protocol (udp by default) is
    asked; the failover iteration and the NAPTR fallback ask every supported protocol, by
    dns_{udp,tcp,tls,sctp}_pref.
Deviations (documented, not silent): an explicit port never triggers an SRV lookup (RFC 3263
4.2; 5.6.3 does one after a failed NAPTR lookup); dnspython merges one rrset's TTLs into the
smallest; dns_cache_mem is not enforced (entries leave by TTL and gc only); dns_search_full_match
is not checked; sctp/tls are never selected while cfgvm has no such transport.
"""
from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from typing import Callable, Iterable

SIP_PORT, SIPS_PORT = 5060, 5061
PROTOS = ("udp", "tcp", "tls", "sctp")          # Kamailio's PROTO_UDP..PROTO_SCTP order (ties)
SRV_PREFIX = {"udp": "_sip._udp.", "tcp": "_sip._tcp.", "tls": "_sips._tcp.", "sctp": "_sip._sctp."}
NAPTR_SERVICES = {"sip+d2u": "udp", "sip+d2t": "tcp", "sip+d2s": "sctp", "sips+d2t": "tls"}
IPV4_ONLY, IPV6_ONLY, IPV6_FIRST = 1, 2, 4      # dns_cache_flags bits
MAX_CNAME_CHAIN = 10
SRV_ZERO_W_CHANCE = 1000                        # a 0-weight SRV wins first once in 1000*sum draws
AF_PREFS = {"any": 0, "ipv4": IPV4_ONLY, "ipv6": IPV6_ONLY, "ipv6_first": IPV6_FIRST}


class DnsError(Exception):
    """A destination that cannot be resolved (Kamailio: 'could not resolve hostname')."""


# ---- configuration --------------------------------------------------------------------------------
@dataclass
class DnsConfig:
    """The core params that steer resolution, with Kamailio 5.6's defaults (cfg_core.c)."""
    dns: bool = False                 # received= test resolves the Via host
    rev_dns: bool = False             # received= test does a reverse lookup of the source ip
    try_ipv6: bool = True
    try_naptr: bool = False
    naptr_ignore_rfc: bool = True     # NAPTR order field ignored in favour of the prefs (the default)
    prefs: dict = field(default_factory=lambda: {"udp": 30, "tcp": 20, "tls": 10, "sctp": 20})
    retr_time: int = -1               # s before a retransmission (-1: resolver default, 5)
    retr_no: int = -1                 # attempts (-1: resolver default, 2)
    servers_no: int = -1              # how many of the configured nameservers are used
    use_search_list: bool = True
    cache_init: bool = True
    use_cache: bool = True
    use_failover: bool = False
    srv_lb: bool = False
    cache_flags: int = 0
    negative_ttl: int = 60
    min_ttl: int = 0
    max_ttl: int = 2 ** 32 - 1
    gc_interval: int = 120
    transports: frozenset = frozenset({"udp", "tcp"})     # what cfgvm can send over

    @classmethod
    def from_params(cls, params: dict, *, has_ipv6_socket: bool | None = None) -> "DnsConfig":
        """From a program's core params (canonical names). has_ipv6_socket=False turns
        dns_try_ipv6 off, as Kamailio does when it listens on no IPv6 address."""
        def num(name, default):
            v = params.get(name)
            return v if isinstance(v, int) else default
        c = cls()
        c.dns, c.rev_dns = bool(num("dns", 0)), bool(num("rev_dns", 0))
        c.try_ipv6, c.try_naptr = bool(num("dns_try_ipv6", 1)), bool(num("dns_try_naptr", 0))
        c.naptr_ignore_rfc = bool(num("dns_naptr_ignore_rfc", 1))
        c.prefs = {p: num(f"dns_{p}_pref", d) for p, d in c.prefs.items()}
        c.retr_time, c.retr_no = num("dns_retr_time", -1), num("dns_retr_no", -1)
        c.servers_no, c.use_search_list = num("dns_servers_no", -1), bool(num("dns_use_search_list", 1))
        c.cache_init, c.use_cache = bool(num("dns_cache_init", 1)), bool(num("use_dns_cache", 1))
        c.use_failover, c.srv_lb = bool(num("use_dns_failover", 0)), bool(num("dns_srv_lb", 0))
        c.cache_flags = num("dns_cache_flags", 0)
        c.negative_ttl = num("dns_cache_negative_ttl", 60)
        c.min_ttl, c.max_ttl = num("dns_cache_min_ttl", 0), num("dns_cache_max_ttl", 2 ** 32 - 1)
        c.gc_interval = num("dns_cache_gc_interval", 120)
        t = {"udp"} | (set() if num("disable_tcp", 0) else {"tcp"})
        c.transports = frozenset(t)
        if has_ipv6_socket is False:
            c.try_ipv6 = False
        # init_dns_cache(): no cache => no failover
        if not c.cache_init:
            c.use_cache = False
        if not c.use_cache:
            c.use_failover = False
        return c

    @property
    def flags(self) -> int:
        """fix_dns_flags(): dns_cache_flags with dns_try_ipv6=0 forcing IPv4 only."""
        f = self.cache_flags & 7
        if not self.try_ipv6:
            f |= IPV4_ONLY
        if f & IPV4_ONLY:
            f &= ~(IPV6_ONLY | IPV6_FIRST)
        return f

    def supported(self, proto: str) -> bool:
        """naptr_proto_supported(): a negative preference disables a protocol."""
        return self.prefs.get(proto, 0) >= 0 and proto in self.transports

    def naptr_pref(self, proto: str) -> int:
        p = self.prefs.get(proto, 0)
        return p if self.naptr_ignore_rfc or p < 0 else 1

    def srv_protos(self) -> list[str]:
        """create_srv_pref_list(): supported protocols, highest dns_*_pref first (ties: udp, tcp, tls, sctp)."""
        return sorted((p for p in PROTOS if self.supported(p)), key=lambda p: -self.prefs.get(p, 0))


# ---- records and the one I/O function -------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One resource record. data: A/AAAA ip str; CNAME/PTR target; SRV (prio, weight, port, target);
    NAPTR (order, pref, flags, services, regexp, replacement)."""
    name: str
    rdtype: str
    ttl: int
    data: object


def _name(n) -> str:
    return n.to_text(omit_final_dot=True).lower()


def _rdata(rdtype: str, rd):
    if rdtype in ("A", "AAAA"):
        return rd.address
    if rdtype in ("CNAME", "PTR"):
        return _name(rd.target)
    if rdtype == "SRV":
        return (rd.priority, rd.weight, rd.port, _name(rd.target))
    if rdtype == "NAPTR":
        return (rd.order, rd.preference, rd.flags.decode("latin-1"), rd.service.decode("latin-1"),
                rd.regexp.decode("latin-1"), _name(rd.replacement))
    return None


def make_dnspython_resolver(config: DnsConfig, nameservers: Iterable[tuple[str, int]] | None = None):
    """A dnspython Resolver set up as Kamailio's _resolv_init() sets libc's: dns_retr_time,
    dns_retr_no, dns_servers_no, dns_use_search_list. nameservers [(ip, port)] replace
    /etc/resolv.conf's (tests use a server on loopback)."""
    import dns.nameserver
    import dns.resolver
    if nameservers is None:
        r = dns.resolver.Resolver()
    else:
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in nameservers]
    if 0 <= config.servers_no < len(r.nameservers):
        r.nameservers = r.nameservers[:max(config.servers_no, 1)] if config.servers_no else []
    r.timeout = float(config.retr_time if config.retr_time > 0 else 5)
    attempts = config.retr_no if config.retr_no > 0 else 2
    r.lifetime = r.timeout * attempts * max(len(r.nameservers), 1)
    r.use_search_by_default = config.use_search_list
    r.retry_servfail = False
    r.cache = None
    return r


def query(dnsr, name: str, rdtype: str) -> list[Record]:
    """Ask the servers once; the records of the answer and additional sections (get_record(RES_AR)
    skips the authority section); [] for NXDOMAIN, no data, timeouts and server failures. When the search
    list made another name answer, a CNAME name -> that name is added (as get_record does)."""
    import dns.exception
    import dns.resolver
    try:
        ans = dnsr.resolve(name, rdtype, raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout,
            dns.resolver.NoAnswer, dns.resolver.YXDOMAIN, dns.name.EmptyLabel, dns.exception.SyntaxError):
        return []
    out = []
    resp = ans.response
    for section in (resp.answer, resp.additional):
        for rrset in section:
            t = _rdtype_text(rrset.rdtype)
            for rd in rrset:
                d = _rdata(t, rd)
                if d is not None:
                    out.append(Record(_name(rrset.name), t, rrset.ttl, d))
    asked = _name(ans.qname)
    if out and asked != name.lower().rstrip("."):
        out.insert(0, Record(name.lower().rstrip("."), "CNAME", min(r.ttl for r in out), asked))
    return out


def _rdtype_text(t) -> str:
    import dns.rdatatype
    return dns.rdatatype.to_text(t)


# ---- the cache (sans-IO) --------------------------------------------------------------------------
@dataclass
class Entry:
    name: str
    rdtype: str
    rrs: list                 # [(data, expire)]
    expire: float
    negative: bool = False

    def live(self, now: float) -> list:
        """dns_entry_get_rr(): the records whose TTL has not run out."""
        return [d for d, exp in self.rrs if now < exp]


class DnsCache:
    """Entries keyed by (name, type); an entry expires with its longest-lived record, each
    record with its own TTL (clamped to dns_cache_min_ttl..max_ttl); "not found" is cached for
    dns_cache_negative_ttl (0: not cached). Expired entries leave on lookup and on gc."""

    def __init__(self, config: DnsConfig):
        self.config = config
        self.entries: dict[tuple[str, str], Entry] = {}
        self.next_gc: float | None = None

    def ttl(self, t: int) -> int:
        c = self.config
        return c.min_ttl if t < c.min_ttl else c.max_ttl if t > c.max_ttl else t

    def find(self, name: str, rdtype: str, now: float) -> Entry | None:
        """_dns_hash_find(): the entry, or the last CNAME of an unfinished chain."""
        self.maybe_gc(now)
        found = None
        for _ in range(MAX_CNAME_CHAIN + 1):
            e = self._get(name, rdtype, now)
            if e is not None:
                return e
            c = self._get(name, "CNAME", now)
            if c is None or c.negative or not c.rrs:
                return found
            found = c
            name = c.rrs[0][0]
        return None                                      # chain too long or recursive

    def _get(self, name, rdtype, now):
        key = (name.lower(), rdtype)
        e = self.entries.get(key)
        if e is not None and now >= e.expire:
            del self.entries[key]
            return None
        return e

    def put(self, name: str, rdtype: str, records: list[Record], now: float) -> None:
        """One entry (name, type) from the records that carry it (an empty list: nothing)."""
        rrs, longest = [], 0
        for r in records:
            if r.name == name.lower() and r.rdtype == rdtype:
                t = self.ttl(r.ttl)
                rrs.append((r.data, now + t))
                longest = max(longest, t)
        if not rrs:
            return
        if rdtype == "SRV":       # get_record(): priority ascending, then weight descending, stable
            rrs.sort(key=lambda x: (x[0][0], -x[0][1]))
        self.entries[(name.lower(), rdtype)] = Entry(name.lower(), rdtype, rrs, now + longest)

    def put_negative(self, name: str, rdtype: str, now: float) -> Entry | None:
        if not self.config.negative_ttl:
            return None
        e = Entry(name.lower(), rdtype, [], now + self.config.negative_ttl, negative=True)
        self.entries[(name.lower(), rdtype)] = e
        return e

    def maybe_gc(self, now: float) -> None:
        """The dns_cache_gc_interval timer, run from lookups on the injected clock."""
        if self.next_gc is None:
            self.next_gc = now + self.config.gc_interval
        elif self.config.gc_interval and now >= self.next_gc:
            self.gc(now)
            self.next_gc = now + self.config.gc_interval

    def gc(self, now: float) -> int:
        old = [k for k, e in self.entries.items() if now >= e.expire]
        for k in old:
            del self.entries[k]
        return len(old)


# ---- /etc/hosts -----------------------------------------------------------------------------------
class HostsFile:
    """name -> addresses from a hosts file, in file order (read again when it changes)."""

    def __init__(self, path: str = "/etc/hosts"):
        self.path = path
        self._stamp = None
        self._names: dict[str, list[str]] = {}
        self._addrs: dict[str, str] = {}

    def _load(self):
        import os
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            self._names, self._addrs, self._stamp = {}, {}, None
            return
        if stamp == self._stamp:
            return
        names, addrs = {}, {}
        with open(self.path, encoding="latin-1") as f:
            for line in f:
                parts = line.split("#", 1)[0].split()
                if len(parts) < 2 or _ip(parts[0]) is None:
                    continue
                ip = str(_ip(parts[0]))
                for n in parts[1:]:
                    names.setdefault(n.lower().rstrip("."), []).append(ip)
                addrs.setdefault(ip, parts[1].lower())
        self._names, self._addrs, self._stamp = names, addrs, stamp

    def addresses(self, name: str, version: int) -> list[str]:
        self._load()
        return [a for a in self._names.get(name.lower().rstrip("."), []) if _ip(a).version == version]

    def name_of(self, ip: str) -> str | None:
        self._load()
        return self._addrs.get(ip)


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


# ---- the resolver ---------------------------------------------------------------------------------
QueryFn = Callable[[str, str], list]


class Resolver:
    """RFC 3263 resolution with Kamailio's choices. query(name, rdtype) -> [Record] is the I/O
    (default: dnspython on the given nameservers or /etc/resolv.conf); rng drives dns_srv_lb."""

    def __init__(self, config: DnsConfig | None = None, *, query_fn: QueryFn | None = None,
                 nameservers: Iterable[tuple[str, int]] | None = None, hosts: HostsFile | str | None = None,
                 rng: random.Random | None = None):
        self.config = config or DnsConfig()
        if query_fn is None:
            dnsr = make_dnspython_resolver(self.config, nameservers)
            query_fn = lambda name, rdtype: query(dnsr, name, rdtype)   # noqa: E731
        self.query = query_fn
        self.hosts = HostsFile(hosts) if isinstance(hosts, str) else (hosts or HostsFile())
        self.rng = rng or random.Random()
        self.cache = DnsCache(self.config)

    # -- records (dns_get_entry) --
    def records(self, name: str, rdtype: str, now: float) -> list:
        """The live records name/type through the cache (use_dns_cache) or straight from the servers."""
        name = name.lower().rstrip(".")
        if not self.config.use_cache:
            return self._uncached(name, rdtype, set())
        e = self.cache.find(name, rdtype, now)
        if e is None:
            e = self._request(name, rdtype, now, 0)
        elif e.rdtype == "CNAME" and rdtype != "CNAME":
            e = self._request(e.rrs[0][0], rdtype, now, 0)
        if e is None or e.negative or e.rdtype != rdtype:
            return []
        return e.live(now)

    def _request(self, name, rdtype, now, depth) -> Entry | None:
        """dns_cache_do_request(): ask, cache the entry, its CNAME chain and its relevant
        additional records (SRV targets' A/AAAA, NAPTR replacements' SRV); negative if nothing."""
        recs = self.query(name, rdtype)
        if not recs:
            return self.cache.put_negative(name, rdtype, now)
        target = name
        for _ in range(MAX_CNAME_CHAIN):
            if any(r.name == target and r.rdtype == rdtype for r in recs):
                break
            cn = next((r for r in recs if r.name == target and r.rdtype == "CNAME"), None)
            if cn is None:
                break
            self.cache.put(target, "CNAME", recs, now)
            target = cn.data
        self.cache.put(target, rdtype, recs, now)
        self._put_related(target, rdtype, recs, now)
        e = self.cache._get(target, rdtype, now)
        if e is None and target != name and depth < MAX_CNAME_CHAIN:
            e = self.cache.find(target, rdtype, now) or self._request(target, rdtype, now, depth + 1)
        return e

    def _put_related(self, name, rdtype, recs, now):
        flags = self.config.flags
        e = self.cache._get(name, rdtype, now)
        if e is None:
            return
        if rdtype == "SRV":
            for (_, _, _, tgt), _ in e.rrs:
                if not flags & IPV6_ONLY:
                    self.cache.put(tgt, "A", recs, now)
                if not flags & IPV4_ONLY:
                    self.cache.put(tgt, "AAAA", recs, now)
        elif rdtype == "NAPTR":
            for d, _ in e.rrs:
                if naptr_proto(d):
                    self.cache.put(d[5], "SRV", recs, now)
                    self._put_related(d[5], "SRV", recs, now)

    def _uncached(self, name, rdtype, seen) -> list:
        recs = self.query(name, rdtype)
        for _ in range(MAX_CNAME_CHAIN):
            hit = [r.data for r in recs if r.name == name and r.rdtype == rdtype]
            if hit:
                return sorted(hit, key=lambda d: (d[0], -d[1])) if rdtype == "SRV" else hit
            cn = next((r for r in recs if r.name == name and r.rdtype == "CNAME"), None)
            if cn is None or cn.data in seen:
                return []
            seen.add(name)
            name = cn.data
        return []

    # -- hosts (dns_get_he / _resolvehost) --
    def resolve_host(self, name: str, af_pref: str | int = "any", now: float = 0.0,
                     first_family: bool = False) -> list[str]:
        """Addresses of a host in the order Kamailio tries them: A then AAAA, unless af_pref
        ('ipv4', 'ipv6', 'ipv6_first' or dns_cache_flags bits) says otherwise; dns_try_ipv6=0
        keeps IPv4 only. An IP literal is itself (brackets dropped). first_family: stop at the
        first family that has addresses (dns_get_he(), the no-failover path)."""
        flags = AF_PREFS[af_pref] if isinstance(af_pref, str) else af_pref
        flags |= self.config.flags
        if flags & IPV4_ONLY:
            flags &= ~(IPV6_ONLY | IPV6_FIRST)
        ip = _ip(name)
        if ip is not None:
            bad = (flags & IPV4_ONLY and ip.version == 6) or (flags & IPV6_ONLY and ip.version == 4)
            return [] if bad else [str(ip)]
        if not self.config.use_cache:
            return self._gethostbyname(name)
        order = ("AAAA", "A") if flags & (IPV6_FIRST | IPV6_ONLY) else ("A", "AAAA")
        out = self.records(name, order[0], now)
        if (out and first_family) or not (flags & IPV6_FIRST or not flags & (IPV6_ONLY | IPV4_ONLY)):
            return out
        return out + self.records(name, order[1], now)

    def _gethostbyname(self, name) -> list[str]:
        """_resolvehost(): hosts file then DNS for IPv4; the same for IPv6 only when nothing was found
        and dns_try_ipv6 is on."""
        name = name.lower().rstrip(".")
        v4 = self.hosts.addresses(name, 4) or self._uncached(name, "A", set())
        if v4 or not self.config.try_ipv6:
            return v4
        return self.hosts.addresses(name, 6) or self._uncached(name, "AAAA", set())

    # -- RFC 3263 --
    def resolve_sip_destinations(self, uri_or_host: str, proto: str | None = None, port: int | None = None,
                                 now: float = 0.0, honor_maddr: bool = False) -> list[tuple[str, str, int]]:
        """[(proto, ip, port)]: every destination in failover order with use_dns_failover,
        else the one Kamailio sends to. A sip:/sips: URI gives host, port and transport unless
        proto/port are passed; its maddr only with honor_maddr (RFC 3263 4; Kamailio 5.6.3 is
        built without HONOR_MADDR, so forward() and tm ignore it). Raises DnsError when nothing
        resolves."""
        host, proto, port = _target(uri_or_host, proto, port, honor_maddr)
        failover = self.config.use_failover
        if self.config.try_naptr and proto is None and port is None:
            out = self._naptr(host, now, failover)
        else:
            out = self._srv_or_host(host, proto, port, now, failover, naptr_fallback=False)
        if not out:
            raise DnsError(f"could not resolve hostname: \"{host}\"")
        return _unique(out) if failover else out[:1]

    def _naptr(self, host, now, failover):
        """dns_naptr_sip_resolve(): NAPTR choices in Kamailio's order, each with its SRV targets;
        then the SRV of every supported protocol; then A/AAAA on 5060."""
        ip = _ip(host)
        if ip is not None:
            return self._literal(ip, "udp", SIP_PORT)
        out = []
        for srv_name, n_proto in self.naptr_order(self.records(host, "NAPTR", now)):
            out += self._srv_targets(srv_name, n_proto, now, failover)
            if out and not failover:
                return out
        if out:
            return out
        return self._srv_or_host(host, None, None, now, failover, naptr_fallback=True)

    def _srv_or_host(self, host, proto, port, now, failover, naptr_fallback):
        """dns_srv_sip_resolve(): SRV when no port is given (every supported protocol when none is
        given and we iterate, only the given one or udp otherwise), else/then A/AAAA."""
        p = proto or "udp"
        default_port = SIPS_PORT if p == "tls" else SIP_PORT
        ip = _ip(host)
        if ip is not None:
            return self._literal(ip, p, port or default_port)
        if port is None:
            protos = self.config.srv_protos() if (proto is None and (failover or naptr_fallback)) else [p]
            for sp in protos:
                out = self._srv_targets(SRV_PREFIX[sp] + host, sp, now, failover)
                if out:
                    return out
            if protos:
                p0 = protos[0] if naptr_fallback and not failover else p
                default_port = SIPS_PORT if p0 == "tls" else SIP_PORT
        return [(p, a, port or default_port) for a in self.resolve_host(host, 0, now, not failover)]

    def _literal(self, ip, proto, port):
        f = self.config.flags
        if (f & IPV4_ONLY and ip.version == 6) or (f & IPV6_ONLY and ip.version == 4):
            return []
        return [(proto, str(ip), port)]

    def _srv_targets(self, srv_name, proto, now, failover):
        """dns_srv_resolve_ip(): each SRV target (stored order, or RFC 2782 draws with dns_srv_lb
        while iterating) with each of its addresses; unresolvable targets are skipped."""
        rrs = self.records(srv_name, "SRV", now)
        if failover and self.config.srv_lb:
            rrs = srv_lb_order(rrs, self.rng)
        out = []
        for _prio, _w, port, target in rrs:
            for a in self.resolve_host(target, 0, now, not failover):
                out.append((proto, a, port))
            if out and not failover:
                return out
        return out

    def naptr_order(self, naptrs: list) -> list[tuple[str, str]]:
        """naptr_sip_iterate() repeated: (srv name, proto) of the usable SIP NAPTR records in the
        order Kamailio picks them (protocol preference, then order, then preference)."""
        cands = [(d, naptr_proto(d)) for d in naptrs]
        cands = [(d, p) for d, p in cands if p and self.config.supported(p)][:32]
        out = []
        while cands:
            best = None
            for c in cands:
                if best is None or self._naptr_better(c, best):
                    best = c
            cands.remove(best)
            out.append((best[0][5], best[1]))
        return out

    def _naptr_better(self, new, cur) -> bool:
        """naptr_choose()"""
        (nd, np), (cd, cp) = new, cur
        pref = self.config.naptr_pref
        if np != cp and pref(np) > pref(cp):
            return True
        return not pref(cp) > pref(np) and (nd[0] < cd[0] or (nd[0] == cd[0] and nd[1] < cd[1]))

    # -- received= test (core params dns / rev_dns) --
    def check_address(self, ip: str, name: str, now: float = 0.0) -> bool:
        """check_address(): does the Via host name match the source ip? Equal text always
        matches; with `dns` the name's addresses are compared, with `rev_dns` the ip's PTR name."""
        a = _ip(ip)
        if a is None:
            return False
        n = _ip(name)
        if n is not None:
            return n == a
        if self.config.dns and any(_ip(x) == a for x in self.resolve_host(name, 0, now)):
            return True
        if self.config.rev_dns:
            rev = self.reverse(ip, now)
            return rev is not None and rev.lower().rstrip(".") == name.lower().rstrip(".")
        return False

    def reverse(self, ip: str, now: float = 0.0) -> str | None:
        """The PTR name of an address (hosts file first when the cache is off, as gethostbyaddr)."""
        a = _ip(ip)
        if a is None:
            return None
        if not self.config.use_cache:
            h = self.hosts.name_of(str(a))
            if h:
                return h
        ptr = a.reverse_pointer
        names = self.records(ptr, "PTR", now)
        return names[0] if names else None


def naptr_proto(d) -> str | None:
    """naptr_get_sip_proto(): the transport of a terminal ('s' flag, no regexp) SIP NAPTR."""
    _order, _pref, flags, services, regexp, _repl = d
    if flags.lower() != "s" or regexp:
        return None
    return NAPTR_SERVICES.get(services.lower())


def srv_lb_order(rrs: list, rng: random.Random) -> list:
    """RFC 2782 selection as dns_srv_get_nxt_rr() does it: groups by priority (ascending); in a
    group, draw r in 1..sum(weights) and take the first record whose running sum reaches r
    (0-weight records only when r == 1 and a 1/1001 draw says so, or when all left weigh 0)."""
    out, i = [], 0
    while i < len(rrs):
        j = i
        while j < len(rrs) and rrs[j][0] == rrs[i][0]:
            j += 1
        group = list(rrs[i:j])
        while group:
            total = sum(r[1] for r in group)
            zero = next((r for r in group if r[1] == 0), None)
            pick = zero or group[0]
            if len(group) > 1 and total > 0:
                w = rng.randint(0, total - 1) + 1
                if not (w == 1 and zero is not None and rng.randint(0, SRV_ZERO_W_CHANCE) == 0):
                    run = 0
                    for r in group:
                        run += r[1]
                        if r[1] and run >= w:
                            pick = r
                            break
            group.remove(pick)
            out.append(pick)
        i = j
    return out


def _unique(dests):
    seen, out = set(), []
    for d in dests:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def _target(uri_or_host: str, proto, port, honor_maddr=False):
    """(host, proto, port) from a URI or a bare host[:port]; the URI's transport and sips scheme
    as forward() reads them."""
    text = uri_or_host.strip()
    if text[:4].lower() == "sip:" or text[:5].lower() == "sips:":
        from cfgvm.sip.uri import parse_uri
        u = parse_uri(text)
        host = (honor_maddr and u.maddr) or u.host_noport_brackets
        if port is None:
            port = u.port_no
        if proto is None:
            t = u.transport.lower() or None
            if u.scheme.lower() == "sips":
                if t == "udp":
                    raise DnsError("secure uri incompatible with transport udp")
                t = "tls"
            proto = t
    else:
        host = text
        if text.startswith("["):
            end = text.find("]")
            host, rest = text[1:end], text[end + 1:]
            if rest.startswith(":") and port is None:
                port = int(rest[1:])
        elif text.count(":") == 1:
            host, p = text.split(":")
            if port is None:
                port = int(p)
    if proto is not None:
        proto = proto.lower()
        if proto not in PROTOS:
            raise DnsError(f"unknown transport {proto!r}")
    return host.strip("[]").lower().rstrip("."), proto, (int(port) if port else None)


def resolver_for(program) -> Resolver:
    """The program's resolver, made on first use from its core params (one cache per program,
    as Kamailio's cache is shared by its processes)."""
    r = getattr(program, "dns_resolver", None)
    if r is None:
        table = getattr(program, "sockets", None)
        socks = getattr(table, "sockets", None)
        has6 = None if socks is None else any(getattr(s, "af", 2) == 10 for s in socks)
        r = Resolver(DnsConfig.from_params(getattr(program, "params", {}), has_ipv6_socket=has6))
        program.dns_resolver = r
    return r
