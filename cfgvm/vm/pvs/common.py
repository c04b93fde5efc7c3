"""Helpers and constants shared by the PV families: null-on-parse-error reads, ids, dual int forms."""
from __future__ import annotations

from cfgvm import exports as X
from cfgvm.sip.errors import SipParseError
from cfgvm.vm.pv import PVError
from cfgvm.vm.values import wrap32

NI, NEED, OPT = X.NO_INNER, X.NEEDS_INNER, X.OPTIONAL_INNER
KAMAILIO_VERSION = "5.6.3"
L_ERR = -1

PROTO_IDS = {"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}
# Kamailio's method ids (parser/msg_parser.h enum request_method)
METHOD_IDS = {"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32,
              "SUBSCRIBE": 64, "NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024,
              "UPDATE": 2048, "REFER": 4096, "PUBLISH": 8192, "KDMQ": 16384, "GET": 32768,
              "POST": 65536, "PUT": 131072, "DELETE": 262144}
METHOD_OTHER = 524288


def safe(f):
    """Kamailio's getters return null when the message part cannot be parsed."""
    try:
        return f()
    except (SipParseError, ValueError, IndexError, AttributeError):
        return None


def none_if_empty(s):
    return s if s else None


def req(ctx):
    m = ctx.msg
    return m if m is not None and m.is_request else None


# ---- fixups and getters of the same shape in several families ------------------------------

def fix_inner(spec, program):
    """The inner name as the param, unparsed."""
    return spec.inner


def attr_fixup(table: dict):
    """A fixup picking the per-attribute function of `table` by the inner name."""
    def fix(spec, program):
        f = table.get(spec.inner)
        if f is None:
            raise PVError(f"${spec.cls}: unknown attribute '{spec.inner}' ({' '.join(table)})")
        return f
    return fix


def get_const(ctx, v):
    return v


def get_call(ctx, f):
    """For fixups that compile the whole read into a callable(ctx)."""
    return f(ctx)


# ---- the int side of Kamailio's dual-typed PVs -----------------------------------------------
# pv_core.c pv_get_strintval/pv_get_intstrval, for cfgt: ports as numbers, protocols as enum
# sip_protos, schemes as enum _uri_type, methods as METHOD_* bits, hex flags as the (signed) int.
# $rs/$rsi/$cl/$Rp/$RAp/$fsp/$true are ints already.
_PROTO_INTS = {"none": 0, **PROTO_IDS}
_SCHEME_IDS = {"none": 0, "sip": 1, "sips": 2, "tel": 3, "tels": 4, "urn": 5}


def INT_PORT(v):
    return int(v) if isinstance(v, int) or (isinstance(v, str) and v.isdigit()) else None


def INT_PROTO(v):
    return None if v is None else _PROTO_INTS.get(str(v).lower(), 7)     # PROTO_OTHER


def INT_SCHEME(v):
    return None if v is None else _SCHEME_IDS.get(str(v).lower(), 0)


def INT_METHOD(v):
    return None if v is None else METHOD_IDS.get(str(v).upper(), METHOD_OTHER)


def INT_HEX(v):
    return None if v is None else wrap32(int(v, 16))
