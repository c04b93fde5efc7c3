"""corex: core extensions (Kamailio 5.6 src/modules/corex).

Implemented: append_branch/0/1/2 (a Branch on ctx.branches: uri, dst_uri, q, bflags), setxflag,
resetxflag, isxflagset (extended flags 0..63, per message), is_faked_msg (-1: every message cfgvm runs
was received), is_incoming (-1: only network:msg sets it), send_udp/send_tcp (the received buffer,
pending changes not applied, as real 5.6.3, to host[:port] or the next hop; IP addresses only),
send_data, sendx (from a listening socket), file_read, file_write, msg_iflag_set/reset/is_set (per
message, by name), the `sock` transformation class, forward_reply() (cfgvm.engine.forward_reply).
Sockets (cfgvm.transport.sockets.listen_table: program.sockets under `cfgvm run`, else listen= plus
the receiving socket): set_send_socket / set_recv_socket (address) and set_send_socket_name /
set_recv_socket_name (listen=... name "x") only move to a listening socket (else a warning, 1 and no
change, as 5.6.3), is_socket_name, $lsock(m/value/field) with 5.6.3's quirks (index never parsed,
field of two characters at least). via_add_srvid / via_add_xavp_params / via_use_xavp_fields set the
per-message flags that cfgvm.sip.forward.local_via_params reads when a Via is built (5.6.3 stores
xavp_via_fields into the params name, so via_use_xavp_fields never changes a Via there, nor here).
RPC: corex.list_sockets / corex.list_aliases (handler(mod, shared, table); no RPC transport serves
them yet; layout from corex_rpc.c, not compared with kamcmd).
event_route[corex:reply-out] is accepted and never run: 5.6.3's corex hands the event an empty send
info, so the route never runs there either (tests/modules/test_sl_events.py).
Left out: $cfg (a clear run-time error: the VM does not track the running action's config
position), nio_intercept / event_route[network:msg] (a modparam nio_intercept > 0 is refused at
init), corex.shm_* / pkg_summary / debug RPCs and shm.* (memory reports Kamailio's allocator makes).
"""
from __future__ import annotations

from dataclasses import dataclass

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, CORE_ONREPLY_ROUTE, FAILURE_ROUTE, FMT, IGP, INT_PARAM, ONREPLY_ROUTE, PVAR,
                           REQUEST_ROUTE, STR_PARAM)
from cfgvm.sip import SipParseError
from cfgvm.vm.context import SendAction
from cfgvm.stdlib._common import ModuleError
from cfgvm.exports import NEEDS_INNER, PV, Function, Module, Param
from cfgvm.sip.forward import VIA_SRVID, VIA_XAVP_FIELDS, VIA_XAVP_PARAMS
from cfgvm.vm.transformations import tr_sock

MAX_XFLAG = 63
_RF = REQUEST_ROUTE | FAILURE_ROUTE          # send_udp/send_tcp in corex.c's export table


@dataclass
class Branch:
    uri: str
    dst_uri: str | None = None
    q: int = -1                 # Q_UNSPECIFIED
    bflags: int = 0
    path: str | None = None
    socket: object = None


def _q(text):
    """q value text ("0.5") -> Kamailio's int scale 0..1000, -1 when unspecified or invalid."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        return -1
    return int(round(v * 1000)) if 0 <= v <= 1 else -1


def append_branch(ctx, mod, uri=None, q=None):
    """corex_append_branch(): the branch takes the message's $du, branch flags and forced socket
    with either form (real 5.6.3: t_load_contacts records show them); with no uri the R-URI moves
    to the branch and those attributes are reset on the message."""
    msg = ctx.msg
    du = msg.dst_uri if msg.dst_uri is not None else ctx.dst_uri
    b = Branch(uri or msg.current_uri_str, du, _q(q) if q else -1, ctx.bflags,
               socket=getattr(ctx, "force_socket", None))
    max_branches = (getattr(ctx.program, "params", None) or {}).get("max_branches", 12)
    if len(ctx.branches) + 1 >= max_branches:
        return -1
    ctx.branches.append(b)
    if not uri:
        ctx.force_socket, ctx.bflags, ctx.dst_uri, msg.dst_uri = None, 0, None, None
    return 1


def _xflags(ctx):
    return ctx.mod_state.get("xflags", 0)


def setxflag(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    ctx.mod_state["xflags"] = _xflags(ctx) | (1 << flag)
    return 1


def resetxflag(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    ctx.mod_state["xflags"] = _xflags(ctx) & ~(1 << flag)
    return 1


def isxflagset(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    return 1 if _xflags(ctx) & (1 << flag) else -1


def is_faked_msg(ctx, mod):
    return 1 if getattr(ctx, "faked", False) else -1


def is_incoming(ctx, mod):
    """1 only while event_route[network:msg] handles an incoming buffer (Kamailio's nio_is_incoming
    flag); that route is not implemented, so outside it the flag is 0 and the answer -1, as 5.6.3."""
    return -1


# ---- send: the received buffer as it is (pending changes not applied: real Kamailio 5.6.3) ------
def _hostport(text, default_port=5060):
    host, port = text, default_port
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = int(p)
    return host, port


def _next_hop(ctx):
    from cfgvm.sip.uri import parse_uri
    u = parse_uri(ctx.msg.dst_uri or ctx.dst_uri or ctx.msg.current_uri_str)
    return u.host_noport_brackets, u.port_no or 5060


def _send(ctx, proto, dest, data):
    import ipaddress
    host, port = dest
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ModuleError(f"corex: DNS resolution of '{host}' is not implemented in cfgvm") from None
    r = ctx.rcv
    ctx.send(SendAction("send", proto, (host, port), data, (r.dst_ip, r.dst_port)))
    return 1


def _send_proto(proto):
    def handler(ctx, mod, dest=None):
        try:
            hp = _hostport(dest) if dest else _next_hop(ctx)
        except (ValueError, SipParseError):
            return -1
        return _send(ctx, proto, hp, ctx.msg.buf)
    handler.__name__ = f"send_{proto}"
    return handler


def send_data(ctx, mod, uri, data):
    """Raw data to the host:port (and transport) of a SIP URI."""
    from cfgvm.sip.uri import parse_uri
    try:
        u = parse_uri(uri)
    except SipParseError:
        return -1
    return _send(ctx, (u.transport or "udp").lower(), (u.host_noport_brackets, u.port_no or 5060),
                 data.encode("latin-1"))


# ---- files ---------------------------------------------------------------------------------------
def file_read(ctx, mod, path, ref):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return -1
    ref.set(ctx, data.decode("latin-1"))
    return 1


def file_write(ctx, mod, path, content):
    try:
        with open(path, "wb") as f:
            f.write(content.encode("latin-1"))
    except OSError:
        return -1
    return 1


# ---- internal message flags (by name, per message) ------------------------------------------------
IFLAG_NAMES = ("USE_UAC_FROM", "USE_UAC_TO", "UAC_AUTH")     # the names 5.6.3 knows (case-insensitive)


def _iflags(ctx):
    return ctx.mod_state.setdefault("iflags", set())


def _iflag(ctx, func, name):
    """The known flag name, or None after logging 5.6.3's error for an unknown one."""
    flag = name.upper()
    if flag in IFLAG_NAMES:
        return flag
    ctx.log(-1, f"ERROR: corex: {func}(): unsupported flag name [{name}]\n")
    return None


def msg_iflag_set(ctx, mod, name):
    flag = name.upper()
    if flag not in IFLAG_NAMES:
        # 5.6.3 does not check the name here and returns 1 (it sets an undefined bit); cfgvm says so
        ctx.log(0, f"WARNING: corex: w_msg_iflag_set(): unsupported flag name [{name}], not set "
                   f"(5.6.3 returns 1 without checking)\n")
        return 1
    _iflags(ctx).add(flag)
    return 1


def msg_iflag_reset(ctx, mod, name):
    flag = _iflag(ctx, "w_msg_iflag_reset", name)
    if flag is None:
        return -1
    _iflags(ctx).discard(flag)
    return 1


def msg_iflag_is_set(ctx, mod, name):
    flag = _iflag(ctx, "w_msg_iflag_is_set", name)
    if flag is None:
        return -1
    return 1 if flag in _iflags(ctx) else -2


# ---- sockets ---------------------------------------------------------------------------------------
def _socket_spec(text):
    """[proto:]host[:port] -> (proto, host, port)."""
    proto = None
    for p in ("udp", "tcp", "tls", "sctp", "ws", "wss"):
        if text.lower().startswith(p + ":"):
            proto, text = p, text[len(p) + 1:]
            break
    host, port = _hostport(text, 0)
    return proto, host, port


def _table(ctx):
    from cfgvm.transport.sockets import listen_table
    return listen_table(ctx.program, ctx.rcv)


def _set_socket(ctx, text, send: bool, by_name: bool):
    """ki_set_socket_helper(): an empty value resets the forced socket; a socket that is not
    listening is only warned about (return 1, nothing changes); a spec that does not parse is -1."""
    from dataclasses import replace
    from cfgvm.transport.sockets import ListenError
    if not text:
        ctx.force_socket = None
        return 1
    table = _table(ctx)
    if by_name:
        si = table.by_name(text)
    else:
        try:
            si = table.grep(text)
        except ListenError:
            ctx.log(-1, f"ERROR: corex: invalid socket specification [{text}]\n")
            return -1
    if si is None:
        ctx.log(0, f"WARNING: corex: no socket found to match [{text}] ({0 if send else 1})\n")
    elif send:
        ctx.force_socket = si
    else:
        if getattr(ctx, "bind_rcv", None) is None:
            ctx.bind_rcv = ctx.rcv          # the send socket choice still starts from it
        ctx.rcv = replace(ctx.rcv, proto=si.proto, dst_ip=si.ip, dst_port=si.port, conn_id=0)
    return 1


def set_send_socket(ctx, mod, saddr):
    """Like force_send_socket(): a listening socket kept for the forward ($fs)."""
    return _set_socket(ctx, saddr, True, False)


def set_send_socket_name(ctx, mod, name):
    return _set_socket(ctx, name, True, True)


def set_recv_socket(ctx, mod, saddr):
    """The message now counts as received on that listening socket ($Ri, $Rp, $pr, $Rn follow)."""
    return _set_socket(ctx, saddr, False, False)


def set_recv_socket_name(ctx, mod, name):
    return _set_socket(ctx, name, False, True)


def set_source_address(ctx, mod, saddr):
    """The message now counts as coming from saddr ($si, $sp)."""
    from dataclasses import replace
    try:
        proto, host, port = _socket_spec(saddr)
    except ValueError:
        return -1
    r = ctx.rcv
    ctx.rcv = replace(r, proto=proto or r.proto, src_ip=host, src_port=port or r.src_port)
    return 1


def forward_reply(ctx, mod):
    """forward_reply(): the core's stateless reply forwarding, now (its result is not checked,
    as corex's wrapper returns 1)."""
    from cfgvm.engine import forward_reply as core_forward_reply
    if not ctx.msg.is_request:
        core_forward_reply(ctx)
    return 1


def is_socket_name(ctx, mod, name):
    return 1 if _table(ctx).by_name(name) is not None else -1


def sendx(ctx, mod, uri, sock, data):
    """sendx(uri, socket, data): send_data() from the listening socket proto:host:port (a socket
    that is not listening is warned about and the usual one is taken)."""
    from cfgvm.sip.uri import parse_uri
    from cfgvm.transport.sockets import ListenError, send_socket
    try:
        u = parse_uri(uri)
    except SipParseError:
        return -1
    si = None
    if sock:
        try:
            si = _table(ctx).grep(sock)
        except ListenError:
            return -1
        if si is None:
            ctx.log(0, f"WARNING: corex: local socket not found: {sock}\n")
    proto = (u.transport or "udp").lower()
    host, port = u.host_noport_brackets, u.port_no or 5060
    if si is None:
        saved = ctx.force_socket
        ctx.force_socket = None
        si = send_socket(ctx, proto, host)
        ctx.force_socket = saved
    r = ctx.rcv
    src = (si.ip, si.port) if si is not None else (r.dst_ip, r.dst_port)
    import ipaddress
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ModuleError(f"corex: DNS resolution of '{host}' is not implemented in cfgvm") from None
    ctx.send(SendAction("send", proto, (host, port), data.encode("latin-1"), src))
    return 1


# ---- Via building flags (msg_flags FL_ADD_SRVID, FL_ADD_XAVP_VIA_PARAMS, FL_USE_XAVP_VIA_FIELDS) ----
def _via_flag(key):
    def handler(ctx, mod, on):
        if on:
            ctx.mod_state[key] = True
        else:
            ctx.mod_state.pop(key, None)
        return 1
    handler.__name__ = key
    return handler


# ---- $lsock(match/value/field), $cfg -------------------------------------------------------------
def get_lsock(ctx, spec):
    """$lsock(m/value/field): m n (name), l (listen), a (advertise), i (index: 5.6.3 never parses
    the number, so it is always socket 0); field n, l, a, i by its first letter. The field must
    be at least two characters long (5.6.3's check), else the expression is refused (empty)."""
    from cfgvm.vm.pv import dyn_name
    dyn = dyn_name(spec, ctx.program)
    text = dyn(ctx) if dyn is not None else spec.inner
    parts = text.split("/")
    if len(parts) != 3 or len(parts[0]) != 1 or parts[0] not in "nlia" or len(parts[2]) < 2 \
            or parts[2][0] not in "nlia":
        ctx.log(-1, f"ERROR: corex: pv_get_lsock(): failed to parse lsock expression [{text}]\n")
        return ""
    table = _table(ctx)
    m, val, fld = parts[0], parts[1], parts[2][0]
    si = {"n": table.by_name, "l": table.by_listen, "a": table.by_advertise,
          "i": lambda v: table.by_index(0)}[m](val)
    if si is None:
        return None
    if fld == "n":
        return si.sockname or ""
    if fld == "l":
        return str(si)
    if fld == "a":
        return si.adv_str
    return table.ordered().index(si)


_CFG_KEYS = ("line", "name", "file", "route")


def get_cfg(ctx, spec):
    if spec.inner not in _CFG_KEYS:
        raise ModuleError(f"$cfg: unknown key '{spec.inner}' (line, name, file, route)")
    raise ModuleError("$cfg: the VM does not track the config position of the running action "
                      "(not implemented in cfgvm)")


# ---- RPC ------------------------------------------------------------------------------------------
def rpc_list_sockets(mod, shared, table=None):
    """corex.list_sockets: one struct per listening socket (UDP list, then TCP ...). The caller
    passes the running program's table (cfgvm.transport.sockets.listen_table(program)); without
    one (no RPC transport serves corex yet) it is an RpcError. Field layout from corex_rpc.c,
    not compared with a live kamcmd."""
    from cfgvm.exports import RpcError
    table = table or shared.modules.get("corex", {}).get("sockets")
    if table is None:
        raise RpcError(500, "corex.list_sockets: no listen table (the program is not running)")
    out = []
    for s in table.ordered():
        ip = f"[{s.ip}]" if ":" in s.ip else s.ip
        out.append({"PROTO": s.proto, "NAME": s.name or ip, "ADDRLIST": {"ADDR": ip},
                    "PORT": str(s.port), "MCAST": "no", "MHOMED": "no", "VIRTUAL": "no",
                    "SOCKNAME": s.sockname or "-", "ADVERTISE": s.adv_host or "-"})
    return out


def rpc_list_aliases(mod, shared, table=None):
    from cfgvm.exports import RpcError
    table = table or shared.modules.get("corex", {}).get("sockets")
    if table is None:
        raise RpcError(500, "corex.list_aliases: no listen table (the program is not running)")
    return [{"PROTO": "*", "ADDR": h, "PORT": p} for h, p in table.aliases]


def init(mod):
    if (mod.params.get("nio_intercept") or 0) > 0:
        raise ModuleError("corex: nio_intercept (event_route[network:msg]) is not implemented in cfgvm")


EXPORTS = Module(
    name="corex",
    functions=[
        Function("append_branch", append_branch, (), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("append_branch", append_branch, (FMT,), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("append_branch", append_branch, (FMT, FMT), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("is_incoming", is_incoming, (), ANY_ROUTE),
        Function("setxflag", setxflag, (IGP,), ANY_ROUTE),
        Function("resetxflag", resetxflag, (IGP,), ANY_ROUTE),
        Function("isxflagset", isxflagset, (IGP,), ANY_ROUTE),
        Function("is_faked_msg", is_faked_msg, (), ANY_ROUTE),
        Function("send_udp", _send_proto("udp"), (), _RF),
        Function("send_udp", _send_proto("udp"), (FMT,), _RF),
        Function("send_tcp", _send_proto("tcp"), (), _RF),
        Function("send_tcp", _send_proto("tcp"), (FMT,), _RF),
        Function("send_data", send_data, (FMT, FMT), ANY_ROUTE),
        Function("file_read", file_read, (FMT, PVAR), ANY_ROUTE),
        Function("file_write", file_write, (FMT, FMT), ANY_ROUTE),
        Function("msg_iflag_set", msg_iflag_set, (FMT,), ANY_ROUTE),
        Function("msg_iflag_reset", msg_iflag_reset, (FMT,), ANY_ROUTE),
        Function("msg_iflag_is_set", msg_iflag_is_set, (FMT,), ANY_ROUTE),
        Function("set_send_socket", set_send_socket, (FMT,), ANY_ROUTE),
        Function("set_recv_socket", set_recv_socket, (FMT,), ANY_ROUTE),
        Function("set_source_address", set_source_address, (FMT,), ANY_ROUTE),
        Function("is_socket_name", is_socket_name, (FMT,), ANY_ROUTE),
        Function("set_send_socket_name", set_send_socket_name, (FMT,), ANY_ROUTE),
        Function("set_recv_socket_name", set_recv_socket_name, (FMT,), ANY_ROUTE),
        Function("sendx", sendx, (FMT, FMT, FMT), ANY_ROUTE),
        Function("via_add_srvid", _via_flag(VIA_SRVID), (IGP,), ANY_ROUTE),
        Function("via_add_xavp_params", _via_flag(VIA_XAVP_PARAMS), (IGP,), ANY_ROUTE),
        Function("via_use_xavp_fields", _via_flag(VIA_XAVP_FIELDS), (IGP,), ANY_ROUTE),
        Function("forward_reply", forward_reply, (), CORE_ONREPLY_ROUTE),
    ],
    params=[
        Param("alias_subdomains", STR_PARAM, None, multi=True),
        Param("dns_cache", STR_PARAM, None, multi=True),
        Param("nio_intercept", INT_PARAM, 0),
        Param("nio_min_msg_len", INT_PARAM, 0),
        Param("nio_msg_avp", STR_PARAM, ""),
        Param("evcb_reply_out", STR_PARAM, ""),
    ],
    pvs=[PV("lsock", get_lsock, inner=NEEDS_INNER), PV("cfg", get_cfg, inner=NEEDS_INNER)],
    transformations={"sock": tr_sock.TABLE},
    rpc={"corex.list_sockets": rpc_list_sockets, "corex.list_aliases": rpc_list_aliases},
    init=init,
)
