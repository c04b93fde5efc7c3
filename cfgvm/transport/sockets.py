"""The listen table: Kamailio's socket_info lists, aliases and `myself` (no I/O here: the sans-IO
core may import it).

Sockets come from `-l` and `listen=`, else one UDP and one TCP socket per local address on `port`
(5060). Kamailio 5.6.3 lists the config's `listen=` sockets BEFORE the `-l` ones (the config is
parsed before the second pass over the command line: $lsock(i/0/..) is the first listen= socket).
A `listen=` may carry `name "s1"` (5.6 has no name on `-l`): SocketInfo.sockname, looked up
case-insensitively by SocketTable.by_name ($fsn, $Rn, $lsock, corex's *_socket_name functions). A spec without a protocol means udp and tcp (tcp
only while disable_tcp is off). Address grammar of `-l` (Kamailio's main.c):

    listen-spec = [ proto ":" ] host [ ":" port ] [ "/" adv-host [ ":" adv-port ] ]
    host        = IPv4 | "[" IPv6 "]" | hostname
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

PROTOS = ("udp", "tcp", "tls", "sctp", "ws", "wss")
RUNNABLE = ("udp", "tcp")          # the protocols cfgvm can put on the wire


class ListenError(ValueError):
    """A listen spec cfgvm cannot use (bad syntax or a protocol it does not implement)."""


@dataclass(frozen=True)
class SocketInfo:
    """One listening socket (struct socket_info): what it binds and what it announces."""
    proto: str
    ip: str                         # no brackets
    port: int
    adv_host: str | None = None     # advertise ADDR (Via/Record-Route use it instead of ip)
    adv_port: int | None = None
    name: str | None = None         # the host name it was given as, if not an IP
    sockname: str | None = None     # listen=... name "s1"

    @property
    def af(self) -> int:
        return 10 if ":" in self.ip else 2

    @property
    def host(self) -> str:
        """The address Via/Record-Route carry: advertised, else the IP (bracketed when IPv6)."""
        h = self.adv_host or self.ip
        return f"[{h}]" if ":" in h and not h.startswith("[") else h

    @property
    def via_port(self) -> int:
        return self.adv_port or self.port

    def __iter__(self):
        """(proto, ip, port), the shape modules and the dry-run table use."""
        return iter((self.proto, self.ip, self.port))

    def __str__(self) -> str:
        ip = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{self.proto}:{ip}:{self.port}"

    @property
    def adv_str(self) -> str:
        """useinfo.sock_str: proto:advertised-host:port, "" when nothing is advertised."""
        if not self.adv_host:
            return ""
        return f"{self.proto}:{self.adv_host}:{self.adv_port or self.port}"


def parse_listen(text: str, default_port: int = 5060) -> list[tuple[str | None, str, int, str | None, int | None]]:
    """A `-l` value -> [(proto or None, host, port, adv_host, adv_port)]; ListenError when malformed."""
    spec, _, adv = text.partition("/")
    proto, host, port = _split_spec(spec, default_port)
    adv_host = adv_port = None
    if adv:
        _, adv_host, adv_port = _split_spec(adv, 0)
        adv_port = adv_port or None
    return [(proto, host, port, adv_host, adv_port)]


def _split_spec(spec: str, default_port: int) -> tuple[str | None, str, int]:
    proto = None
    head, sep, tail = spec.partition(":")
    if sep and head.lower() in PROTOS:
        proto, spec = head.lower(), tail
    if spec.startswith("["):
        host, close, rest = spec[1:].partition("]")
        if not close or (rest and not rest.startswith(":")):
            raise ListenError(f"bad listen address {spec!r}: unclosed or trailing text after ']'")
        port = rest[1:]
    elif spec.count(":") > 1:
        host, port = spec, ""           # a bare IPv6 address
    else:
        host, _, port = spec.partition(":")
    if not host:
        raise ListenError(f"bad listen address {spec!r}: no host")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise ListenError(f"bad listen port {port!r} in {spec!r}")
    return proto, host, int(port) if port else default_port


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


class SocketTable:
    """Listening sockets + aliases; `table(host, port, proto)` is check_self() (the `myself` test)."""

    def __init__(self, sockets: list[SocketInfo], aliases: list[tuple[str, int]] = (),
                 mhomed: bool = False, route_source=None):
        self.sockets = list(sockets)
        self.aliases = [(_norm(h), int(p or 0)) for h, p in aliases]
        self.mhomed = mhomed
        # mhomed: route_source(dst_ip) -> the local IP the kernel sends from (cfgvm.transport.route)
        self.route_source = route_source

    # ---- myself ---------------------------------------------------------------------------------
    def __call__(self, host: str, port: int = 0, proto: str | None = None) -> bool:
        """check_self(): host is one of our socket addresses/names/advertised addresses (on the
        socket's port; a missing port means 5060, 5061 for TLS) or an alias (any port when either
        side has none)."""
        h = _norm(host)
        port = int(port or 0)
        proto = proto.lower() if proto else None
        for sproto, names, ports in self._names():
            if proto is not None and proto != sproto:
                continue
            want = port or (5061 if sproto == "tls" else 5060)
            if h and h in names and want in ports:   # "" is no name (a socket without one)
                return True
        return any(ah == h and (not ap or not port or ap == port) for ah, ap in self.aliases)

    def _names(self):
        """Per socket (proto, the names check_self() matches, its ports), computed once per
        socket list (a socket's fields do not change once it is in the table)."""
        got = self.__dict__.get("_names_of")
        if got is None or got[0] is not self.sockets or got[1] != len(self.sockets):
            rows = [(s.proto, {s.ip.lower(), (s.name or "").lower(), (s.adv_host or "").strip("[]").lower()},
                     (s.port, s.adv_port)) for s in self.sockets]
            got = self._names_of = (self.sockets, len(self.sockets), rows)
        return got[2]

    # ---- lookups (Kamailio walks the UDP list, then TCP, TLS, SCTP) ----------------------------------
    def ordered(self) -> list[SocketInfo]:
        """The sockets in Kamailio's walk order; the position is the socket's gindex."""
        return sorted(self.sockets, key=lambda s: PROTOS.index(s.proto))

    def by_name(self, name: str) -> SocketInfo | None:
        """ksr_get_socket_by_name(): case-insensitive."""
        n = name.lower()
        return next((s for s in self.ordered() if s.sockname is not None and s.sockname.lower() == n), None)

    def by_listen(self, text: str) -> SocketInfo | None:
        t = text.lower()
        return next((s for s in self.ordered() if str(s).lower() == t), None)

    def by_advertise(self, text: str) -> SocketInfo | None:
        t = text.lower()
        return next((s for s in self.ordered() if s.adv_host and s.adv_str.lower() == t), None)

    def by_index(self, idx: int) -> SocketInfo | None:
        socks = self.ordered()
        if idx < 0:
            idx += len(socks)
        return socks[idx] if 0 <= idx < len(socks) else None

    def grep(self, spec: str) -> SocketInfo | None:
        """grep_sock_info() on "[proto:]host[:port]" (no port: any; no proto: any); ListenError
        when the spec does not parse."""
        (proto, host, port, _, _), = parse_listen(spec, 0)
        return self.find(proto, host, port or None)

    # ---- socket selection -------------------------------------------------------------------------
    def find(self, proto: str | None, ip: str, port: int | None) -> SocketInfo | None:
        """The listening socket proto:ip:port (grep_sock_info on a force_send_socket spec)."""
        ip = _norm(ip)
        for s in self.sockets:
            if (proto is None or s.proto == proto) and ip in (s.ip.lower(), (s.name or "").lower()) \
                    and (not port or s.port == port):
                return s
        return None

    def select(self, proto: str, dst_ip: str, force=None, rcv=None) -> SocketInfo | None:
        """get_send_socket(): the forced socket if it exists with that protocol; for UDP the socket
        the message came in on when it is UDP of the destination's family; else the protocol's
        "main" socket for that family (TCP never reuses the receiving socket). With mhomed, UDP
        asks the kernel for the route's source address and takes a UDP socket on it (any port),
        None when there is none (5.6.3's get_out_socket() has no fallback)."""
        af = 10 if ":" in dst_ip else 2
        if force is not None:
            fproto, fhost, fport = force
            hosts = fhost if isinstance(fhost, tuple) else (fhost,)
            for h in hosts:
                s = self.find(fproto or proto, str(h), fport)
                if s is not None and s.proto == proto:
                    return s
        if self.mhomed and proto == "udp" and self.route_source is not None:
            src = self.route_source(dst_ip)
            return self.find("udp", src, None) if src else None
        if proto == "udp" and rcv is not None and rcv.proto == "udp":
            s = self.find("udp", rcv.dst_ip, rcv.dst_port)
            if s is not None and s.af == af:
                return s
        return self.main(proto, af)

    def main(self, proto: str, af: int) -> SocketInfo | None:
        """sendipv4/sendipv6 (per protocol): the first socket not on 127.0.0.1/::1, else the last
        one (Kamailio keeps replacing a loopback choice while it walks the list)."""
        chosen = None
        for s in self.sockets:
            if s.proto == proto and s.af == af:
                if chosen is None or _loopback(chosen.ip):
                    chosen = s
        return chosen


def _loopback(ip: str) -> bool:
    """SI_IS_LO of a listen socket: 127.0.0.1 or ::1 only (ip_addr_loopback), so with listen on
    127.0.0.1, 127.0.0.3 and 127.0.0.4 the main socket is 127.0.0.3 in 5.6.3."""
    try:
        return ipaddress.ip_address(ip) in _LOOPBACKS
    except ValueError:
        return False


_LOOPBACKS = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _norm(host: str) -> str:
    return host.strip("[]").lower()


# ---- building the table from the config and the command line -------------------------------------
def config_listens(program) -> tuple[list, list]:
    """(listen specs, aliases) from the config's listen=/alias= params, as parse_listen tuples plus
    the socket name (proto, host, port, adv_host, adv_port, sockname)."""
    listens, aliases = [], []
    port = program.params.get("port") if hasattr(program, "params") else None
    default_port = port if isinstance(port, int) else 5060
    for p in getattr(getattr(program, "cfg", None), "params", ()):
        if p.name not in ("listen", "alias"):
            continue
        v = p.value
        adv = _node_text(getattr(v, "advertise", None))
        for sock in getattr(v, "socks", ()) or ():
            sport = sock.port if isinstance(sock.port, int) else None
            for addr in sock.addrs:
                host = _node_text(addr)
                if p.name == "listen":
                    listens.append((sock.proto, host, sport or default_port, adv,
                                    v.adv_port if isinstance(v.adv_port, int) else None,
                                    getattr(v, "sockname", None)))
                else:
                    aliases.append((host, sport or 0))
    return listens, aliases


def _node_text(node) -> str | None:
    if node is None:
        return None
    for attr in ("text", "value", "name"):
        v = getattr(node, attr, None)
        if isinstance(v, str):
            return v.strip('"')
    return str(node)


def expand(specs, disable_tcp: bool, resolve=None, protos_ok=RUNNABLE) -> list[SocketInfo]:
    """parse_listen tuples -> SocketInfo per protocol. resolve(host) -> ip for names; a protocol
    outside protos_ok (what cfgvm can put on the wire) is a ListenError (never a socket silently
    left out)."""
    out: list[SocketInfo] = []
    for spec in specs:
        proto, host, port, adv_host, adv_port = spec[:5]
        sockname = spec[5] if len(spec) > 5 else None
        protos = [proto] if proto else (["udp"] if disable_tcp else ["udp", "tcp"])
        h = host.strip("[]")
        name = None
        if not is_ip(h):
            if resolve is None:
                raise ListenError(f"listen address {host!r} is not an IP address")
            name, h = h, resolve(h)
        for pr in protos:
            if pr not in protos_ok:
                raise ListenError(f"listen {pr}:{host}:{port}: the {pr.upper()} transport is not implemented "
                                  f"in cfgvm (udp and tcp are)")
            if pr == "tcp" and disable_tcp:
                raise ListenError(f"listen tcp:{host}:{port} while disable_tcp=yes")
            si = SocketInfo(pr, h, port, adv_host, adv_port, name, sockname)
            if si not in out:
                out.append(si)
    return out


# ---- what the sans-IO core asks when it builds a Via --------------------------------------------
def listen_table(program, rcv=None) -> SocketTable:
    """The program's listen table: program.sockets under `cfgvm run`; in a dry-run (no table) one
    built once from the config's listen= (any protocol: nothing is sent) and alias= plus the socket
    the message came in on (as `-l`, listed after them), host names kept unresolved. Sets
    program.socket_names {name: SocketInfo}."""
    table = getattr(program, "sockets", None)
    if not isinstance(table, SocketTable):
        key = (rcv.proto, rcv.dst_ip, rcv.dst_port) if rcv is not None else None
        cache = program.__dict__.setdefault("_listen_tables", {})
        table = cache.get(key)
        if table is None:
            params = getattr(program, "params", None) or {}
            try:
                specs, aliases = config_listens(program)
            except (AttributeError, TypeError):
                specs, aliases = [], []
            socks = expand(specs, bool(params.get("disable_tcp", 0)), lambda h: h, PROTOS) if specs else []
            if key is not None and not any((s.proto, s.ip, s.port) == key for s in socks):
                socks.append(SocketInfo(*key))
            table = cache[key] = SocketTable(socks, aliases)
    if getattr(program, "_socket_names_of", None) is not table:
        program.socket_names = {s.sockname: s for s in table.ordered() if s.sockname}
        program._socket_names_of = table
    return table


def first_socket(program, rcv=None) -> tuple[str, int]:
    """get_first_socket(): (ip, port) of the listen table's first socket (listen= before -l, UDP
    list first), which sl and tm hash into their To-tags at init (program.first_socket overrides)."""
    sock = getattr(program, "first_socket", None)
    if sock is None:
        first = listen_table(program, rcv).ordered()[0]
        sock = (first.ip, first.port)
    return sock


def send_socket(ctx, proto: str, dst_ip: str) -> SocketInfo | None:
    """The socket a request to proto:dst_ip leaves from (force_send_socket/$fs first, then Kamailio's
    choice), from program.sockets; without a table (dry-run) a forced listening socket (set by
    socket name or address through the dry-run listen table) of that protocol, else the socket it
    came in on."""
    table = getattr(ctx.program, "sockets", None)
    # the worker's own socket (Kamailio's global bind_address), not a set_recv_socket() change
    rcv = getattr(ctx, "bind_rcv", None) or ctx.rcv
    if not isinstance(table, SocketTable):
        forced = forced_info(ctx) if getattr(ctx, "force_socket", None) is not None else None
        if forced is not None and forced.proto == proto:
            return forced
        return SocketInfo(proto, rcv.dst_ip, rcv.dst_port)
    return table.select(proto, dst_ip.strip("[]"), getattr(ctx, "force_socket", None), rcv)


def via_params(ctx, sock: SocketInfo) -> tuple[str, int, str]:
    """(host, port, extra params) of the Via a forwarded request gets: set_advertised_address/port
    override the socket's; a request received over TCP gets `;i=<connection id>` (Kamailio's
    id_builder, so replies find the connection)."""
    host = getattr(ctx, "advertised_address", None) or sock.host
    port = getattr(ctx, "advertised_port", None) or sock.via_port
    extra = ""
    if ctx.rcv.proto != "udp" and getattr(ctx.rcv, "conn_id", 0):
        extra = f";i={ctx.rcv.conn_id}"
    from cfgvm.sip.forward import local_via_params
    return host, int(port), extra + local_via_params(ctx)


# ---- socket names for the PVs ($fsn, $Rn) and corex ------------------------------------------------
def forced_info(ctx) -> SocketInfo | None:
    """The forced send socket as a listening socket of the table (force_send_socket and $fs keep a
    (proto, host, port) spec; corex and $fsn keep the SocketInfo itself)."""
    fs = getattr(ctx, "force_socket", None)
    if fs is None or isinstance(fs, SocketInfo):
        return fs
    table = listen_table(ctx.program, ctx.rcv)
    try:
        if isinstance(fs, str):
            return table.grep(fs)
        proto, host, port = fs
        hosts = host if isinstance(host, tuple) else (host,)
        return next((s for h in hosts if (s := table.find(proto, str(h), port)) is not None), None)
    except (ValueError, TypeError):
        return None


def force_socket_name(ctx) -> str | None:
    s = forced_info(ctx)
    return s.sockname if s is not None else None


def set_force_socket_name(ctx, value) -> None:
    """$fsn = name: the named socket becomes the forced one; an unknown name leaves it as it was
    (Kamailio warns); $null resets it."""
    if value is None:
        ctx.force_socket = None
        return
    if not isinstance(value, str) or not value:
        ctx.log(-1, "ERROR: pv_set_force_sock_name(): str value required to set the force send sock\n")
        return
    s = listen_table(ctx.program, ctx.rcv).by_name(value)
    if s is None:
        ctx.log(0, f"WARNING: pv_set_force_sock_name(): no socket found to match name [{value}]\n")
        return
    ctx.force_socket = s


def recv_socket(ctx) -> SocketInfo | None:
    """The listening socket the message came in on (rcv.bind_address)."""
    r = ctx.rcv
    if r is None:
        return None
    return listen_table(ctx.program, r).find(r.proto, r.dst_ip, r.dst_port)


def recv_socket_name(ctx) -> str | None:
    s = recv_socket(ctx)
    return s.sockname if s is not None else None
