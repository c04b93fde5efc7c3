"""xlog: formatted logging from the script (Kamailio 5.6 src/modules/xlog).

Levels are Kamailio's numbers (L_ALERT -5 ... L_DBG 3). A log line is recorded with ctx.log(level,
prefix + text, facility); whether it is printable at the current `debug` level is the log sink's choice,
so these functions always return 1 (as Kamailio does for an unprintable level).
Level argument: a literal whose THIRD character picks the level (A B C E W N I D; case-sensitive, so
"L_CRIT" is L_CRIT2 = -3, as xlog's fixup does), or a PV that must give an int at run time (else -1).
xlogl/xdbgl prefix the text with the cfg line ("LINE:" or "FILE:LINE:" with long_format=1).
Not implemented: nothing from 5.6's README is left out.
"""
from __future__ import annotations

from cfgvm.exports import (ANY_ROUTE, FMT, INT_PARAM, Module, NEEDS_INNER, PV, Function, Param,
                           STR, STR_PARAM)
from cfgvm.vm import fmt as _fmt
from cfgvm.stdlib._common import ModuleError, eval_spec

L_ALERT, L_BUG, L_CRIT2, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO, L_DBG = -5, -4, -3, -2, -1, 0, 1, 2, 3
_LEVEL_BY_CHAR = {"A": L_ALERT, "B": L_BUG, "C": L_CRIT2, "E": L_ERR, "W": L_WARN, "N": L_NOTICE,
                  "I": L_INFO, "D": L_DBG}
FACILITIES = ("LOG_AUTH", "LOG_CRON", "LOG_DAEMON", "LOG_KERN", "LOG_LOCAL0", "LOG_LOCAL1", "LOG_LOCAL2",
              "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5", "LOG_LOCAL6", "LOG_LOCAL7", "LOG_LPR", "LOG_MAIL",
              "LOG_NEWS", "LOG_USER", "LOG_UUCP", "LOG_AUTHPRIV", "LOG_FTP", "LOG_SYSLOG")
# METHOD_* bits of Kamailio's parser/msg_parser.h, for methods_filter / xlogm
METHOD_BITS = {"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32, "SUBSCRIBE": 64,
               "NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024, "UPDATE": 2048,
               "REFER": 4096, "PUBLISH": 8192, "KDMQ": 16384, "GET": 32768, "POST": 65536,
               "PUT": 131072, "DELETE": 262144}
METHOD_OTHER = 1 << 19
_COLOR_FG = dict(zip("xsrgybpcw", ("39", "30", "31", "32", "33", "34", "35", "36", "37")))
_COLOR_BG = dict(zip("xsrgybpcw", ("49", "40", "41", "42", "43", "44", "45", "46", "47")))


# ---- fixups (compile time) ------------------------------------------------------------------
class Level:
    """A fixed-up level argument: a constant level or a PV read per call."""
    __slots__ = ("value", "spec")

    def __init__(self, value=None, spec=None):
        self.value, self.spec = value, spec


def parse_level(text: str) -> Level:
    if text.startswith("$"):
        from cfgvm.vm import pvspec
        return Level(spec=pvspec.parse(text))
    if len(text) < 3 or text[2] not in _LEVEL_BY_CHAR:
        raise ValueError(f"unknown log level '{text}'")
    return Level(_LEVEL_BY_CHAR[text[2]])


def parse_facility(text: str) -> str:
    if text.upper() not in FACILITIES:
        raise ValueError(f"invalid syslog facility '{text}'")
    return text.upper()


def _arg_text(a) -> str:
    return a.value if hasattr(a, "value") and isinstance(a.value, str) else str(a)


def _fixup(kinds, with_line=False):
    """Fixup for (facility?, level?, format): levels/facilities checked now, the format parsed once."""
    def fixup(args, coord, program):
        out = []
        for kind, a in zip(kinds, args):
            text = _arg_text(a)
            if kind == "facility":
                out.append(parse_facility(text))
            elif kind == "level":
                out.append(parse_level(text))
            else:
                out.append(_fmt.parse(text))
        if with_line:
            out.append(coord)
        return out
    return fixup


# ---- handlers -------------------------------------------------------------------------------
def _level_value(ctx, lev: Level):
    if lev.spec is None:
        return lev.value
    v = eval_spec(ctx, lev.spec)
    return v if isinstance(v, int) else None


def _prefix(ctx, mod) -> str:
    p = mod.params.get("prefix", "<script>: ")
    if mod.params.get("prefix_mode", 0) and "$" in p:
        from cfgvm.stdlib._common import render
        got = render(ctx, p)
        return got if got else p
    return p


def _emit(ctx, mod, level, text, facility=None, coord=None):
    if coord is not None:
        line = getattr(coord, "line", 0)
        text = (f"{getattr(coord, 'file', '')}:{line}:{text}" if mod.params.get("long_format", 0) == 1
                else f"{line}:{text}")
    ctx.log(level, _prefix(ctx, mod) + text, facility or mod.params.get("log_facility"))
    return 1


def _text(ctx, f) -> str:
    if isinstance(f, str):
        return f
    lit = f.literal
    if lit is not None:
        return lit
    from cfgvm.stdlib._common import pv_getter
    return _fmt.render(f, pv_getter(ctx))


def xlog_1(ctx, mod, f, coord=None):
    return _emit(ctx, mod, L_ERR, _text(ctx, f), coord=coord)


def xlog_2(ctx, mod, lev, f, coord=None):
    level = _level_value(ctx, lev)
    if level is None:
        return -1
    return _emit(ctx, mod, level, _text(ctx, f), coord=coord)


def xlog_3(ctx, mod, fac, lev, f, coord=None):
    level = _level_value(ctx, lev)
    if level is None:
        return -1
    return _emit(ctx, mod, level, _text(ctx, f), fac, coord=coord)


def xlogm_2(ctx, mod, lev, f):
    mfilter = mod.params.get("methods_filter", -1)
    if mfilter == -1:
        return 1
    msg = ctx.msg
    if msg.is_request:
        bit = METHOD_BITS.get(msg.method_known, METHOD_OTHER)
    else:
        cseq = msg.cseq
        if cseq is None:
            return -1
        bit = METHOD_BITS.get(cseq.method.upper(), METHOD_OTHER)
    if bit & mfilter:
        return 1
    return xlog_2(ctx, mod, lev, f)


def _fixed(level):
    def handler(ctx, mod, f, coord=None):
        return _emit(ctx, mod, level, _text(ctx, f), coord=coord)
    return handler


# ---- $C(xy) ---------------------------------------------------------------------------------
def color_code(name: str) -> str:
    """The terminal escape of a two-letter colour name (dprint_term_color)."""
    if len(name) != 2 or name[0] not in "xsrgybpcwSRGYBPCW" or name[1] not in _COLOR_BG:
        raise ValueError(f"invalid color name '{name}'")
    f = name[0]
    bold = "0;" if f.islower() else "1;"
    return f"\033[{bold}{_COLOR_FG[f.lower()]};{_COLOR_BG[name[1]]}m"


def get_color(ctx, spec):
    code = color_code(spec.inner or "")
    params = getattr(ctx.program, "params", None) or {}
    mod = getattr(ctx.program, "modules", {}).get("xlog")
    force = mod.params.get("force_color", 0) if mod is not None else 0
    if not params.get("log_stderror", 0) and not force:
        return ""
    return code


def set_log_colors(mod, value):
    """log_colors: "L_LEVEL=fb" (a list separated by ';'); each pair checked like $C's names."""
    for item in value.split(";"):
        if not item.strip():
            continue
        name, eq, col = item.partition("=")
        if not eq or len(col.strip()) != 2:
            raise ValueError(f"invalid log_colors item '{item}'")
        parse_level(name.strip())
        mod.params.setdefault("log_colors", []).append((name.strip(), col.strip()))


def init(mod):
    fac = mod.params.get("log_facility")
    if fac:
        mod.params["log_facility"] = parse_facility(fac)
    prefix = mod.params.get("prefix")
    if prefix and mod.params.get("prefix_mode", 0):
        _fmt.parse(prefix)


_F = FMT
EXPORTS = Module(
    name="xlog",
    functions=[
        Function("xlog", xlog_1, (_F,), ANY_ROUTE),
        Function("xlog", xlog_2, (STR, _F), ANY_ROUTE, fixup=_fixup(("level", "fmt"))),
        Function("xlog", xlog_3, (STR, STR, _F), ANY_ROUTE, fixup=_fixup(("facility", "level", "fmt"))),
        Function("xdbg", _fixed(L_DBG), (_F,), ANY_ROUTE),
        Function("xinfo", _fixed(L_INFO), (_F,), ANY_ROUTE),
        Function("xnotice", _fixed(L_NOTICE), (_F,), ANY_ROUTE),
        Function("xwarn", _fixed(L_WARN), (_F,), ANY_ROUTE),
        Function("xerr", _fixed(L_ERR), (_F,), ANY_ROUTE),
        Function("xbug", _fixed(L_BUG), (_F,), ANY_ROUTE),
        Function("xcrit", _fixed(L_CRIT2), (_F,), ANY_ROUTE),
        Function("xalert", _fixed(L_ALERT), (_F,), ANY_ROUTE),
        Function("xlogl", xlog_1, (_F,), ANY_ROUTE, fixup=_fixup(("fmt",), True)),
        Function("xlogl", xlog_2, (STR, _F), ANY_ROUTE, fixup=_fixup(("level", "fmt"), True)),
        Function("xlogl", xlog_3, (STR, STR, _F), ANY_ROUTE,
                 fixup=_fixup(("facility", "level", "fmt"), True)),
        Function("xdbgl", _fixed(L_DBG), (_F,), ANY_ROUTE, fixup=_fixup(("fmt",), True)),
        Function("xlogm", xlogm_2, (STR, _F), ANY_ROUTE, fixup=_fixup(("level", "fmt"))),
    ],
    params=[
        Param("buf_size", INT_PARAM, 4096),
        Param("force_color", INT_PARAM, 0),
        Param("long_format", INT_PARAM, 0),
        Param("prefix", STR_PARAM, "<script>: "),
        Param("prefix_mode", INT_PARAM, 0),
        Param("log_facility", STR_PARAM, None),
        Param("log_colors", STR_PARAM, None, multi=True, setter=set_log_colors),
        Param("methods_filter", INT_PARAM, -1),
    ],
    pvs=[PV("C", get_color, inner=NEEDS_INNER)],
    init=init,
)
