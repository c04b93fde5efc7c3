"""A compiled program: compile_config(cfg) -> Program (the contract in cfgvm/vm/context.py).

    prog.routes        {kind: {name: Code}}
    prog.modules       {name: ModuleInstance}
    prog.flags         {flag name: bit}
    prog.params        core params {name: value}
    prog.defines       preprocessor defines ($def)
    prog.run_route(ctx, kind, name=None) -> RunResult
"""
from __future__ import annotations

from typing import NamedTuple

from cfgvm import ast as A
from cfgvm.compiler.codegen import CodeGen
from cfgvm.compiler.resolve import Resolver
from cfgvm.diagnostics import CfgError, Diagnostic
from cfgvm.vm.context import SharedState, WorkerState
from cfgvm.vm.machine import DROP, EXIT, Machine


class RunResult(NamedTuple):
    """A tuple: built on every message, and a tuple is the cheapest immutable record to build."""
    rc: int            # the route's return code ($rc afterwards)
    exit: bool         # the script ended (exit, drop, return 0, a function returning 0)
    dropped: bool      # `drop` was executed


class Program:
    def __init__(self, cfg: A.Config, defines=None):
        self.cfg = cfg
        self.params = {p.name: _param_value(p.value) for p in cfg.params}
        self.defines = dict(defines or {})
        self.routes: dict[str, dict] = {k: {} for k in A.ROUTE_KINDS}
        self.modules: dict = {}
        self.flags: dict[str, int] = {}
        self.avpflags: dict[str, int] = {}
        self.cfg_groups = {v.group for v in cfg.cfg_vars}
        self.machine: Machine | None = None

    # factories for the engine (context.py)
    def new_worker(self) -> WorkerState:
        return WorkerState()

    def new_shared(self) -> SharedState:
        return SharedState()

    def run_route(self, ctx, kind: str, name=None) -> RunResult:
        code = self.routes[kind].get(name)
        if code is None:
            raise KeyError(f"no {kind} route {name!r} in this program")
        ret, flags = self.machine.execute(code, ctx)
        ctx.rc = ret
        return RunResult(ret, flags & EXIT != 0, flags & DROP != 0)


def _param_value(v):
    if isinstance(v, A.Const):
        return v.value
    return v


def compile_config(cfg: A.Config, *, defines=None, pv_resolver=None, module_loader=None,
                   raise_errors: bool = True) -> tuple[Program, list[Diagnostic]]:
    """Resolve + codegen every route block (module_loader(name) -> Module replaces the stdlib import,
    pv_resolver(spec, program, coord) -> PVRef the PV registry: both for tests).  Returns (program, diagnostics); raises CfgError with all
    of them when there is an error and raise_errors is set."""
    prog = Program(cfg, defines)
    r = Resolver(cfg, pv_resolver=pv_resolver, program=prog, module_loader=module_loader)
    r.load()
    prog.modules, prog.flags, prog.avpflags = r.modules, r.flags, r.avpflags
    seen = {}
    for item in cfg.items:
        if not isinstance(item, A.Route):
            continue
        key = (item.kind, item.name)
        if key in seen and item.name is not None:
            r.err(item.coord, "duplicate-route",
                  f"duplicate route: {item.kind} route '{item.name}' is already defined at {seen[key]}")
            continue
        seen.setdefault(key, item.coord)
    for kind, table in cfg.routes.items():
        for name, route in table.items():
            prog.routes[kind][name] = CodeGen(r, route).generate()
    prog.machine = Machine(prog.routes, int(_num(prog.params.get("max_while_loops"), 100)),
                           int(_num(prog.params.get("max_recursive_level"), 256)))
    if raise_errors and any(d.severity == "error" for d in r.diags):
        raise CfgError(r.diags)
    return prog, r.diags


def _num(v, default):
    return v if isinstance(v, int) else default
