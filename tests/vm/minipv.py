"""A minimal PV resolver (and module loader) for VM tests ($var, $null, $rc/$retcode) used only when the real PV registry
(cfgvm/vm/pv.py + cfgvm/vm/pvs) is not importable in this tree."""
from __future__ import annotations

from cfgvm.vm.values import to_int


class Ref:
    def __init__(self, spec, get, set_=None):
        self.spec, self.get, self.set, self.writable = spec, get, set_, set_ is not None


def resolve(spec, program, coord=None):
    if spec.trans:
        raise ValueError("transformations need the real PV registry")
    if spec.cls == "var":
        name = spec.inner

        def get(ctx):
            return ctx.worker.vars.get(name, 0)

        def set_(ctx, v):
            ctx.worker.vars[name] = 0 if v is None else v
        return Ref(spec, get, set_)
    if spec.cls == "null":
        return Ref(spec, lambda ctx: None)
    if spec.cls in ("rc", "retcode", "?"):
        return Ref(spec, lambda ctx: to_int(ctx.rc))
    raise ValueError(f"unknown pseudo-variable ${spec.cls}")


def pick():
    """The real resolver when the tree has a working one, else this one."""
    try:
        from cfgvm.stdlib import pv as _pvmod  # noqa: F401
        from cfgvm.vm import pv, pvs  # noqa: F401
        return None
    except ImportError:
        return resolve


def loader(fakes=None):
    """A module loader for compile_config: fakes first, then cfgvm.stdlib, and an empty "pv" module
    when cfgvm.stdlib has none yet (so configs can `loadmodule "pv.so"` as Kamailio needs)."""
    from cfgvm import exports as X
    from cfgvm.compiler.resolve import load_exports
    fakes = fakes or {}

    def load(name):
        got = fakes.get(name) or load_exports(name)
        if got is None and name == "pv":
            got = X.Module("pv")
        return got
    return load
