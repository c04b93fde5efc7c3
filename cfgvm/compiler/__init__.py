"""Compiler stages after parsing. `resolve(cfg)` is the hook where the resolve stage (issue 4:
module export tables, function name/arity/route type, PV names, route(NAME) targets) plugs in;
today it only checks that every loadmodule names a module cfgvm can provide.
"""
from __future__ import annotations

import importlib.util
import os

from cfgvm import ast as A
from cfgvm.compiler.known_modules import KAMAILIO_5_6_MODULES
from cfgvm.diagnostics import Diagnostic


def module_name(path: str) -> str:
    """`loadmodule "tm.so"`, `"tm"`, `"/usr/lib/.../tm.so"` -> "tm"."""
    base = os.path.basename(path)
    return base[:-3] if base.endswith(".so") else base


def stdlib_provides(name: str) -> bool:
    return importlib.util.find_spec(f"cfgvm.stdlib.{name}") is not None if name.isidentifier() else False


def check_modules(cfg: A.Config) -> list[Diagnostic]:
    out = []
    for m in cfg.modules:
        name = module_name(m.path)
        if name not in KAMAILIO_5_6_MODULES:
            out.append(Diagnostic(m.coord, "error", "module-unknown",
                                  f"unknown module '{name}' (not a Kamailio 5.6 module)"))
        elif not stdlib_provides(name):
            out.append(Diagnostic(m.coord, "error", "module-unsupported",
                                  f"cfgvm: module '{name}' is not supported yet"))
    return out


def resolve(cfg: A.Config) -> list[Diagnostic]:
    """Every check after parsing; returns diagnostics (errors and warnings). Issue 4 extends this."""
    return check_modules(cfg)
