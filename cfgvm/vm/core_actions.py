"""Core functions (kamailio-language.md §5): one export table, like a module's, named "core".

Handlers are `handler(ctx, program, *args) -> int`; the fixups turn the parser's literal argument
nodes (Const, Name, IP, Host, SocketSpec) into plain values once, at compile time.
R-URI edits go through the message (msg.new_uri), as Kamailio's rewrite actions set new_uri.

Effects other parts read from the context (set here, Kamailio's msg_flags and send flags):
  ctx.force_rport, ctx.add_local_rport, ctx.tcp_alias (None|True|port), ctx.mtu_try_proto,
  ctx.advertised_address, ctx.advertised_port, ctx.force_socket ((proto, addr, port)),
  ctx.conn_flags (set of "forward_no_connect", "reply_no_connect", "forward_close", "reply_close"),
  ctx.cfg_instance ({group: instance}).
"""
from __future__ import annotations

from cfgvm import ast as A
from cfgvm.exports import ANY_ROUTE, Function, Module
from cfgvm.vm.context import SendAction

L_NOTICE, L_DBG = 1, 3
PROTOS = ("udp", "tcp", "tls", "sctp", "ws", "wss")


class CoreActionError(RuntimeError):
    """A core action that needs a piece cfgvm lacks (refused clearly, never a silent no-op)."""


def _text(node) -> str:
    if isinstance(node, A.Const):
        return str(node.value)
    if isinstance(node, A.Name):
        return node.name
    if isinstance(node, (A.IP, A.Host)):
        return node.text
    if isinstance(node, str):
        return node
    return A._arg_src(node)


def _consts(args, coord, program):
    return [a.value if isinstance(a, A.Const) else _text(a) for a in args]


def _flag_fixup(args, coord, program):
    a = args[0]
    if isinstance(a, A.Const) and isinstance(a.value, int):
        bit = a.value
    else:
        name = _text(a)
        flags = getattr(program, "flags", {}) or {}
        if name not in flags:
            raise ValueError(f"flag '{name}' is not declared (flags {name}:N)")
        bit = flags[name]
    if not 0 <= bit <= 31:
        raise ValueError(f"flag {bit} out of range 0..31")
    return [1 << bit]


# ---- flags --------------------------------------------------------------------------------------
def setflag(ctx, prog, mask):
    ctx.flags |= mask
    return 1


def resetflag(ctx, prog, mask):
    ctx.flags &= ~mask
    return 1


def isflagset(ctx, prog, mask):
    return 1 if ctx.flags & mask else -1


def _avpflag(ctx, prog, *args):
    raise CoreActionError("setavpflag/resetavpflag/isavpflagset: AVP flags are not implemented in cfgvm yet")


# ---- logging and misc ---------------------------------------------------------------------------
def log1(ctx, prog, text):
    ctx.log(L_DBG + 1, text)
    return 1


def log2(ctx, prog, level, text):
    ctx.log(level, text)
    return 1


def error(ctx, prog, a, b):
    ctx.log(L_NOTICE, f"error({a}, {b})\n")
    return 1


def exec_(ctx, prog, cmd):
    raise CoreActionError(f"exec(\"{cmd}\"): running shell commands is refused by cfgvm")


# ---- R-URI ----------------------------------------------------------------------------------------
def _uri(ctx):
    return ctx.msg.current_uri


def _set_uri(ctx, **parts):
    ctx.msg.new_uri = str(_uri(ctx).replace(**parts))
    return 1


def rewritehost(ctx, prog, host):
    return _set_uri(ctx, host=host)


def _split_hostport(s):
    if s.startswith("["):
        end = s.find("]")
        return s[:end + 1], s[end + 2:] if s[end + 1:end + 2] == ":" else ""
    host, _, port = s.partition(":")
    return host, port


def rewritehostport(ctx, prog, hp):
    host, port = _split_hostport(hp)
    return _set_uri(ctx, host=host, port=port)


def rewritehostporttrans(ctx, prog, hpt):
    hp, _, params = hpt.partition(";")
    host, port = _split_hostport(hp)
    old = [p for p in _uri(ctx).params_str.split(";") if p and not p.lower().startswith("transport=")]
    new = [p for p in params.split(";") if p]
    return _set_uri(ctx, host=host, port=port, params_str=";".join(new + old))


def rewriteuser(ctx, prog, user):
    return _set_uri(ctx, user=user)


def rewriteuserpass(ctx, prog, up):
    user, sep, pw = up.partition(":")
    return _set_uri(ctx, user=user, password=pw if sep else None)


def rewriteport(ctx, prog, port):
    return _set_uri(ctx, port=port)


def rewriteuri(ctx, prog, uri):
    ctx.msg.new_uri = uri
    return 1


def revert_uri(ctx, prog):
    ctx.msg.new_uri = None
    return 1


def prefix(ctx, prog, p):
    return _set_uri(ctx, user=p + _uri(ctx).user)


def strip(ctx, prog, n):
    user = _uri(ctx).user
    return _set_uri(ctx, user=user[n:] if n <= len(user) else "")


def strip_tail(ctx, prog, n):
    user = _uri(ctx).user
    return _set_uri(ctx, user=user[:len(user) - n] if n <= len(user) else "")


def userphone(ctx, prog):
    u = _uri(ctx)
    if any(p.lower() == "user=phone" for p in u.params_str.split(";")):
        return 1
    return _set_uri(ctx, params_str=(u.params_str + ";" if u.params_str else "") + "user=phone")


# ---- branches -------------------------------------------------------------------------------------
def remove_branch0(ctx, prog):
    if not ctx.branches:
        return -1
    ctx.branches.pop()
    return 1


def remove_branch1(ctx, prog, idx):
    if not 0 <= idx < len(ctx.branches):
        return -1
    del ctx.branches[idx]
    return 1


def clear_branches(ctx, prog):
    ctx.branches.clear()
    ctx.bflags = 0                  # dset.c clear_branches() resets branch 0's flags too (5.6.3: $bf 0)
    return 1


# ---- transport flags --------------------------------------------------------------------------------
def _setter(attr, value=True):
    def handler(ctx, prog, *args):
        setattr(ctx, attr, args[0] if args else value)
        return 1
    handler.__name__ = attr
    return handler


def _conn_flag(flag):
    def handler(ctx, prog):
        flags = getattr(ctx, "conn_flags", None)
        if flags is None:
            flags = ctx.conn_flags = set()
        flags.add(flag)
        return 1
    handler.__name__ = flag
    return handler


def _sock_fixup(args, coord, program):
    s = args[0]
    if isinstance(s, A.SocketSpec):
        addrs = [_text(a) for a in s.addrs]
        return [(s.proto, addrs[0] if len(addrs) == 1 else tuple(addrs), s.port)]
    return [(None, _text(s), None)]


def force_send_socket(ctx, prog, sock):
    ctx.force_socket = sock
    return 1


def _proto_fixup(args, coord, program):
    p = _text(args[0]).lower()
    if p not in PROTOS:
        raise ValueError(f"unknown protocol '{p}'")
    return [p]


def _int_fixup(args, coord, program):
    a = args[0]
    v = a.value if isinstance(a, A.Const) else _text(a)
    if not isinstance(v, int):
        raise ValueError(f"a number is expected, got {v!r}")
    return [v]


def _log_fixup(args, coord, program):
    return [args[0].value, args[1].value]


def _cfg_group_fixup(args, coord, program):
    group = _text(args[0])
    groups = getattr(program, "cfg_groups", None)
    if groups is not None and group not in groups:
        raise ValueError(f"unknown configuration group '{group}'")
    out = [group]
    if len(args) > 1:
        from cfgvm.compiler.resolve import fold
        v = fold(args[1])
        if not isinstance(v, A.Const):
            raise ValueError("cfg_select: the instance must be a constant here")
        out.append(v.value)
    return out


def cfg_select(ctx, prog, group, idx):
    inst = getattr(ctx, "cfg_instance", None)
    if inst is None:
        inst = ctx.cfg_instance = {}
    inst[group] = idx
    return 1


def cfg_reset(ctx, prog, group):
    inst = getattr(ctx, "cfg_instance", None)
    if inst:
        inst.pop(group, None)
    return 1


# ---- forwarding ---------------------------------------------------------------------------------------
def _fwd_fixup(args, coord, program):
    out = []
    for a in args:
        t = _text(a)
        out.append(t if t in ("uri:host", "uri:port") else (a.value if isinstance(a, A.Const) else t))
    while len(out) < 2:
        out.append(None)
    return out


def _forward(proto):
    def handler(ctx, prog, host=None, port=None):
        from cfgvm.sip import forward as fw
        from cfgvm.sip.uri import parse_uri
        msg = ctx.msg
        uri = parse_uri(msg.dst_uri or msg.current_uri_str)
        if host in (None, "uri:host"):
            host = uri.host_noport_brackets            # maddr is not used (5.6.3 built without HONOR_MADDR)
        given_port = uri.port_no if port in (None, "uri:port") else int(port)
        if port in (None, "uri:port"):
            port = uri.port_no or (5061 if uri.scheme == "sips" else 5060)
        p = proto or (uri.transport or "udp").lower()
        if not _is_ip(host):
            # RFC 3263 through the program's DNS cache (SRV when no port; Kamailio's first destination)
            from cfgvm import dns
            want = proto or (("tls" if uri.scheme == "sips" else uri.transport.lower()) or None)
            try:
                p, host, port = dns.resolver_for(prog).resolve_sip_destinations(
                    host, want, given_port, ctx.clock())[0]
            except dns.DnsError as e:
                ctx.log(-1, f"forward: bad host name {host}, dropping packet ({e})\n")
                return -478                                      # E_BAD_ADDRESS
        from cfgvm.transport.sockets import send_socket, via_params
        local = ctx.rcv
        sock = send_socket(ctx, p, host)
        if sock is None:
            ctx.log(-1, f"forward: no listening {p} socket for the address family of {host}\n")
            return -1
        via_host, via_port, extra = via_params(ctx, sock)
        fw.prepare_forward(msg, via_host, via_port, p.upper(), src_ip=local.src_ip, src_port=local.src_port,
                           force_rport=bool(getattr(ctx, "force_rport", False)), extra=extra)
        data = msg.to_bytes(sock, ctx.rcv, global_address=getattr(ctx, "advertised_address", None),
                            global_port=getattr(ctx, "advertised_port", None))   # rr's send-time lumps
        ctx.send(SendAction("forward", p, (host.strip("[]"), int(port)), data, (sock.ip, sock.port)))
        return 1
    handler.__name__ = f"forward_{proto or 'any'}"
    return handler


def _is_ip(h: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(h.strip("[]"))
        return True
    except ValueError:
        return False


def _fwd_rows():
    rows = []
    for name, proto in (("forward", None), ("forward_udp", "udp"), ("forward_tcp", "tcp"),
                        ("forward_tls", "tls"), ("forward_sctp", "sctp")):
        h = _forward(proto)
        rows += [Function(name, h, (), ANY_ROUTE, fixup=_fwd_fixup),
                 Function(name, h, ("host",), ANY_ROUTE, fixup=_fwd_fixup),
                 Function(name, h, ("host", "port"), ANY_ROUTE, fixup=_fwd_fixup)]
    return rows


def _rows(names, handler, args=(), fixup=_consts):
    return [Function(n, handler, args, ANY_ROUTE, fixup=fixup) for n in names]


CORE = Module(name="core", functions=[
    *_fwd_rows(),
    Function("log", log1, ("text",), ANY_ROUTE, fixup=_consts),
    Function("log", log2, ("level", "text"), ANY_ROUTE, fixup=_log_fixup),
    Function("error", error, ("a", "b"), ANY_ROUTE, fixup=_consts),
    Function("exec", exec_, ("cmd",), ANY_ROUTE, fixup=_consts),
    *_rows(("setflag",), setflag, ("flag",), _flag_fixup),
    *_rows(("resetflag",), resetflag, ("flag",), _flag_fixup),
    *_rows(("isflagset",), isflagset, ("flag",), _flag_fixup),
    *_rows(("setavpflag", "resetavpflag", "isavpflagset"), _avpflag, ("avp", "flag")),
    *_rows(("rewritehost", "sethost", "seth"), rewritehost, ("host",)),
    *_rows(("rewritehostport", "sethostport", "sethp"), rewritehostport, ("hostport",)),
    *_rows(("rewritehostporttrans", "sethostporttrans", "sethpt"), rewritehostporttrans, ("hpt",)),
    *_rows(("rewriteuser", "setuser", "setu"), rewriteuser, ("user",)),
    *_rows(("rewriteuserpass", "setuserpass", "setup"), rewriteuserpass, ("userpass",)),
    *_rows(("rewriteport", "setport", "setp"), rewriteport, ("port",)),
    *_rows(("rewriteuri", "seturi"), rewriteuri, ("uri",)),
    *_rows(("revert_uri",), revert_uri),
    *_rows(("prefix",), prefix, ("prefix",)),
    *_rows(("strip",), strip, ("n",), _int_fixup),
    *_rows(("strip_tail",), strip_tail, ("n",), _int_fixup),
    *_rows(("userphone",), userphone),
    *_rows(("remove_branch",), remove_branch0),
    *_rows(("remove_branch",), remove_branch1, ("idx",), _int_fixup),
    *_rows(("clear_branches",), clear_branches),
    *_rows(("force_rport", "add_rport"), _setter("force_rport")),
    *_rows(("add_local_rport",), _setter("add_local_rport")),
    *_rows(("force_tcp_alias", "add_tcp_alias"), _setter("tcp_alias")),
    *_rows(("force_tcp_alias", "add_tcp_alias"), _setter("tcp_alias"), ("port",), _int_fixup),
    *_rows(("udp_mtu_try_proto",), _setter("mtu_try_proto"), ("proto",), _proto_fixup),
    *_rows(("set_advertised_address",), _setter("advertised_address"), ("addr",)),
    *_rows(("set_advertised_port",), _setter("advertised_port"), ("port",), _int_fixup),
    *_rows(("force_send_socket",), force_send_socket, ("socket",), _sock_fixup),
    *_rows(("set_forward_no_connect",), _conn_flag("forward_no_connect")),
    *_rows(("set_reply_no_connect",), _conn_flag("reply_no_connect")),
    *_rows(("set_forward_close",), _conn_flag("forward_close")),
    *_rows(("set_reply_close",), _conn_flag("reply_close")),
    *_rows(("cfg_select",), cfg_select, ("group", "instance"), _cfg_group_fixup),
    *_rows(("cfg_reset",), cfg_reset, ("group",), _cfg_group_fixup),
])

NAMES = frozenset(f.name for f in CORE.functions)
