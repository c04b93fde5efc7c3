"""Compiler stages after parsing. `check_config(cfg)` is the hook where the resolve stage (issue 4:
module export tables, function name/arity/route type, PV names, route(NAME) targets) plugs in;
it runs resolve.py (modules, modparams, calls, fixups, PVs, routes) and codegen.py.
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


def check_config(cfg: A.Config) -> list[Diagnostic]:
    """Every check after parsing: the full resolve stage and code generation (cfgvm/compiler/
    program.py); returns diagnostics (errors and warnings), never raises for a config error.
    (Named check_config: `cfgvm.compiler.resolve` is the resolve-stage module.)"""
    from cfgvm.compiler.program import compile_config
    _, diags = compile_config(cfg, raise_errors=False)
    return diags
