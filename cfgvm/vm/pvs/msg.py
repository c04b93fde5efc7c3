"""The message: first line ($rm $rs $rr ...), common headers by short name ($ci $cs $ct $ua ...), the
body ($rb $bs $cl) and the whole buffer ($ml $mb $msg(attr) $msgbuf(i)), $expires(min|max)."""
from __future__ import annotations

from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError
from cfgvm.vm.pvs.common import INT_METHOD, METHOD_IDS, METHOD_OTHER, NEED, attr_fixup, safe


def _hbody(name):
    def get(ctx, p=None):
        m = ctx.msg
        return None if m is None else m.hdr(name)
    return get


def get_ci(ctx, p=None):
    m = ctx.msg
    if m is None:
        return None
    v = m.hdr("call-id")
    return None if v is None else v.strip(" \t\r\n")


def _cseq(ctx):
    m = ctx.msg
    return None if m is None else safe(lambda: m.cseq)


def get_cs(ctx, p=None):
    c = _cseq(ctx)
    return None if c is None else c.number


def get_rm(ctx, p=None):
    m = ctx.msg
    if m is None:
        return None
    if m.is_request:
        return m.method
    c = _cseq(ctx)
    return None if c is None else c.method


def get_rmid(ctx, p=None):
    v = get_rm(ctx)
    if v is None:
        return None
    return METHOD_IDS.get(v.upper(), METHOD_OTHER)


def get_rs(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.is_request else m.status


def get_rsi(ctx, p=None):
    m = ctx.msg
    return 0 if m is None or m.is_request else m.status


def get_rr(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.is_request else m.reason


def get_rv(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.version


def get_cl(ctx, p=None):
    m = ctx.msg
    return None if m is None else safe(lambda: m.content_length)


def get_bs(ctx, p=None):
    m = ctx.msg
    return None if m is None else len(m.body)


def get_rb(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.body_start is None else m.body_str


# ---- whole message ---------------------------------------------------------------------------

def get_ml(ctx, p=None):
    m = ctx.msg
    return None if m is None else len(m.buf)


def get_mb(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.text


def get_mbu(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.to_bytes().decode("latin-1")


def get_mt(ctx, p=None):
    m = ctx.msg
    return 0 if m is None else (1 if m.is_request else 2)


def get_mts(ctx, p=None):
    m = ctx.msg
    return None if m is None else ("rq" if m.is_request else "rp")


def get_mi(ctx, p=None):
    mid = getattr(ctx, "msg_id", None)
    if mid is None:
        raise PVRuntimeError("$mi: the runtime context has no msg_id (message id) yet")
    return mid


def _eoh(m):
    return m.eoh if m.eoh is not None else len(m.text)


def _hdrs(m):
    """The header block without the last header's line end (1291 bytes for the oracle INVITE) [V]."""
    t = m.text[m.hdr_start:_eoh(m)]
    return t[:-2] if t.endswith("\r\n") else t[:-1] if t.endswith("\n") else t


MSG_ATTRS = {
    "len": lambda m: len(m.buf), "buf": lambda m: m.text,
    "body": lambda m: m.body_str if m.body_start is not None else None,
    "body_len": lambda m: len(m.body),
    "hdrs": lambda m: _hdrs(m),
    "hdrs_len": lambda m: len(_hdrs(m)),
    "hdrc": lambda m: len(m._h),
    "fline": lambda m: m.first_line,
    "fpart": lambda m: m.text[:m.body_start if m.body_start is not None else len(m.text)],
    "lpart": lambda m: m.text[m.hdr_start:],
}


def get_msg(ctx, f):
    m = ctx.msg
    return None if m is None else f(m)


def _fix_int_inner(spec, program):
    t = spec.inner.strip()
    if not t.lstrip("-").isdigit():
        raise PVError(f"${spec.cls}: the inner name must be a number")
    return int(t)


def get_msgbuf(ctx, i):
    m = ctx.msg
    if m is None or not 0 <= i < len(m.text):
        return None
    return m.text[i]


def set_msgbuf(ctx, i, value):
    raise PVRuntimeError("$msgbuf: writing the message buffer is not implemented yet")


def _expires_values(m):
    exp_hdr = safe(lambda: m.parsed("expires"))
    out = []
    for c in safe(m.contacts) or []:
        if c == "*":
            continue
        e = c.params.get("expires")
        if e is not None and e.isdigit():
            out.append(int(e))
        elif exp_hdr is not None:
            out.append(exp_hdr)
    if not out and exp_hdr is not None:
        out.append(exp_hdr)
    return out


def _fix_expires(spec, program):
    if spec.inner not in ("min", "max"):
        raise PVError("$expires: attribute must be min or max")
    return min if spec.inner == "min" else max


def get_expires(ctx, f):
    m = ctx.msg
    vals = [] if m is None else _expires_values(m)
    return f(vals) if vals else None


ROWS = [
    PVDef("rm", get_rm, int_form=INT_METHOD), PVDef("rmid", get_rmid), PVDef("rs", get_rs), PVDef("rsi", get_rsi),
    PVDef("rr", get_rr), PVDef("rv", get_rv),
    PVDef("ci", get_ci), PVDef("cs", get_cs), PVDef("csb", _hbody("cseq")),
    PVDef("ct", _hbody("contact")), PVDef("cT", _hbody("content-type")), PVDef("cl", get_cl),
    PVDef("bs", get_bs), PVDef("rb", get_rb), PVDef("ua", _hbody("user-agent")),
    PVDef("ml", get_ml), PVDef("mb", get_mb), PVDef("mbu", get_mbu), PVDef("mt", get_mt),
    PVDef("mts", get_mts), PVDef("mi", get_mi),
    PVDef("msg", get_msg, inner=NEED, fixup=attr_fixup(MSG_ATTRS)),
    PVDef("msgbuf", get_msgbuf, set_msgbuf, inner=NEED, fixup=_fix_int_inner),
    PVDef("expires", get_expires, inner=NEED, fixup=_fix_expires),
]
