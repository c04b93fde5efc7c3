"""Helpers shared by the base modules (not a Kamailio module: the loader skips names starting with '_')."""
from __future__ import annotations

from cfgvm.vm import fmt as _fmt
from cfgvm.vm.values import Value


class ModuleError(RuntimeError):
    """A module function that cannot do what the script asked (not a script-visible -1: a cfgvm limit)."""


def not_implemented(what: str):
    """A handler that refuses clearly, for functions whose behaviour needs a part cfgvm lacks."""
    def handler(ctx, mod, *args):
        raise ModuleError(what)
    handler.__name__ = "not_implemented"
    return handler


def pv_getter(ctx):
    """The VM's raw PV getter for this message: spec -> Value (needed to evaluate PVs inside module
    PV names such as $sht(t=>$si), and formats rendered at run time)."""
    get = getattr(ctx, "get_pv_raw", None)
    if get is None:
        raise ModuleError("runtime context has no get_pv_raw(spec): cannot evaluate a PV here")
    return get


def render(ctx, text_or_format) -> str:
    """pv_printf of a format (a Format, or text parsed here) with the message's PVs."""
    f = text_or_format if isinstance(text_or_format, _fmt.Format) else _fmt.parse(text_or_format)
    lit = f.literal
    if lit is not None:
        return lit
    return _fmt.render(f, pv_getter(ctx))


def eval_spec(ctx, spec) -> Value:
    from cfgvm.vm.transformations import evaluate
    return evaluate(spec, pv_getter(ctx))


def route_type_ok(ctx, mask: int) -> bool:
    return bool(ctx.route_type & mask)


def msg_text(ctx) -> str:
    return ctx.msg.text


def header_name_ok(name: str) -> bool:
    return bool(name) and all(c not in " \t\r\n:" for c in name)


def const_text(arg) -> str:
    """The text of a constant argument handed to a module-specific fixup (an AST Const or a str)."""
    return arg.value if hasattr(arg, "value") else arg


def fmt_arg(text: str):
    """A format argument built inside a module-specific fixup: the literal str when it has no PVs,
    else a Dyn that renders it per call (as the resolver does for FMT arguments)."""
    from cfgvm.compiler.resolve import Dyn
    f = _fmt.parse(text)
    if not f.has_pvs:
        return f.literal
    return Dyn(lambda ctx: render(ctx, f), text)
