"""counters: script counters (Kamailio 5.6 src/modules/counters).

Counters are declared with modparam("counters", "script_counter", "name[ description]") in the group
named by script_cnt_grp_name (default "script"); cnt_inc/cnt_add/cnt_reset take "[group.]name". Using a
script-group name that is not declared raises ModuleError (Kamailio refuses it at start-up). Values live in ctx.shared (one per program).
Not implemented: the cnt.* RPC commands.
"""
from __future__ import annotations

from cfgvm.exports import FAILURE_ROUTE, IGP, ONREPLY_ROUTE, ONSEND_ROUTE, REQUEST_ROUTE, STR, STR_PARAM
from cfgvm.exports import Function, Module, Param
from cfgvm.stdlib._common import ModuleError

_ROUTES = REQUEST_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE | ONSEND_ROUTE


def add_script_counter(mod, value):
    name = value.strip().split(None, 1)[0] if value.strip() else ""
    if not name:
        raise ValueError("empty script_counter")
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
)
