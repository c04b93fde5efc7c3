"""Transport: the received message's addresses ($si $sp $su $Ri $Rp $Ru $RA* $pr $af ...), the forced
send socket ($fs $fsn $fsp), and the onsend/received/reply data PVs ($snd $rcv $rpl)."""
from __future__ import annotations

from cfgvm import exports as X
from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError
from cfgvm.vm.pvs.common import INT_PROTO, L_ERR, NEED, PROTO_IDS, fix_inner
from cfgvm.vm.values import to_str


def _br6(ip):
    return f"[{ip}]" if ":" in ip else ip


def _rcv_field(attr: str):
    """The getter of one field of the receive info; null without one."""
    def get(ctx, p=None):
        r = ctx.rcv
        return None if r is None else getattr(r, attr)
    return get


get_si, get_sp, get_Ri, get_Rp, get_pr = (_rcv_field(a) for a in ("src_ip", "src_port", "dst_ip", "dst_port",
                                                                   "proto"))


def get_siz(ctx, p=None):
    r = ctx.rcv
    return None if r is None else _br6(r.src_ip)


def _rcv_address(side: str, form: str):
    """The getter of the received message's source ("src") or local ("dst") address as a SIP URI
    ("uri": ;transport only when not UDP; "uri_t": always) or as proto:ip:port ("sock")."""
    def get(ctx, p=None):
        r = ctx.rcv
        if r is None:
            return None
        ip, port = (r.src_ip, r.src_port) if side == "src" else (r.dst_ip, r.dst_port)
        if form == "sock":
            return f"{r.proto}:{_br6(ip)}:{port}"
        uri = f"sip:{_br6(ip)}:{port}"
        return uri if form == "uri" and r.proto == "udp" else f"{uri};transport={r.proto}"
    return get


get_su, get_sut, get_sas = (_rcv_address("src", f) for f in ("uri", "uri_t", "sock"))
get_Ru, get_Rut, get_Ras = (_rcv_address("dst", f) for f in ("uri", "uri_t", "sock"))


def _advertised(ctx):
    """(host, port) the receiving socket advertises (listen=... advertise), None when it does not."""
    from cfgvm.transport.sockets import recv_socket
    s = recv_socket(ctx)
    if s is None or not s.adv_host:
        return None
    return s.adv_host, s.adv_port or s.port


def get_RAi(ctx, p=None):
    adv = _advertised(ctx)
    return get_Ri(ctx) if adv is None else adv[0]


def get_RAp(ctx, p=None):
    adv = _advertised(ctx)
    return get_Rp(ctx) if adv is None else adv[1]


def _rcv_adv_uri(form: str):
    """$RAu/$RAut: $Ru/$Rut on the advertised address and port when the socket has them."""
    plain = _rcv_address("dst", form)

    def get(ctx, p=None):
        adv = _advertised(ctx)
        if adv is None:
            return plain(ctx)
        uri = f"sip:{_br6(adv[0].strip('[]'))}:{adv[1]}"
        proto = ctx.rcv.proto
        return uri if form == "uri" and proto == "udp" else f"{uri};transport={proto}"
    return get


get_RAu, get_RAut = _rcv_adv_uri("uri"), _rcv_adv_uri("uri_t")


def get_prid(ctx, p=None):
    r = ctx.rcv
    return None if r is None else PROTO_IDS.get(r.proto, 0)


def _fix_af(spec, program):
    if spec.inner not in ("id", "name"):
        raise PVError("$af: attribute must be id or name")
    return spec.inner == "name"


def get_af(ctx, name):
    r = ctx.rcv
    if r is None:
        return None
    af = r.af
    return ("IPv6" if af == 10 else "IPv4") if name else af


def get_conid(ctx, p=None):
    r = ctx.rcv
    if r is None or r.proto in ("udp", "sctp"):
        return None
    raise PVRuntimeError("$conid: TCP connection ids are not implemented yet")


def get_Rn(ctx, p=None):
    from cfgvm.transport.sockets import recv_socket_name
    return recv_socket_name(ctx)


# ---- the forced send socket ---------------------------------------------------------------------

def get_fs(ctx, p=None):
    fs = ctx.force_socket
    if isinstance(fs, tuple):            # force_send_socket()'s (proto, host, port): the listening socket
        from cfgvm.transport.sockets import forced_info
        fs = forced_info(ctx)
    return None if fs is None else str(fs)


def set_fs(ctx, p, value):
    if value is None:
        ctx.force_socket = None
        return
    v = to_str(value)
    proto, sep, rest = v.partition(":")
    if not sep or proto.lower() not in PROTO_IDS:
        ctx.log(L_ERR, f"pv_set_force_sock(): invalid socket specification [{v}]")
        return
    ctx.force_socket = v


def get_fsp(ctx, p=None):
    fs = ctx.force_socket
    if fs is None:
        return None
    port = str(fs).rpartition(":")[2]
    return int(port) if port.isdigit() else None


def get_fsn(ctx, p=None):
    from cfgvm.transport.sockets import force_socket_name
    return force_socket_name(ctx)


def set_fsn(ctx, p, value):
    from cfgvm.transport.sockets import set_force_socket_name
    set_force_socket_name(ctx, value)


# ---- data of onsend_route, event_route[core:msg-received] and replies: not implemented ---------

def get_snd(ctx, p=None):
    """Null outside onsend_route, where Kamailio fills it; a clear error inside (not implemented)."""
    if ctx.route_type & X.ONSEND_ROUTE:
        raise PVRuntimeError("$snd/$sndto/$sndfrom (onsend_route data) is not implemented yet")
    return None


def get_rcv(ctx, p):
    if ctx.mod_state.get("core.msg_received"):
        raise PVRuntimeError("$rcv (event_route[core:msg-received]) is not implemented yet")
    return None


def get_rpl(ctx, p):
    m = ctx.msg
    if m is None or m.is_request:
        return None
    raise PVRuntimeError("$rpl (reply routing attributes) is not implemented yet")


ROWS = [
    PVDef("si", get_si), PVDef("src_ip", get_si), PVDef("siz", get_siz), PVDef("sp", get_sp),
    PVDef("su", get_su), PVDef("sut", get_sut), PVDef("sas", get_sas),
    PVDef("Ri", get_Ri), PVDef("Rp", get_Rp), PVDef("Ru", get_Ru), PVDef("Rut", get_Rut),
    PVDef("Ras", get_Ras), PVDef("Rn", get_Rn),
    PVDef("RAi", get_RAi), PVDef("RAp", get_RAp), PVDef("RAu", get_RAu), PVDef("RAut", get_RAut),
    PVDef("pr", get_pr, int_form=INT_PROTO), PVDef("proto", get_pr, int_form=INT_PROTO), PVDef("prid", get_prid),
    PVDef("af", get_af, inner=NEED, fixup=_fix_af), PVDef("conid", get_conid),
    PVDef("fs", get_fs, set_fs), PVDef("fsn", get_fsn, set_fsn), PVDef("fsp", get_fsp),
    PVDef("snd", get_snd, inner=NEED, fixup=fix_inner),
    PVDef("sndto", get_snd, inner=NEED, fixup=fix_inner),
    PVDef("sndfrom", get_snd, inner=NEED, fixup=fix_inner),
    PVDef("rcv", get_rcv, inner=NEED, fixup=fix_inner),
    PVDef("rpl", get_rpl, inner=NEED, fixup=fix_inner),
]
