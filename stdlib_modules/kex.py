"""kex: core extensions (Kamailio 5.6 src/modules/kex): script/branch flags, dst URI, pv_printf,
is_myself, per-process debug level.

Flags are 0..31 (outside: -1). Branch flags of branch 0 are ctx.bflags; branch i > 0 is
ctx.branches[i-1] (a Branch with a .bflags attribute, as corex's append_branch creates).
$sruid: "srid-<start time hex>-<pid hex>-<counter hex>" from the engine clock, the worker pid and a
per-worker counter (Kamailio's layout; the time is the worker's first use, not its start-up).
RPC: stats.get_statistics/fetch/fetchn/reset_statistics/clear_statistics over the statistics cfgvm
keeps (counters' script group and module stats such as sl's: counters.stat_groups), as 5.6.3 selects
them ("all", "group:", or a bare statistic name; "group:name" matches nothing there either); handler(mod,
shared, *names, modules=None) with `modules` the program's {name: ModuleInstance}. core.version/echo/
printi/prints (Kamailio's core registers these; here they come with kex).
Not implemented (absent from the export table): pkg.*/mod.* (no Kamailio allocator to report on), the
other core.* and system.* commands, and the core/shmem/dns/tm... statistics the core registers (cfgvm
does not count them: selecting "all" lists only the groups above). km_append_branch is in the README
but not in 5.6.3's export table (corex has append_branch).
"""
from __future__ import annotations

from cfgvm.exports import ANY_ROUTE, FMT, IGP, PV, PVAR, Function, Module
from cfgvm.stdlib._common import ModuleError

MAX_FLAG = 31


def _flag_ok(flag):
    return 0 <= flag <= MAX_FLAG


def setsflag(ctx, mod, flag):
    if not _flag_ok(flag):
        return -1
    ctx.sflags |= 1 << flag
    return 1


def resetsflag(ctx, mod, flag):
    if not _flag_ok(flag):
        return -1
    ctx.sflags &= ~(1 << flag)
    return 1


def issflagset(ctx, mod, flag):
    if not _flag_ok(flag):
        return -1
    return 1 if ctx.sflags & (1 << flag) else -1


def _branch(ctx, idx):
    if idx == 0:
        return None
    if idx < 0 or idx > len(ctx.branches):
        return False
    return ctx.branches[idx - 1]


def _get_bflags(ctx, idx):
    b = _branch(ctx, idx)
    if b is False:
        return None
    return ctx.bflags if b is None else b.bflags


def _set_bflags(ctx, idx, value):
    b = _branch(ctx, idx)
    if b is None:
        ctx.bflags = value & 0xFFFFFFFF
    else:
        b.bflags = value & 0xFFFFFFFF


def setbflag(ctx, mod, flag, branch=0):
    cur = _get_bflags(ctx, branch)
    if cur is None or not _flag_ok(flag):
        return -1
    _set_bflags(ctx, branch, cur | (1 << flag))
    return 1


def resetbflag(ctx, mod, flag, branch=0):
    cur = _get_bflags(ctx, branch)
    if cur is None or not _flag_ok(flag):
        return -1
    _set_bflags(ctx, branch, cur & ~(1 << flag))
    return 1


def isbflagset(ctx, mod, flag, branch=0):
    cur = _get_bflags(ctx, branch)
    if cur is None or not _flag_ok(flag):
        return -1
    return 1 if cur & (1 << flag) else -1


def setdsturi(ctx, mod, uri):
    from cfgvm.sip import SipParseError, parse_uri
    try:
        parse_uri(uri)
    except SipParseError:
        return -1
    ctx.dst_uri = uri
    ctx.msg.dst_uri = uri
    return 1


def resetdsturi(ctx, mod):
    ctx.dst_uri = None
    ctx.msg.dst_uri = None
    return 1


def isdsturiset(ctx, mod):
    return 1 if ctx.dst_uri else -1


def pv_printf(ctx, mod, ref, text):
    ref.set(ctx, text)
    return 1


def is_myself(ctx, mod, uri):
    from cfgvm.sip import SipParseError, parse_uri
    try:
        u = parse_uri(uri)
    except SipParseError:
        return -1
    check = getattr(ctx.program, "is_myself", None)
    if check is None:
        raise ModuleError("is_myself: the program has no listen/alias table (program.is_myself)")
    proto = (u.transport or "").lower() or None
    return 1 if check(u.host, u.port_no or 0, proto) else -1


def setdebug(ctx, mod, level):
    ctx.worker.debug_level = level
    return 1


def resetdebug(ctx, mod):
    ctx.worker.debug_level = None
    return 1


def get_sruid(ctx, spec):
    w = ctx.worker.vars
    start = w.setdefault("\0sruid_start", int(ctx.clock()))
    n = w.get("\0sruid_counter", 0) + 1
    w["\0sruid_counter"] = n
    return f"srid-{start:x}-{ctx.worker.pid:x}-{n:x}"


# ---- RPC -------------------------------------------------------------------------------------------
def _stats(shared, modules, names):
    """[(group, name, value)] for stats.* selectors: "all", "group:", or a bare statistic name."""
    from cfgvm.stdlib.counters import stat_groups
    mods = modules or {}
    groups = stat_groups(mods.get("counters"), shared, mods)
    out = []
    for sel in names:
        for grp in sorted(groups):
            if sel == "all" or sel == grp + ":":
                out.extend((grp, n, v) for n, v in sorted(groups[grp].items()))
            elif ":" not in sel and sel in groups[grp]:
                out.append((grp, sel, groups[grp][sel]))
    return out


def rpc_get_statistics(mod, shared, *names, modules=None):
    return [f"{g}:{n} = {v}" for g, n, v in _stats(shared, modules, names)]


def rpc_fetch(mod, shared, *names, modules=None):
    return {f"{g}.{n}": v for g, n, v in _stats(shared, modules, names)}


def rpc_reset_statistics(mod, shared, *names, modules=None):
    script = ((modules or {}).get("counters") or mod).params.get("script_cnt_grp_name") or "script"
    for g, n, _ in _stats(shared, modules, names):
        if "counters" in (modules or {}) and g == script:
            shared.modules.setdefault("counters", {})[f"{g}.{n}"] = 0
        else:
            shared.modules.setdefault(g, {}).setdefault("stats", {})[n] = 0
    return None


def rpc_clear_statistics(mod, shared, *names, modules=None):
    """The values before the reset, then the reset."""
    lines = rpc_get_statistics(mod, shared, *names, modules=modules)
    rpc_reset_statistics(mod, shared, *names, modules=modules)
    return lines


VERSION = "kamailio 5.6.3 (x86_64/linux) "    # the trailing space is 5.6.3's


RPC = {"stats.get_statistics": rpc_get_statistics, "stats.fetch": rpc_fetch, "stats.fetchn": rpc_fetch,
       "stats.reset_statistics": rpc_reset_statistics, "stats.clear_statistics": rpc_clear_statistics,
       "core.version": lambda mod, shared: VERSION,
       "core.echo": lambda mod, shared, *args: list(args),
       "core.prints": lambda mod, shared, *args: [str(a) for a in args],
       "core.printi": lambda mod, shared, *args: [int(a) for a in args]}


EXPORTS = Module(
    name="kex",
    pvs=[PV("sruid", get_sruid)],
    functions=[
        Function("setsflag", setsflag, (IGP,), ANY_ROUTE),
        Function("resetsflag", resetsflag, (IGP,), ANY_ROUTE),
        Function("issflagset", issflagset, (IGP,), ANY_ROUTE),
        Function("setbflag", setbflag, (IGP,), ANY_ROUTE),
        Function("setbflag", setbflag, (IGP, IGP), ANY_ROUTE),
        Function("resetbflag", resetbflag, (IGP,), ANY_ROUTE),
        Function("resetbflag", resetbflag, (IGP, IGP), ANY_ROUTE),
        Function("isbflagset", isbflagset, (IGP,), ANY_ROUTE),
        Function("isbflagset", isbflagset, (IGP, IGP), ANY_ROUTE),
        Function("setdsturi", setdsturi, (FMT,), ANY_ROUTE),
        Function("resetdsturi", resetdsturi, (), ANY_ROUTE),
        Function("isdsturiset", isdsturiset, (), ANY_ROUTE),
        Function("pv_printf", pv_printf, (PVAR, FMT), ANY_ROUTE),
        Function("avp_printf", pv_printf, (PVAR, FMT), ANY_ROUTE),
        Function("is_myself", is_myself, (FMT,), ANY_ROUTE),
        Function("setdebug", setdebug, (IGP,), ANY_ROUTE),
        Function("resetdebug", resetdebug, (), ANY_ROUTE),
    ],
    rpc=RPC,
)
