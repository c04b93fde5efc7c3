"""The execution tracer the VM calls when a dry-run (or a test) asks for a trace, and its renderers.

The VM (cfgvm/vm/machine.py) calls three hooks on `ctx.trace` when it is not None (a run without a
tracer uses an untraced dispatch list and pays nothing):

    route_start(kind, name)              a route block starts (kind as cfgvm.ast.ROUTE_KINDS, name None
                                         for unnamed blocks)
    action(kind, name, coord, text)      a statement is about to run in that block: coord = its Coord,
                                         text = the statement as the VM labels it ("xlog(...)",
                                         "route(X)", "exit", "$var(a) = ...")
    route_end(kind, name, how, rc)       the block ends: how = "return" (falling off the end included),
                                         "exit" or "drop"; rc its return code
The engine binds the tracer to the message's context (tracer.ctx) so that cfgt can dump variables.

Three renderings of the same events:
  - text: the debugger module's cfgtrace lines ("request_route=[DEFAULT_ROUTE] c=[f] l=12 a=... n=xlog")
  - json: `flow` (start/return/exit/drop per route) and `trace` (one record per action)
  - cfgt: what Kamailio's cfgt module writes per message (see CfgtFlow)
"""
from __future__ import annotations

from typing import Any, Callable

# Names Kamailio gives unnamed route blocks (action->rname in cfg.y), per route kind.
DEFAULT_NAMES = {
    "request": "DEFAULT_ROUTE", "onreply": "DEFAULT_ONREPLY", "reply": "DEFAULT_ONREPLY",
    "failure": "DEFAULT_FAILURE", "branch": "DEFAULT_BRANCH", "onsend": "DEFAULT_ONSEND",
}
# The debugger's cfgtrace prefix per route kind.
KIND_LABELS = {
    "request": "request_route", "onreply": "onreply_route", "reply": "reply_route",
    "failure": "failure_route", "branch": "branch_route", "onsend": "onsend_route",
    "event": "event_route",
}
# Sub-routes called with route(NAME) live in the "request" table under their name.


def route_label(kind: str, name: str | None) -> str:
    return DEFAULT_NAMES.get(kind, kind.upper()) if name is None else str(name)


class Tracer:
    """Collects route and action events of one message (create one per message)."""

    def __init__(self, *, cfgt_vars: Callable[[Any], dict] | None = None, max_actions: int = 100_000):
        self.flow: list[dict] = []         # {"event", "kind", "route"}
        self.actions: list[dict] = []      # {"kind", "route", "file", "line", "column", "action"}
        self.stack: list[tuple[str, str]] = []
        self.max_actions = max_actions     # a runaway loop must not eat the memory
        self.truncated = False
        self.cfgt = CfgtFlow(cfgt_vars) if cfgt_vars is not None else None
        self.ctx = None                    # bound by the engine to the message's Context

    # hooks the VM calls ---------------------------------------------------------------------
    def route_start(self, kind: str, name: str | None) -> None:
        label = route_label(kind, name)
        # a route(NAME) call keeps the kind of its caller in cfgtrace (as Kamailio's route_type)
        shown = self.stack[-1][0] if self.stack and kind == "request" else kind
        self.stack.append((shown, label))
        self.flow.append({"event": "start", "kind": shown, "route": label})

    def route_end(self, kind: str, name: str | None, how: str, rc=None) -> None:
        label = route_label(kind, name)
        shown = self.stack.pop()[0] if self.stack else kind
        self.flow.append({"event": how, "kind": shown, "route": label, "rc": rc})

    def action(self, kind: str, name: str | None, coord, text: str) -> None:
        route = route_label(kind, name)
        shown = self.stack[-1][0] if self.stack else kind
        if self.cfgt is not None:
            self.cfgt.action(self.ctx, route, action_type(text))
        if len(self.actions) >= self.max_actions:
            self.truncated = True
            return
        self.actions.append({"kind": shown, "route": route, "file": coord.file, "line": coord.line,
                             "column": coord.column, "action": action_name(text), "text": text})

    # end of the message -------------------------------------------------------------------------
    def finish(self) -> None:
        if self.cfgt is not None and self.ctx is not None:
            self.cfgt.finish(self.ctx)

    # renderers ------------------------------------------------------------------------------------
    def text_lines(self) -> list[str]:
        """cfgtrace-style lines (the debugger module's format, without the log prefix)."""
        out = [f"*** cfgtrace:{KIND_LABELS.get(a['kind'], a['kind'])}=[{a['route']}] c=[{a['file']}] "
               f"l={a['line']} n={a['action']}" for a in self.actions]
        if self.truncated:
            out.append(f"*** cfgtrace: stopped after {self.max_actions} actions")
        return out

    def flow_lines(self) -> list[str]:
        out, depth = [], 0
        for f in self.flow:
            if f["event"] != "start":
                depth -= 1
            out.append(f"{'  ' * max(depth, 0)}{f['event']}|{f['route']}")
            if f["event"] == "start":
                depth += 1
        return out


# ---- cfgt -------------------------------------------------------------------------------------
# Kamailio's cfgt (driven by the debugger's per-action hook) notices route changes only when the next
# action runs: a node list holds the current route and its caller; an action in a new route dumps
# "start|NEW", an action back in the caller dumps "<type>|CALLEE" and pops. The type of a route is set
# by the last action it ran: route() -> start, return -> return, exit -> exit, anything else -> return
# unless exit was seen. `drop` lands as "exit|" too: cfgt tests DROP_R_F and then RETURN_R_F with an
# if/else, so the second test overwrites the first (src/modules/cfgt/cfgt_int.c, 5.6). At the end of the
# message the current route is dumped once more with its type.
_START, _EXIT, _DROP, _RETURN = "start", "exit", "drop", "return"


def action_name(text: str) -> str:
    """The debugger's n= name of a statement: if, while, switch, assign, return, exit, drop, break,
    route, or the function's name."""
    t = text.lstrip()
    if t[:1] in ("$", "%"):
        return "assign"
    word = t.split("(", 1)[0].split(" ", 1)[0].split(";", 1)[0].strip()
    return word or t


def action_type(text: str) -> str:
    """What cfgt needs to know of a statement: route (a route() call), exit, drop, return, or other."""
    word = text.lstrip().split("(", 1)[0].split(" ", 1)[0].split(";", 1)[0]
    return word if word in ("route", "exit", "drop", "return") else "other"


class _Node:
    __slots__ = ("name", "type", "prev")

    def __init__(self, name, type_, prev):
        self.name, self.type, self.prev = name, type_, prev


class CfgtFlow:
    def __init__(self, vars_of: Callable[[Any], dict]):
        self.vars_of = vars_of
        self.flow: list[dict] = []
        self.node: _Node | None = None

    @staticmethod
    def _type_after(current: str, label: str) -> str:
        if label == "route":
            return _START
        if label in ("exit", "drop"):
            return _EXIT
        if label == "return":
            return _RETURN
        return current if current == _EXIT else _RETURN

    def _dump(self, ctx, prefix: str, name: str) -> None:
        self.flow.append({f"{prefix}|{name}": self.vars_of(ctx)})

    def action(self, ctx, route: str, label: str) -> None:
        """label: action_type() of the statement about to run in `route`."""
        n = self.node
        if n is None:
            self.node = _Node(route, _START, None)
            self._dump(ctx, _START, route)
        elif n.name == route:
            n.type = self._type_after(n.type, label)
        elif n.prev is not None and n.prev.name == route:
            self._dump(ctx, n.type, n.name)
            n.prev.type = self._type_after(n.prev.type, label)
            self.node = n.prev
        else:
            self.node = _Node(route, self._type_after(_START, label), n)
            self._dump(ctx, _START, route)

    def finish(self, ctx) -> None:
        if self.node is not None:
            self._dump(ctx, self.node.type, self.node.name)


# PV classes with their own pv type in Kamailio (PVT_RURI, PVT_FROM, PVT_HDR ...): cfgt leaves them out.
# Everything else of the config's PV cache is PVT_OTHER (dumped), besides $var, $avp and $xavp.
_TYPED_PVS = frozenset({"ru", "ruri", "rU", "ruri.user", "rUl", "rd", "ruri.domain", "du", "duri", "fu",
                        "from", "tu", "to", "ou", "ouri", "hdr", "hdrc", "hfl", "hflc", "rb", "br",
                        "bR", "bf", "bF", "Bf", "ds", "Tf", "Ts", "C", "xavu", "xavi", "null", "$"})


def config_pvs(program) -> list:
    """The PV specs a config uses, like Kamailio's PV cache: every PV token and every PV inside a
    string literal (format strings), without duplicates, in source order."""
    from cfgvm import ast as A
    from cfgvm.vm import fmt, pvspec

    seen, out = set(), []

    def add(spec):
        if spec.text not in seen:
            seen.add(spec.text)
            out.append(spec)

    def walk(node):
        if isinstance(node, A.PV):
            try:
                add(pvspec.parse(node.text))
            except Exception:   # not a PV the spec parser knows (SER AVP forms ...): not dumped
                pass
        elif isinstance(node, A.Const) and isinstance(node.value, str) and "$" in node.value:
            try:
                for spec in fmt.parse(node.value).pvs:
                    add(spec)
            except Exception:
                pass
        if isinstance(node, A.Node):
            for child in node.children():
                walk(child)

    cfg = getattr(program, "cfg", None)
    for item in getattr(cfg, "items", ()):
        if isinstance(item, A.Route):
            walk(item)
    return out


def _xavp_root(inner: str) -> str:
    return inner.split("=>", 1)[0].split("[", 1)[0].strip()


def cfgt_dumper(program) -> Callable[[Any], dict]:
    """cfgt_vars for one program: the config's $var (unset = 0, as Kamailio), $avp, $xavp and
    PVT_OTHER PVs (read through ctx.get_pv_raw when the runtime offers it; nulls left out)."""
    vars_, avps, xavps, others = [], [], [], []
    for spec in config_pvs(program):
        if spec.trans or spec.dyn is not None:
            continue
        if spec.cls == "var" and spec.inner:
            vars_.append(spec.inner)
        elif spec.cls == "avp" and spec.inner and spec.index in (None, 0):
            avps.append(spec.inner)
        elif spec.cls == "xavp" and spec.inner:
            xavps.append(_xavp_root(spec.inner))
        elif spec.cls not in _TYPED_PVS and spec.index is None and not spec.cls.startswith("T_"):
            others.append(spec)      # cfgt skips tm's $T_* by name

    def dump(ctx) -> dict:
        out = {}
        for name in dict.fromkeys(vars_):
            out[f"$var({name})"] = ctx.worker.vars.get(name, 0)
        for name in dict.fromkeys(avps):
            vals = ctx.avps.get(name)
            if vals:
                out[f"$avp({name})"] = list(vals)
        for name in dict.fromkeys(xavps):
            recs = _xavp_json(ctx.xavps.get(name))
            if recs:
                out[f"$xavp({name})"] = recs
        get = getattr(ctx, "get_pv_raw", None)
        if get is not None:
            for spec in others:
                try:
                    v = get(spec)
                except Exception:   # a PV that cannot be read on this message: cfgt skips it too
                    continue
                if v is not None:
                    out[spec.text] = _cfgt_value(ctx, spec, v)
        return out
    return dump


def _cfgt_value(ctx, spec, value):
    """cfgt prints a PV's int when it has one (PV_VAL_INT): the PV row's int_form gives the int
    side of a dual-typed PV (cfgvm.vm.pv.PVDef.int_form)."""
    if isinstance(value, int):
        return value
    from cfgvm.vm.pv import registry
    d = registry(getattr(ctx, "program", None)).defs.get(spec.cls)
    form = getattr(d, "int_form", None)
    if form is not None:
        n = form(value)
        if n is not None:
            return n
    return value


def _xavp_json(entries) -> list:
    """An XAVP list as cfgt prints it: records only, field names newest first, values newest first."""
    out = []
    for rec in entries or ():
        if isinstance(rec, dict):
            out.append({k: list(rec[k]) for k in reversed(list(rec))})
    return out


def cfgt_vars(ctx) -> dict:
    """The variables cfgt dumps (mask 30: AVPs, script vars, XAVPs; nulls left out), sorted by name.

    $var values come from the worker, AVPs/XAVPs from the message context; ints stay numbers."""
    out: dict[str, Any] = {}
    for name, value in ctx.worker.vars.items():
        if value is not None:
            out[f"$var({name})"] = value
    for name, values in ctx.avps.items():
        if values:
            out[f"$avp({name})"] = list(values)
    for name, records in ctx.xavps.items():
        if _xavp_json(records):
            out[f"$xavp({name})"] = _xavp_json(records)
    return dict(sorted(out.items()))
