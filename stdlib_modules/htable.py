"""htable: in-memory hash tables (Kamailio 5.6 src/modules/htable).

Tables come from modparam("htable", "htable", "name=>size=N;autoexpire=S;initval=V;updateexpire=0|1;
dmqreplicate=0|1;dbtable=...;cols=...;dbmode=..."). Items expire on the engine clock (ctx.clock):
an item past its expiry reads as missing. Values are int or str; assigning $null deletes.
Tables live in ctx.shared.modules["htable"] (one store per program, behind this module only).
RPC commands htable.get/delete/sets/seti/setex/setxs/setxi/dump/flush/listTables/stats/reload/store:
handler(mod, shared, *params, now=None) -> plain data, failures as RpcError with 5.6.3's code and text.
dump/stats lay items out in Kamailio's slots (core_case_hash of the key & (2^size - 1), a slot's items
ordered by hash), so dumps list in the same order as 5.6.3's.
Not implemented (absent or refused): db_url and the other database params (setting db_url raises
"database-backed htable not supported yet" at init; htable.reload/store answer "No htable db_url" as
5.6.3 does without one), DMQ replication (dmqreplicate/enable_dmq accepted, nothing is replicated), the
htable:expired:<table> event routes, $shtrecord (only meaningful in the expired event route: reading it
raises).
"""
from __future__ import annotations

import re

from cfgvm.exports import (ANY_ROUTE, FMT, IGP, INT_PARAM, NEEDS_INNER, PV, STR, STR_PARAM, Function,
                           Module, Param, RpcError)
from cfgvm.stdlib._common import ModuleError, render

_OPTS = {"size", "autoexpire", "initval", "updateexpire", "dmqreplicate", "dbtable", "cols", "dbmode"}


class Table:
    def __init__(self, name, size=4, autoexpire=0, initval=None, updateexpire=1, dmqreplicate=0, **_):
        self.name, self.size, self.autoexpire = name, size, autoexpire
        self.initval, self.updateexpire, self.dmqreplicate = initval, updateexpire, dmqreplicate
        self.items: dict[str, list] = {}        # key -> [value, expires_at or 0]

    def _live(self, key, now):
        it = self.items.get(key)
        if it is not None and it[1] and it[1] <= now:
            del self.items[key]
            return None
        return it

    def get(self, key, now):
        it = self._live(key, now)
        return it[0] if it is not None else self.initval

    def set(self, key, value, now):
        if value is None:
            self.items.pop(key, None)
            return
        it = self._live(key, now)
        exp = now + self.autoexpire if self.autoexpire else 0
        if it is not None and not self.updateexpire:
            exp = it[1]
        self.items[key] = [value, exp]

    def setex(self, key, seconds, now):
        it = self._live(key, now)
        if it is not None:
            it[1] = now + seconds if seconds else 0

    def expires_in(self, key, now):
        it = self._live(key, now)
        if it is None or not it[1]:
            return 0
        return int(it[1] - now)

    def live_items(self, now):
        for k in list(self.items):
            it = self._live(k, now)
            if it is not None:
                yield k, it


def parse_definition(text: str) -> dict:
    name, arrow, rest = text.partition("=>")
    if not arrow or not name.strip():
        raise ValueError(f"invalid htable definition '{text}'")
    d = {"name": name.strip()}
    for part in filter(None, (p.strip() for p in rest.split(";"))):
        k, eq, v = part.partition("=")
        k = k.strip()
        if not eq or k not in _OPTS:
            raise ValueError(f"invalid htable attribute '{part}'")
        v = v.strip()
        if k in ("size", "autoexpire", "updateexpire", "dmqreplicate", "dbmode"):
            d[k] = int(v)
        elif k == "initval":
            d[k] = int(v) if re.fullmatch(r"-?\d+", v) else v
        else:
            d[k] = v
    if d.get("dbtable"):
        raise ValueError("database-backed htable not supported yet (dbtable)")
    return d


def add_htable(mod, value):
    defs = mod.params.get("htable")
    if not isinstance(defs, list):
        defs = mod.params["htable"] = []
    defs.append(parse_definition(value))


def init(mod):
    if mod.params.get("db_url"):
        raise ValueError("htable: database-backed htable not supported yet (db_url)")
    mod.state = {d["name"]: d for d in mod.params.get("htable") or ()}


def tables(ctx, mod=None) -> dict[str, Table]:
    store = ctx.shared.modules.get("htable")
    if store is None:
        if mod is None:
            mod = ctx.program.modules["htable"]
        store = ctx.shared.modules["htable"] = {n: Table(**d) for n, d in (mod.state or {}).items()}
    return store


def _table(ctx, name, mod=None) -> Table:
    t = tables(ctx, mod).get(name)
    if t is None:
        raise ModuleError(f"htable: no table named '{name}'")
    return t


# ---- PVs ---------------------------------------------------------------------------------------
def _split(ctx, spec):
    """'table=>key' of a PV inner name; the key may contain PVs."""
    inner = spec.inner or ""
    name, arrow, key = inner.partition("=>")
    if not arrow:
        raise ModuleError(f"htable: invalid name '{inner}' (expected table=>key)")
    return name, (render(ctx, key) if "$" in key else key)


def get_sht(ctx, spec):
    name, key = _split(ctx, spec)
    return _table(ctx, name).get(key, ctx.clock())


def set_sht(ctx, spec, value):
    name, key = _split(ctx, spec)
    _table(ctx, name).set(key, value, ctx.clock())


def get_shtex(ctx, spec):
    name, key = _split(ctx, spec)
    return _table(ctx, name).expires_in(key, ctx.clock())


def set_shtex(ctx, spec, value):
    name, key = _split(ctx, spec)
    if not isinstance(value, int):
        raise ModuleError("$shtex needs an int value")
    _table(ctx, name).setex(key, value, ctx.clock())


def _add(ctx, spec, n):
    name, key = _split(ctx, spec)
    t = _table(ctx, name)
    now = ctx.clock()
    it = t._live(key, now)
    if it is None:
        if not isinstance(t.initval, int):
            return None
        t.set(key, t.initval + n, now)
        return t.initval + n
    if not isinstance(it[0], int):
        return None
    it[0] = it[0] + n
    if t.autoexpire and t.updateexpire:
        it[1] = now + t.autoexpire
    return it[0]


def get_shtinc(ctx, spec):
    return _add(ctx, spec, 1)


def get_shtdec(ctx, spec):
    return _add(ctx, spec, -1)


def _matcher(expr):
    """$shtcn/$shtcv match expression: '~~' regex, '~%' prefix, '%~' suffix, '==' equal, 'eq' equal,
    else a regex."""
    op, arg = expr[:2], expr[2:]
    if op == "~~":
        rx = re.compile(arg)
        return lambda s: rx.search(s) is not None
    if op == "~%":
        return lambda s: s.startswith(arg)
    if op == "%~":
        return lambda s: s.endswith(arg)
    if op in ("==", "eq"):
        return lambda s: s == arg
    rx = re.compile(expr)
    return lambda s: rx.search(s) is not None


def get_shtcn(ctx, spec):
    name, expr = _split(ctx, spec)
    m = _matcher(expr)
    return sum(1 for k, _ in _table(ctx, name).live_items(ctx.clock()) if m(k))


def get_shtcv(ctx, spec):
    name, expr = _split(ctx, spec)
    m = _matcher(expr)
    return sum(1 for _, it in _table(ctx, name).live_items(ctx.clock())
               if isinstance(it[0], str) and m(it[0]))


def get_shtrecord(ctx, spec):
    raise ModuleError("$shtrecord is only set in event_route[htable:expired:*] (not implemented yet)")


# ---- functions ---------------------------------------------------------------------------------
def sht_print(ctx, mod):
    now = ctx.clock()
    for name, t in tables(ctx, mod).items():
        for k, it in t.live_items(now):
            ctx.log(3, f"htable {name}: {k} = {it[0]!r}")
    return 1


def sht_rm(ctx, mod, name, key):
    _table(ctx, name, mod).items.pop(key, None)
    return 1


def _split_arg(text):
    name, arrow, rest = text.partition("=>")
    if not arrow:
        raise ModuleError(f"htable: invalid parameter '{text}' (expected table=>value)")
    return name, rest


def _rm_where(ctx, mod, name, test, on_value):
    t = _table(ctx, name, mod)
    for k, it in list(t.live_items(ctx.clock())):
        v = it[0]
        if (test(v) if on_value and isinstance(v, str) else (not on_value and test(k))):
            del t.items[k]
    return 1


def sht_rm_name_re(ctx, mod, arg):
    name, regex = _split_arg(arg)
    rx = re.compile(regex)
    return _rm_where(ctx, mod, name, lambda s: rx.search(s) is not None, False)


def sht_rm_value_re(ctx, mod, arg):
    name, regex = _split_arg(arg)
    rx = re.compile(regex)
    return _rm_where(ctx, mod, name, lambda s: rx.search(s) is not None, True)


_OPS = {"re": lambda s, v: re.search(v, s) is not None, "sw": str.startswith,
        "ew": str.endswith, "eq": lambda s, v: s == v, "in": lambda s, v: v in s}


def _op(op, val):
    f = _OPS.get(op)
    if f is None:
        raise ModuleError(f"htable: unknown match operator '{op}'")
    return lambda s: f(s, val)


def sht_rm_name(ctx, mod, name, op, val):
    return _rm_where(ctx, mod, name, _op(op, val), False)


def sht_rm_value(ctx, mod, name, op, val):
    return _rm_where(ctx, mod, name, _op(op, val), True)


def sht_match_name(ctx, mod, name, op, val):
    test = _op(op, val)
    return 1 if any(test(k) for k, _ in _table(ctx, name, mod).live_items(ctx.clock())) else -1


def sht_match_str_value(ctx, mod, name, op, val):
    test = _op(op, val)
    return 1 if any(isinstance(it[0], str) and test(it[0])
                    for _, it in _table(ctx, name, mod).live_items(ctx.clock())) else -1


def sht_setxs(ctx, mod, name, key, value, exp):
    t = _table(ctx, name, mod)
    now = ctx.clock()
    t.set(key, value, now)
    t.setex(key, exp, now)
    return 1


def sht_setxi(ctx, mod, name, key, value, exp):
    return sht_setxs(ctx, mod, name, key, value, exp)


def sht_reset(ctx, mod, name):
    _table(ctx, name, mod).items.clear()
    return 1


def _locks(ctx):
    return ctx.shared.modules.setdefault("htable_locks", set())


def sht_lock(ctx, mod, arg):
    _locks(ctx).add(_split_arg(arg)[0])
    return 1


def sht_unlock(ctx, mod, arg):
    _locks(ctx).discard(_split_arg(arg)[0])
    return 1


# iterators: per message, at most 4 as Kamailio's HT_ITERATOR_SIZE
def _its(ctx):
    return ctx.mod_state.setdefault("htable_it", {})


def sht_iterator_start(ctx, mod, iname, tname):
    its = _its(ctx)
    if iname not in its and len(its) >= 4:
        return -1
    t = _table(ctx, tname, mod)
    its[iname] = [t, list(k for k, _ in t.live_items(ctx.clock())), -1]
    return 1


def _cur(ctx, iname):
    it = _its(ctx).get(iname)
    if it is None or it[2] < 0 or it[2] >= len(it[1]):
        return None, None
    return it[0], it[1][it[2]]


def sht_iterator_next(ctx, mod, iname):
    it = _its(ctx).get(iname)
    if it is None:
        return -1
    now = ctx.clock()
    while True:
        it[2] += 1
        if it[2] >= len(it[1]):
            return -1
        if it[0]._live(it[1][it[2]], now) is not None:
            return 1


def sht_iterator_end(ctx, mod, iname):
    _its(ctx).pop(iname, None)
    return 1


def sht_iterator_rm(ctx, mod, iname):
    t, k = _cur(ctx, iname)
    if t is None:
        return -1
    t.items.pop(k, None)
    return 1


def sht_iterator_sets(ctx, mod, iname, value):
    t, k = _cur(ctx, iname)
    if t is None:
        return -1
    t.set(k, value, ctx.clock())
    return 1


sht_iterator_seti = sht_iterator_sets


def sht_iterator_setex(ctx, mod, iname, exp):
    t, k = _cur(ctx, iname)
    if t is None:
        return -1
    t.setex(k, exp, ctx.clock())
    return 1


def get_shtitkey(ctx, spec):
    t, k = _cur(ctx, spec.inner)
    return k


def get_shtitval(ctx, spec):
    t, k = _cur(ctx, spec.inner)
    if t is None:
        return None
    it = t._live(k, ctx.clock())
    return it[0] if it is not None else None


# ---- RPC: handler(mod, shared, *params, now=None) -> plain data ----------------------------------
def ht_hash(key: str) -> int:
    """core_case_hash(key, 0, 0): Kamailio's string hash with every byte OR 0x20 (htable's cell id)."""
    from cfgvm.sip.forward import _hash_update
    h = _hash_update("".join(chr(ord(c) | 0x20) for c in key), 0)
    return ((h + (h >> 11)) + ((h >> 13) + (h >> 23))) & 0xFFFFFFFF


def slots(t: Table) -> int:
    """Kamailio's slot count for a table's size= exponent (below 2: 8 slots; above 31: 2^14)."""
    return 8 if t.size <= 1 else 1 << 14 if t.size > 31 else 1 << t.size


class _Shared:
    """A context stand-in for tables(): RPC handlers get the shared state, not a message context."""
    def __init__(self, shared):
        self.shared = shared


def _rpc_now(now):
    import time
    return time.time() if now is None else now


def _rpc_table(mod, shared, name) -> Table:
    t = tables(_Shared(shared), mod).get(name)
    if t is None:
        raise RpcError(500, "No such htable")
    return t


def _by_slot(t, now):
    """{slot index: [(key, item)...]} in Kamailio's order (by slot, then by hash inside a slot)."""
    out = {}
    for k, it in sorted(t.live_items(now), key=lambda kv: ht_hash(kv[0])):
        out.setdefault(ht_hash(k) & (slots(t) - 1), []).append((k, it))
    return dict(sorted(out.items()))


def rpc_get(mod, shared, name, key, now=None):
    import time
    now = _rpc_now(now)
    t = _rpc_table(mod, shared, name)
    it = t._live(key, now)
    if it is None:
        raise RpcError(500, "Key name doesn't exist in htable.")
    exp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(it[1])) if it[1] else "NEVER"
    return {"item": {"name": key, "value": it[0], "flags": 2 if isinstance(it[0], str) else 0,
                     "expire": exp}}


def rpc_delete(mod, shared, name, key, now=None):
    t = _rpc_table(mod, shared, name)
    if t._live(key, _rpc_now(now)) is None:
        raise RpcError(404, "Key not found in htable.")
    del t.items[key]
    return "Ok. Key deleted."


def _rpc_set(mod, shared, name, key, value, exp, now):
    now = _rpc_now(now)
    t = _rpc_table(mod, shared, name)
    t.set(key, value, now)
    if exp:
        t.setex(key, exp, now)
    return "Ok. Key set to new value."


def _rpc_int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise RpcError(500, f"invalid integer '{text}'") from None


def rpc_sets(mod, shared, name, key, value, now=None):
    return _rpc_set(mod, shared, name, key, str(value), 0, now)


def rpc_seti(mod, shared, name, key, value, now=None):
    return _rpc_set(mod, shared, name, key, _rpc_int(value), 0, now)


def rpc_setxs(mod, shared, name, key, value, exp, now=None):
    return _rpc_set(mod, shared, name, key, str(value), _rpc_int(exp), now)


def rpc_setxi(mod, shared, name, key, value, exp, now=None):
    return _rpc_set(mod, shared, name, key, _rpc_int(value), _rpc_int(exp), now)


def rpc_setex(mod, shared, name, key, exp, now=None):
    """A new expiry for an existing item (a missing key is no error, as 5.6.3)."""
    _rpc_table(mod, shared, name).setex(key, _rpc_int(exp), _rpc_now(now))
    return "Ok"


def rpc_dump(mod, shared, name, now=None):
    t = _rpc_table(mod, shared, name)
    return [{"entry": idx, "size": len(items),
             "slot": [{"name": k, "value": it[0], "type": "str" if isinstance(it[0], str) else "int"}
                      for k, it in items]}
            for idx, items in _by_slot(t, _rpc_now(now)).items()]


def rpc_flush(mod, shared, name, now=None):
    _rpc_table(mod, shared, name).items.clear()
    return "Ok. Htable flushed."


def rpc_reload(mod, shared, name, now=None):
    _rpc_table(mod, shared, name)
    raise RpcError(500, "No htable db_url")


def _newest_first(mod, shared):
    """Tables as Kamailio lists them: the last defined first (its list is built by prepending)."""
    return list(reversed(tables(_Shared(shared), mod).values()))


def rpc_list_tables(mod, shared, now=None):
    return [{"name": t.name, "dbtable": "", "dbmode": 0, "expire": t.autoexpire,
             "updateexpire": t.updateexpire, "size": slots(t), "dmqreplicate": t.dmqreplicate}
            for t in _newest_first(mod, shared)]


def rpc_stats(mod, shared, now=None):
    now = _rpc_now(now)
    out = []
    for t in _newest_first(mod, shared):
        used = _by_slot(t, now)
        sizes = [len(v) for v in used.values()]
        out.append({"name": t.name, "slots": slots(t), "all": sum(sizes),
                    "min": min(sizes) if len(used) == slots(t) else 0, "max": max(sizes, default=0)})
    return out


RPC = {"htable.get": rpc_get, "htable.delete": rpc_delete, "htable.sets": rpc_sets,
       "htable.seti": rpc_seti, "htable.setex": rpc_setex, "htable.setxs": rpc_setxs,
       "htable.setxi": rpc_setxi, "htable.dump": rpc_dump, "htable.reload": rpc_reload,
       "htable.store": rpc_reload, "htable.flush": rpc_flush, "htable.listTables": rpc_list_tables,
       "htable.stats": rpc_stats}


EXPORTS = Module(
    name="htable",
    functions=[
        Function("sht_print", sht_print, (), ANY_ROUTE),
        Function("sht_rm", sht_rm, (FMT, FMT), ANY_ROUTE),
        Function("sht_rm_name_re", sht_rm_name_re, (FMT,), ANY_ROUTE),
        Function("sht_rm_value_re", sht_rm_value_re, (FMT,), ANY_ROUTE),
        Function("sht_rm_name", sht_rm_name, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_rm_value", sht_rm_value, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_match_name", sht_match_name, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_has_name", sht_match_name, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_match_str_value", sht_match_str_value, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_has_str_value", sht_match_str_value, (FMT, FMT, FMT), ANY_ROUTE),
        Function("sht_lock", sht_lock, (FMT,), ANY_ROUTE),
        Function("sht_unlock", sht_unlock, (FMT,), ANY_ROUTE),
        Function("sht_reset", sht_reset, (FMT,), ANY_ROUTE),
        Function("sht_iterator_start", sht_iterator_start, (FMT, FMT), ANY_ROUTE),
        Function("sht_iterator_next", sht_iterator_next, (FMT,), ANY_ROUTE),
        Function("sht_iterator_end", sht_iterator_end, (FMT,), ANY_ROUTE),
        Function("sht_iterator_rm", sht_iterator_rm, (FMT,), ANY_ROUTE),
        Function("sht_iterator_sets", sht_iterator_sets, (FMT, FMT), ANY_ROUTE),
        Function("sht_iterator_seti", sht_iterator_seti, (FMT, IGP), ANY_ROUTE),
        Function("sht_iterator_setex", sht_iterator_setex, (FMT, IGP), ANY_ROUTE),
        Function("sht_setxs", sht_setxs, (FMT, FMT, FMT, IGP), ANY_ROUTE),
        Function("sht_setxi", sht_setxi, (FMT, FMT, IGP, IGP), ANY_ROUTE),
    ],
    params=[
        Param("htable", STR_PARAM, None, multi=True, setter=add_htable),
        Param("db_url", STR_PARAM, ""),
        Param("key_name_column", STR_PARAM, "key_name"),
        Param("key_type_column", STR_PARAM, "key_type"),
        Param("value_type_column", STR_PARAM, "value_type"),
        Param("key_value_column", STR_PARAM, "key_value"),
        Param("expires_column", STR_PARAM, "expires"),
        Param("array_size_suffix", STR_PARAM, "::size"),
        Param("fetch_rows", INT_PARAM, 100),
        Param("timer_interval", INT_PARAM, 20),
        Param("db_expires", INT_PARAM, 0),
        Param("enable_dmq", INT_PARAM, 0),
        Param("dmq_init_sync", INT_PARAM, 0),
        Param("timer_procs", INT_PARAM, 0),
        Param("event_callback", STR_PARAM, ""),
        Param("event_callback_mode", INT_PARAM, 0),
    ],
    pvs=[
        PV("sht", get_sht, set_sht, inner=NEEDS_INNER),
        PV("shtex", get_shtex, set_shtex, inner=NEEDS_INNER),
        PV("shtcn", get_shtcn, inner=NEEDS_INNER),
        PV("shtcv", get_shtcv, inner=NEEDS_INNER),
        PV("shtinc", get_shtinc, inner=NEEDS_INNER),
        PV("shtdec", get_shtdec, inner=NEEDS_INNER),
        PV("shtrecord", get_shtrecord, inner=NEEDS_INNER),
        PV("shtitkey", get_shtitkey, inner=NEEDS_INNER),
        PV("shtitval", get_shtitval, inner=NEEDS_INNER),
    ],
    rpc=RPC,
    init=init,
)
