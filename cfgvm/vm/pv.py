"""The PV registry: PV specs resolved once at compile time into PVRef objects the VM calls.

    ref = resolve_pv(spec, program, coord)   # CfgError (unknown class, inner name, index, ...)
    ref.check_writable(coord)                # CfgError when used as an lvalue and not writable
    ref.get(ctx) -> Value ; ref.set(ctx, value)

The registry of a program = core PVs ($null, $rc, $def, $env ...) + the PVs of every loaded module
(program.modules[*].exports.pvs). A row is a cfgvm.exports.PV: getter(ctx, spec), setter(ctx, spec,
value). Rows of class PVDef (below) also carry a compile-time `fixup(spec, program) -> param` and an
`index` flag; their getter/setter then receive that param instead of the spec, so names, indexes and
dynamic names are parsed once. A getter declared `def g(ctx, p=None)` with no fixup is called directly
(one call per read). Transformations make a ref read-only (Kamailio refuses them on the left).
"""
from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Callable

from cfgvm.diagnostics import SYNTHETIC, Coord, error
from cfgvm.exports import NEEDS_INNER, NO_INNER, OPTIONAL_INNER, PV
from cfgvm.vm import fmt
from cfgvm.vm.pvspec import PVSpec
from cfgvm.vm.values import Value, to_str


class PVError(Exception):
    """A PV name that cannot be resolved (compile time): message for the diagnostic."""


class PVRuntimeError(RuntimeError):
    """A PV read or write that cfgvm cannot do (a part not implemented yet): never a silent null."""


@dataclass(frozen=True)
class PVDef(PV):
    """A PV row with a compile-time fixup; getter(ctx, param), setter(ctx, param, value)."""
    fixup: Callable | None = None     # fixup(spec, program) -> param; raises PVError
    index: bool = False               # accepts [n], [-n], [*], [$pv]
    # Kamailio PVs that carry a string and an int (pv_get_strintval/intstrval, PV_VAL_STR|PV_VAL_INT):
    # int_form(value) -> int | None gives the int side of a value read here. Only cfgt's renderer
    # uses it (cfgt prints the int when there is one: $rm is 512 for OPTIONS); scripts see the str.
    int_form: Callable | None = None


class Registry:
    def __init__(self, defs: dict[str, PV]):
        self.defs = defs
        self.raw_cache: dict = {}      # PVSpec -> PVRef without transformations (get_raw)


class PVRef:
    """A resolved PV. `get`/`set` are plain callables set at resolve time (no dispatch per read)."""
    __slots__ = ("spec", "pvdef", "param", "writable", "get", "set")

    def __init__(self, spec: PVSpec, pvdef: PV, param, get, set_, writable: bool):
        self.spec = spec
        self.pvdef = pvdef
        self.param = param
        self.get = get
        self.set = set_
        self.writable = writable

    def check_writable(self, coord: Coord = SYNTHETIC) -> None:
        if self.spec.trans:
            raise error(coord, "pv-readonly", f"{self.spec.text}: a PV with transformations cannot be assigned")
        if not self.writable:
            raise error(coord, "pv-readonly", f"pseudo-variable ${self.spec.cls} is read-only")

    def __repr__(self) -> str:
        return f"<PVRef {self.spec.text}>"


# ---- registry ---------------------------------------------------------------------------------

def _core_defs() -> dict[str, PV]:
    from cfgvm.vm import pvs
    return {d.name: d for d in pvs.CORE_PVS}


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """Core PVs + the pv module (for tests and callers without a program)."""
    global _DEFAULT
    if _DEFAULT is None:
        from cfgvm.vm import pvs
        defs = _core_defs()
        defs.update({d.name: d for d in pvs.PV_MODULE_PVS})
        _DEFAULT = Registry(defs)
    return _DEFAULT


def registry(program) -> Registry:
    if program is None:
        return default_registry()
    reg = getattr(program, "pv_registry", None)
    if reg is not None:
        return reg
    from cfgvm.vm import pvs
    defs = _core_defs()
    modules = getattr(program, "modules", None) or {}
    for name, mod in modules.items():
        for d in mod.exports.pvs:
            defs[d.name] = d
        if name == "tmx" and not any(d.name.startswith("T") for d in mod.exports.pvs):
            defs.update({d.name: d for d in pvs.TMX_PVS})
    reg = Registry(defs)
    try:
        program.pv_registry = reg
    except AttributeError:
        pass
    return reg


def known_classes(program) -> dict[str, bool]:
    """{class: needs an inner name} for cfgvm.vm.pvspec.validate."""
    return {n: d.inner == NEEDS_INNER for n, d in registry(program).defs.items()}


# ---- resolving ---------------------------------------------------------------------------------

def resolve_pv(spec: PVSpec, program=None, coord: Coord = SYNTHETIC) -> PVRef:
    """Resolve a PV spec (and every PV nested in it) against the program's registry."""
    try:
        return _resolve(spec, program, True)
    except PVError as e:
        raise error(coord, "pv-invalid", str(e)) from None


def _resolve(spec: PVSpec, program, with_trans: bool) -> PVRef:
    reg = registry(program)
    d = reg.defs.get(spec.cls)
    if d is None:
        raise PVError(f"unknown pseudo-variable {spec.text if spec.ser else '$' + spec.cls}")
    if d.inner == NEEDS_INNER and spec.inner is None:
        raise PVError(f"pseudo-variable ${spec.cls} needs an inner name: ${spec.cls}(name)")
    if d.inner == NO_INNER and spec.inner is not None:
        raise PVError(f"pseudo-variable ${spec.cls} does not take an inner name")
    has_index = spec.index is not None
    if has_index and not (isinstance(d, PVDef) and d.index):
        raise PVError(f"pseudo-variable ${spec.cls} does not take an index")
    if isinstance(spec.index, PVSpec):
        _resolve(spec.index, program, True)
    if isinstance(d, PVDef):
        param = d.fixup(spec, program) if d.fixup is not None else None
    else:
        param = spec
        if spec.dyn is not None:
            dyn_name(spec, program)            # validates the nested PVs
    g = d.getter
    if param is None and getattr(g, "__defaults__", None):
        get = g
    else:
        def get(ctx, g=g, p=param):
            return g(ctx, p)
    s = d.setter
    if s is None:
        def set_(ctx, value, spec=spec):
            raise PVRuntimeError(f"pseudo-variable ${spec.cls} is read-only")
    else:
        def set_(ctx, value, s=s, p=param):
            s(ctx, p, value)
    if spec.trans and with_trans:
        from cfgvm.vm.transformations import compile_chain
        for tr in spec.trans:
            from cfgvm.vm.transformations import check_call
            msg = check_call(tr)
            if msg:
                raise PVError(msg)
            for a in tr.args:
                if isinstance(a, PVSpec):
                    _resolve(a, program, True)
        base, chain = get, compile_chain(spec.trans)
        if chain.needs_get_pv:
            def get(ctx, base=base, chain=chain):
                return chain(base(ctx), raw_getter(ctx))
        else:
            def get(ctx, base=base, chain=chain):
                return chain(base(ctx), None)
    return PVRef(spec, d, param, get, set_, s is not None and not spec.trans)


def get_raw(ctx, spec: PVSpec) -> Value:
    """Read a PV spec without its transformations (fmt.render / transformations' get_pv callback).
    Resolved once per spec and cached in the program's registry."""
    reg = registry(getattr(ctx, "program", None))
    ref = reg.raw_cache.get(spec)
    if ref is None:
        ref = _resolve(spec, getattr(ctx, "program", None), False)
        reg.raw_cache[spec] = ref
    return ref.get(ctx)


def raw_getter(ctx) -> Callable[[PVSpec], Value]:
    # a partial, not a lambda: transformations that need the program find ctx in it
    return functools.partial(get_raw, ctx)


def render(ctx, f: fmt.Format) -> str:
    """pv_printf of a format with this message's PVs."""
    lit = f.literal
    return lit if lit is not None else fmt.render(f, raw_getter(ctx))


def check_format(f: fmt.Format, program=None, coord: Coord = SYNTHETIC) -> None:
    """Resolve every PV of a format string (fixup time): CfgError on the first bad one."""
    for spec in f.pvs:
        resolve_pv(spec, program, coord)


# ---- helpers for fixups --------------------------------------------------------------------

def dyn_name(spec: PVSpec, program) -> Callable | None:
    """For an inner name holding PVs: a callable(ctx) -> str rendering it; None when static."""
    dyn = spec.dyn
    if dyn is None:
        return None
    if isinstance(dyn, PVSpec):
        ref = _resolve(dyn, program, True)
        return lambda ctx: to_str(ref.get(ctx))
    for sub in dyn.pvs:
        _resolve(sub, program, True)
    return lambda ctx: fmt.render(dyn, raw_getter(ctx))


def index_of(spec: PVSpec, program):
    """The spec's index as None | int | '*' | callable(ctx) -> int."""
    idx = spec.index
    if idx == "+":
        raise PVError(f"{spec.text}: the iterator index [+] is not supported by cfgvm yet")
    if isinstance(idx, PVSpec):
        ref = _resolve(idx, program, True)
        from cfgvm.vm.values import to_int
        return lambda ctx: to_int(ref.get(ctx))
    return idx


def eval_index(idx, ctx):
    return idx(ctx) if callable(idx) else idx


__all__ = ["PVDef", "PVError", "PVRef", "PVRuntimeError", "Registry", "resolve_pv", "get_raw",
           "raw_getter", "render", "check_format", "known_classes", "registry", "dyn_name",
           "index_of", "eval_index", "NEEDS_INNER", "NO_INNER", "OPTIONAL_INNER"]
