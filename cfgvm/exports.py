"""The module interface: one export table per Kamailio module, as Kamailio's `module_exports` does.

A module file stdlib_modules/<name>.py defines `EXPORTS = Module(...)`:

    EXPORTS = Module(
        name="maxfwd",
        params=[Param("max_limit", INT, 70)],
        functions=[
            Function("mf_process_maxfwd_header", mf_process, (IGP,), REQUEST_ROUTE),
            Function("is_maxfwd_lt", is_lt, (IGP,), ANY_ROUTE),   # arity overloads are extra rows
        ],
        pvs=[PV("maxfwd_x", get_x, inner=NO_INNER)],
        init=init,            # init(mod: ModuleInstance) at compile time, after modparams
    )

A function handler is called as `handler(ctx, mod, *args) -> int`: `ctx` is the per-message runtime context
(cfgvm/vm/context.py), `mod` the ModuleInstance (params and state of this module in this program), `args`
the fixed-up arguments. Return codes follow Kamailio: > 0 true, < 0 false, 0 ends the script.

Argument kinds (the fixup each parameter gets at compile time; the VM hands the handler the run-time value):
  STR    literal string, no PV interpolation                    -> str
  FMT    format string with $pv interpolation (fixup_spve)      -> str (rendered per call)
  INT    integer constant                                       -> int
  IGP    integer constant or a PV ("int or general PV")         -> int (PV read per call)
  SGP    string constant or a PV                                -> str
  PVAR   a writable PV (output variable)                        -> PVRef (ctx.set_pv(ref, value))
  PVSPEC a readable PV spec                                     -> PVRef (ctx.get_pv(ref))
  REGEX  a regular expression (POSIX ERE), constant or format   -> compiled re.Pattern
  EXPR   any expression, evaluated at run time (no constness)   -> Value
  ROUTE  a route name that must exist in the given route table  -> str (checked at compile time)
A Function may instead give `fixup=callable(args, coord, program) -> list` for a module-specific fixup.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# Route types (bit mask), as Kamailio's route_struct.h: what a function may be used in.
REQUEST_ROUTE = 1
FAILURE_ROUTE = 2
TM_ONREPLY_ROUTE = 4
BRANCH_ROUTE = 8
ONSEND_ROUTE = 16
ERROR_ROUTE = 32
LOCAL_ROUTE = 64
CORE_ONREPLY_ROUTE = 128
BRANCH_FAILURE_ROUTE = 256
ONREPLY_ROUTE = TM_ONREPLY_ROUTE | CORE_ONREPLY_ROUTE
EVENT_ROUTE = REQUEST_ROUTE          # 5.6 checks event routes as REQUEST (kamailio-language.md §10.27)
ANY_ROUTE = 0xFFFFFFFF

ROUTE_TYPE_NAMES = {
    REQUEST_ROUTE: "request_route", FAILURE_ROUTE: "failure_route", TM_ONREPLY_ROUTE: "onreply_route",
    BRANCH_ROUTE: "branch_route", ONSEND_ROUTE: "onsend_route", ERROR_ROUTE: "error_route",
    LOCAL_ROUTE: "local_route", CORE_ONREPLY_ROUTE: "reply_route",
    BRANCH_FAILURE_ROUTE: "branch_failure_route",
}

# Argument kinds (see the module docstring).
STR, FMT, INT, IGP, SGP, PVAR, PVSPEC, REGEX, EXPR, ROUTE = (
    "str", "fmt", "int", "igp", "sgp", "pvar", "pvspec", "regex", "expr", "route")

# Param types.
INT_PARAM, STR_PARAM = "int", "str"

# PV inner-name requirement.
NO_INNER, NEEDS_INNER, OPTIONAL_INNER = "none", "required", "optional"


@dataclass(frozen=True)
class Function:
    name: str
    handler: Callable[..., int]
    args: tuple[str, ...] = ()
    route_types: int = ANY_ROUTE
    fixup: Callable | None = None

    @property
    def arity(self) -> int:
        return len(self.args)


@dataclass(frozen=True)
class Param:
    name: str
    type: str                 # INT_PARAM | STR_PARAM
    default: Any = None
    multi: bool = False       # may be set several times (e.g. htable's "htable"); values collect in a list
    setter: Callable | None = None   # setter(mod, value) for params with their own parsing


@dataclass(frozen=True)
class PV:
    """A pseudo-variable class: `getter(ctx, spec) -> Value`; `setter(ctx, spec, value)` if writable."""
    name: str
    getter: Callable
    setter: Callable | None = None
    inner: str = NO_INNER


class RpcError(Exception):
    """An RPC command's failure as Kamailio reports it: numeric code and text (`error: 500 - text`)."""
    def __init__(self, code: int, text: str):
        super().__init__(f"{code} - {text}")
        self.code, self.text = code, text


@dataclass(frozen=True)
class Select:
    """A select root a module adds (`@name["param"].field`, resolved by cfgvm/vm/select.py through the
    loaded modules): getter(ctx, param) -> object of `kind` (a kind of select.py's KINDS, or a new one
    named here with its `fields` {field: (fn(obj, param) -> obj, next kind)}); the object is rendered
    with str(). `extra_index`: a second `[n]` after the parameter is accepted (and ignored)."""
    name: str
    getter: Callable
    kind: str = "str"
    fields: dict = field(default_factory=dict)
    extra_index: bool = False


@dataclass(frozen=True)
class Module:
    name: str
    functions: list[Function] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    pvs: list[PV] = field(default_factory=list)
    transformations: dict[str, Any] = field(default_factory=dict)   # class name -> table
    rpc: dict[str, Callable] = field(default_factory=dict)   # "mod.cmd" -> handler(mod, shared, *params)
    selects: list[Select] = field(default_factory=list)
    init: Callable | None = None           # init(mod) once per program, after modparams
    child_init: Callable | None = None     # child_init(mod, worker) per worker
    stats: tuple[str, ...] = ()
    # Out-of-band service modules (ctl, jsonrpcs, xhttp...) load with a warning in check/dry-run and a
    # clear "not implemented yet" in `cfgvm run`.
    service_only: bool = False
    # Engine hooks (cfgvm/engine.py), each optional:
    #   "reply_received": fn(mod, engine, ctx, res) -> bool, after the core reply route; True when
    #       the module took the reply (tm matched it to a transaction), so it is not forwarded statelessly
    #   "request_received": fn(mod, engine, ctx, res) -> bool, before request_route (a pre-script
    #       callback); True when the module took the request, so request_route does not run
    #   "request_done": fn(mod, engine, ctx, res), after request_route (per-message clean-up)
    hooks: dict[str, Callable] = field(default_factory=dict)

    def function(self, name: str, arity: int) -> Function | None:
        for f in self.functions:
            if f.name == name and f.arity == arity:
                return f
        return None

    def arities(self, name: str) -> list[int]:
        return sorted(f.arity for f in self.functions if f.name == name)


@dataclass
class ModuleInstance:
    """One loaded module inside one compiled program: its export table, param values and state."""
    exports: Module
    params: dict[str, Any] = field(default_factory=dict)
    state: Any = None

    @property
    def name(self) -> str:
        return self.exports.name
