"""Transformations (kamailio-language.md §7): one table per class, a registry, and the chain runner.

Each class module declares TABLE = {name: TrDef(params, fn)}.  `params` lists the parameter kinds
the parser must read (cfgvm.vm.pvspec._parse_trans); a trailing '?' marks an optional one:
    n    number or PV (PV must yield an int)        s    text or PV (PV must yield non-empty text)
    sx   like s, but a lone ',' is a valid value     c    s.select's one separator char
    sep  separator char, or a PV                     sep1 separator char (literal only)
    raw  re.subst's expression (braces balanced), or a PV
fn(value, *args) gets the input value (None|int|str) and the evaluated args and returns the
new value, or None when the transformation fails (Kamailio then stops the chain: the PV read fails,
and a format prints nothing for it).  No 5.6 transformation yields null as a success value.
A TrDef with program=True also gets `program=` (the running program, or None outside one): for the
few that read Kamailio's global settings (sock.* accepts only enabled protocols). The VM hands
get_pv as functools.partial(get_raw, ctx) (cfgvm.vm.pv.raw_getter), which is where it comes from.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from cfgvm.vm.values import Value


@dataclass(frozen=True, slots=True)
class TrDef:
    params: tuple[str, ...]
    fn: Callable
    since: str = ""          # "" = Kamailio 5.6; otherwise the version that added it (not in 5.6)
    program: bool = False    # fn also takes program= (see the module docstring)
    get_pv: bool = False     # fn also takes get_pv= (the raw PV getter: PVs inside its arguments)


class TransformError(Exception):
    """Unknown transformation class or name."""


def _load() -> dict[str, dict[str, TrDef]]:
    from cfgvm.vm.transformations import (tr_line, tr_nameaddr, tr_param, tr_re, tr_s, tr_sock,
                                          tr_tobody, tr_uri, tr_urialias, tr_val)
    return {"s": tr_s.TABLE, "uri": tr_uri.TABLE, "param": tr_param.TABLE,
            "nameaddr": tr_nameaddr.TABLE, "tobody": tr_tobody.TABLE, "line": tr_line.TABLE,
            "urialias": tr_urialias.TABLE, "re": tr_re.TABLE, "sock": tr_sock.TABLE,
            "val": tr_val.TABLE}


_CLASSES: dict[str, dict[str, TrDef]] | None = None
MODULE_OF = {"s": "pv", "uri": "pv", "param": "pv", "nameaddr": "pv", "tobody": "pv", "line": "pv",
             "urialias": "pv", "val": "pv", "re": "textops", "sock": "corex"}


def classes() -> dict[str, dict[str, TrDef]]:
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _load()
    return _CLASSES


def register_class(name: str, table: dict[str, TrDef]) -> None:
    """For modules that bring their own class (sql, json, url ...)."""
    classes()[name] = table


def lookup(dotted: str) -> TrDef:
    """'s.len' -> its TrDef; TransformError naming what is unknown."""
    cls, _, name = dotted.partition(".")
    return lookup2(cls, name)


def lookup2(cls: str, name: str) -> TrDef:
    table = classes().get(cls)           # class names are case-sensitive
    if table is None:
        raise TransformError(f"unknown transformation class '{cls}'")
    d = table.get(name.lower())          # names are not
    if d is None:
        raise TransformError(f"unknown transformation '{cls}.{name}'")
    return d


def lookup_params(cls: str, name: str):
    try:
        return lookup2(cls, name).params
    except TransformError:
        return None


def check_call(call) -> str | None:
    """Message for a TrCall whose class/name is unknown or which is newer than 5.6, else None."""
    try:
        d = lookup2(call.cls, call.name)
    except TransformError as e:
        return str(e)
    if d.since:
        return f"transformation '{call.cls}.{call.name}' needs Kamailio {d.since} (not in 5.6)"
    return None


def _arg(kind: str, a, get_pv):
    """Evaluate one parameter like the C code does: PVs must give an int for n-kinds and a
    non-empty string for text kinds, else the transformation fails (returns _FAIL)."""
    from cfgvm.vm.pvspec import PVSpec
    if not isinstance(a, PVSpec):
        return a
    v = evaluate(a, get_pv)
    if kind.startswith("n"):
        return v if isinstance(v, int) else _FAIL
    if v is None:
        return _FAIL
    v = str(v)
    return v if v else _FAIL


_FAIL = object()


def apply(trans, value: Value, get_pv) -> Value:
    """Run a chain of TrCall on value; None when one fails."""
    for call in trans:
        d = lookup2(call.cls, call.name)
        args = []
        for kind, a in zip(d.params, call.args):
            a = _arg(kind.rstrip("?"), a, get_pv)
            if a is _FAIL:
                return None
            args.append(a)
        kw = {}
        if d.program:
            kw["program"] = _program_of(get_pv)
        if d.get_pv:
            kw["get_pv"] = get_pv
        value = d.fn(value, *args, **kw)
        if value is None:
            return None
    return value


def compile_chain(trans):
    """apply(trans, value, get_pv) with the lookups done once: chain(value, get_pv) -> value.
    chain.needs_get_pv is False when no step reads a PV (its argument or get_pv=/program=): the
    caller may then pass None for get_pv and build no getter per run."""
    from cfgvm.vm.pvspec import PVSpec
    steps = []
    for call in trans:
        d = lookup2(call.cls, call.name)
        if d.program or d.get_pv or any(isinstance(a, PVSpec) for a in call.args):
            steps = None
            break
        steps.append((d.fn, tuple(a for _, a in zip(d.params, call.args))))
    if steps is None:
        def chain(value, get_pv):
            return apply(trans, value, get_pv)
        chain.needs_get_pv = True
        return chain
    if len(steps) == 1:
        (fn, args), = steps
        if not args:
            def chain(value, get_pv):
                return fn(value)
        else:
            def chain(value, get_pv):
                return fn(value, *args)
    else:
        def chain(value, get_pv):
            for fn, args in steps:
                value = fn(value, *args)
                if value is None:
                    return None
            return value
    chain.needs_get_pv = False
    return chain


def _program_of(get_pv):
    if isinstance(get_pv, functools.partial) and get_pv.args:
        return getattr(get_pv.args[0], "program", None)
    return None


def evaluate(spec, get_pv) -> Value:
    """A PV's value with its transformations; get_pv(spec) is the raw getter."""
    v = get_pv(spec)
    if spec.trans:
        return apply(spec.trans, v, get_pv)
    return v
