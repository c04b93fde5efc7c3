"""counters: script counters (Kamailio 5.6 src/modules/counters).

Counters are declared with modparam("counters", "script_counter", "name[ description]") in the group
named by script_cnt_grp_name (default "script"); cnt_inc/cnt_add/cnt_reset take "[group.]name". Using a
script-group name that is not declared raises ModuleError (Kamailio refuses it at start-up). Values live in ctx.shared (one per program).
RPC commands cnt.get/get_raw/reset/grp_get_all/get_vars/var_list/list_vars/grps_list/list_groups/help:
handler(mod, shared, *params, modules=None) -> plain data (5.6.3's replies; faults as RpcError). The
groups are the script group and the statistics of loaded modules that keep them (sl; `modules` is the
program's {name: ModuleInstance}); Kamailio's core/shmem/dns groups are not counted by cfgvm and absent.
"""
from __future__ import annotations

from cfgvm.exports import FAILURE_ROUTE, IGP, ONREPLY_ROUTE, ONSEND_ROUTE, REQUEST_ROUTE, STR, STR_PARAM
from cfgvm.exports import Function, Module, Param, RpcError
from cfgvm.stdlib._common import ModuleError

_ROUTES = REQUEST_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE | ONSEND_ROUTE


def add_script_counter(mod, value):
    parts = value.strip().split(None, 1)
    name = parts[0] if parts else ""
    if not name:
        raise ValueError("empty script_counter")
    if not isinstance(mod.state, dict):
        mod.state = {}
    mod.state.setdefault("descriptions", {})[name] = parts[1] if len(parts) > 1 else ""
    lst = mod.params.get("script_counter")
    if not isinstance(lst, list):
        lst = mod.params["script_counter"] = []
    lst.append(name)


def _declared(mod):
    grp = mod.params.get("script_cnt_grp_name") or "script"
    return {f"{grp}.{n}" for n in mod.params.get("script_counter") or () if isinstance(n, str)}


def qualify(mod, name):
    grp = mod.params.get("script_cnt_grp_name") or "script"
    return name if "." in name else f"{grp}.{name}"


def _key(mod, name):
    key = qualify(mod, name)
    grp = mod.params.get("script_cnt_grp_name") or "script"
    if key.startswith(grp + ".") and key not in _declared(mod):
        raise ModuleError(f"counters: counter '{name}' is not declared (modparam script_counter)")
    return key


def _counters(ctx):
    return ctx.shared.modules.setdefault("counters", {})


def cnt_inc(ctx, mod, name):
    c = _counters(ctx)
    key = _key(mod, name)
    c[key] = c.get(key, 0) + 1
    return 1


def cnt_add(ctx, mod, name, n):
    c = _counters(ctx)
    key = _key(mod, name)
    c[key] = c.get(key, 0) + n
    return 1


def cnt_reset(ctx, mod, name):
    _counters(ctx)[_key(mod, name)] = 0
    return 1


def get(shared, mod, name):
    return shared.modules.get("counters", {}).get(qualify(mod, name), 0)


# ---- RPC ------------------------------------------------------------------------------------------
def stat_groups(mod, shared, modules=None) -> dict[str, dict[str, int]]:
    """Every statistic cfgvm keeps, {group: {name: value}}: the counters module's script group (mod may
    be None when counters is not loaded) and each loaded module's `stats` (kept by the module in
    shared.modules[name]["stats"])."""
    groups = {}
    if mod is not None:
        grp = mod.params.get("script_cnt_grp_name") or "script"
        vals = shared.modules.get("counters", {})
        groups[grp] = {n: vals.get(f"{grp}.{n}", 0)
                       for n in mod.params.get("script_counter") or () if isinstance(n, str)}
    for name, inst in (modules or {}).items():
        if inst.exports.stats:
            got = shared.modules.get(name, {}).get("stats", {})
            groups.setdefault(name, {}).update({s: got.get(s, 0) for s in inst.exports.stats})
    return groups


def _counter(mod, shared, grp, name, modules):
    vals = stat_groups(mod, shared, modules).get(grp, {})
    if name not in vals:
        raise RpcError(400, f"non-existent counter {grp}.{name}")
    return vals[name]


def rpc_get(mod, shared, grp, name, modules=None):
    return _counter(mod, shared, grp, name, modules)


def rpc_reset(mod, shared, grp, name, modules=None):
    _counter(mod, shared, grp, name, modules)
    if grp == (mod.params.get("script_cnt_grp_name") or "script"):
        shared.modules.setdefault("counters", {})[f"{grp}.{name}"] = 0
    else:
        shared.modules.setdefault(grp, {}).setdefault("stats", {})[name] = 0
    return None


def rpc_grp_get_all(mod, shared, grp, modules=None):
    return dict(sorted(stat_groups(mod, shared, modules).get(grp, {}).items()))


def rpc_var_list(mod, shared, grp, modules=None):
    return sorted(stat_groups(mod, shared, modules).get(grp, {}))


def rpc_grps_list(mod, shared, modules=None):
    return sorted(stat_groups(mod, shared, modules))


def rpc_help(mod, shared, grp, name, modules=None):
    _counter(mod, shared, grp, name, modules)
    return ((mod.state or {}).get("descriptions") or {}).get(name, "")


RPC = {"cnt.get": rpc_get, "cnt.get_raw": rpc_get, "cnt.reset": rpc_reset,
       "cnt.grp_get_all": rpc_grp_get_all, "cnt.get_vars": rpc_grp_get_all,
       "cnt.var_list": rpc_var_list, "cnt.list_vars": rpc_var_list,
       "cnt.grps_list": rpc_grps_list, "cnt.list_groups": rpc_grps_list, "cnt.help": rpc_help}


EXPORTS = Module(
    name="counters",
    functions=[
        Function("cnt_inc", cnt_inc, (STR,), _ROUTES),
        Function("cnt_add", cnt_add, (STR, IGP), _ROUTES),
        Function("cnt_reset", cnt_reset, (STR,), _ROUTES),
    ],
    params=[
        Param("script_cnt_grp_name", STR_PARAM, "script"),
        Param("script_counter", STR_PARAM, None, multi=True, setter=add_script_counter),
    ],
    rpc=RPC,
)
