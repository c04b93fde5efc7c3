"""The resolve stage: everything Kamailio checks or fixes up at start-up, done once at compile time.

    Resolver(cfg).load()     loadmodule -> export tables, modparam (regex, name, type), init hooks,
                             flag names -> bits
    resolver.call(node, rt)  a Call/CoreAction -> BoundCall (name, arity, route type, fixups)
    resolver.pv(node)        a PV/AVP/Select node -> a PVRef (cfgvm/vm/pv.py resolve_pv)
All problems are collected in resolver.diags (never stop at the first one).

Messages follow Kamailio 5.6.3 (checked with `kamailio -f x.cfg -DD -E`, fixups run at start-up):
  "set_mod_param_regex(): No module matching <X> found", "parameter <P> of type <1:string> not found in
  module <M>", "unknown command, missing loadmodule?", "Command cannot be used in the block",
  "function xlog: parameter 1 is not constant".
"""
from __future__ import annotations

import importlib
import re

from cfgvm import ast as A
from cfgvm import exports as X
from cfgvm.compiler.known_modules import KAMAILIO_5_6_MODULES
from cfgvm.compiler.regex import RegexError, compile_ere
from cfgvm.diagnostics import CfgError, Coord, Diagnostic
from cfgvm.vm import fmt, pvspec
from cfgvm.vm.machine import BINARY_OPS, UNARY_OPS, EvalError, call_value, const_match
from cfgvm.vm.pvspec import PVSyntaxError
from cfgvm.vm.values import is_true, str_to_int, to_int, to_str

# route block kind -> route type the functions in it are checked against (§3.6, §4.6)
BLOCK_ROUTE_TYPE = {
    "request": X.REQUEST_ROUTE, "failure": X.FAILURE_ROUTE, "onreply": X.TM_ONREPLY_ROUTE,
    "reply": X.CORE_ONREPLY_ROUTE, "branch": X.BRANCH_ROUTE, "onsend": X.ONSEND_ROUTE,
    "event": X.EVENT_ROUTE,
}
_PARAM_TYPE_TEXT = {X.STR_PARAM: "1:string", X.INT_PARAM: "2:int"}


def module_name(path: str) -> str:
    """`loadmodule "tm.so"`, `"modules/tm.so"`, `"/usr/lib/.../tm.so"`, `"tm"` -> "tm"."""
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    return base[:-3] if base.endswith(".so") else base


def load_exports(name: str) -> X.Module | None:
    """`cfgvm.stdlib.<name>.EXPORTS`, or None when cfgvm does not provide that module."""
    if not name.isidentifier() or name.startswith("_"):
        return None
    try:
        mod = importlib.import_module(f"cfgvm.stdlib.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"cfgvm.stdlib.{name}":
            return None
        raise
    return getattr(mod, "EXPORTS", None)


def default_pv_resolver():
    """cfgvm.vm.pv.resolve_pv(spec, program) -> PVRef, or a stand-in that refuses every PV."""
    try:
        from cfgvm.vm.pv import resolve_pv
    except ImportError:
        resolve_pv = None

    def resolve(spec, program, coord=None):
        if resolve_pv is None:
            raise ValueError(f"PV not supported (cfgvm.vm.pv is missing): {spec.text}")
        try:
            return resolve_pv(spec, program, coord)
        except ImportError as e:       # the PV registry is incomplete in this tree
            raise ValueError(f"PV not supported ({e}): {spec.text}") from None
    return resolve


class BoundCall:
    """A function call with its entry and fixed-up arguments resolved; `invoke(ctx) -> int`."""
    __slots__ = ("name", "func", "mod", "args", "raw", "invoke", "coord")

    def __init__(self, name, func, mod, args, raw, coord):
        self.name, self.func, self.mod, self.args, self.raw, self.coord = name, func, mod, args, raw, coord
        handler = func.handler
        getters = [a for a in args if isinstance(a, Dyn)]
        if not getters:      # fixed arguments bound now: no star-call per invocation
            self.invoke = _fixed_call(handler, mod, tuple(args))
        else:
            fns = [(a.get if isinstance(a, Dyn) else _const_fn(a)) for a in args]
            self.invoke = _computed_call(handler, mod, fns)

    def __repr__(self):
        return f"{self.name}/{len(self.args)}"


def _fixed_call(handler, mod, consts):
    if not consts:
        return lambda ctx: handler(ctx, mod)
    if len(consts) == 1:
        a, = consts
        return lambda ctx: handler(ctx, mod, a)
    if len(consts) == 2:
        a, b = consts
        return lambda ctx: handler(ctx, mod, a, b)
    return lambda ctx: handler(ctx, mod, *consts)


def _computed_call(handler, mod, fns):
    if len(fns) == 1:
        g, = fns
        return lambda ctx: handler(ctx, mod, g(ctx))
    if len(fns) == 2:
        g, h = fns
        return lambda ctx: handler(ctx, mod, g(ctx), h(ctx))
    return lambda ctx: handler(ctx, mod, *[g(ctx) for g in fns])


def _const_fn(v):
    return lambda ctx: v


class Dyn:
    """An argument computed per call: get(ctx) -> value; `text` for the disassembler."""
    __slots__ = ("get", "text")

    def __init__(self, get, text):
        self.get, self.text = get, text

    def __repr__(self):
        return f"<{self.text}>"


class Resolver:
    def __init__(self, cfg: A.Config, pv_resolver=None, program=None, module_loader=None):
        self.cfg = cfg
        self._load_exports = module_loader or load_exports
        self.program = program
        self.diags: list[Diagnostic] = []
        self.modules: dict[str, X.ModuleInstance] = {}
        self.flags: dict[str, int] = {}
        self.avpflags: dict[str, int] = {}
        self.routes = cfg.routes
        self._resolve_pv = pv_resolver or default_pv_resolver()
        self._pv_cache: dict[tuple, object] = {}
        self._load_coord: dict[str, Coord] = {}
        from cfgvm.vm.core_actions import CORE
        self.core = CORE

    # ---- diagnostics -------------------------------------------------------------------------
    def err(self, coord: Coord, code: str, message: str) -> None:
        self.diags.append(Diagnostic(coord, "error", code, message))

    def warn(self, coord: Coord, code: str, message: str) -> None:
        self.diags.append(Diagnostic(coord, "warning", code, message))

    # ---- modules, modparams, flags --------------------------------------------------------------
    def load(self) -> None:
        for item in self.cfg.items:
            if isinstance(item, A.LoadModule):
                self._loadmodule(item)
            elif isinstance(item, A.ModParam):
                self._modparam(item)
            elif isinstance(item, A.FlagDecl):
                self._flags(item)
        for inst in self.modules.values():
            if inst.exports.init is not None:
                try:
                    inst.exports.init(inst)
                except (CfgError, ValueError) as e:
                    coord = self._load_coord.get(inst.name, Coord(self.cfg_file, 0, 0))
                    self.err(coord, "module-init", f"module {inst.name}: init failed: {_msg(e)}")
                except RuntimeError as e:     # ModuleError: a module feature cfgvm does not have yet
                    coord = self._load_coord.get(inst.name, Coord(self.cfg_file, 0, 0))
                    self.err(coord, "module-unsupported-feature", f"cfgvm: {_msg(e)}")

    @property
    def cfg_file(self) -> str:
        return self.cfg.source if isinstance(self.cfg.source, str) else "<cfg>"

    def _loadmodule(self, m: A.LoadModule) -> None:
        name = module_name(m.path)
        if name in self.modules:
            return                      # Kamailio: "module already loaded", ignored
        if name not in KAMAILIO_5_6_MODULES:
            self.err(m.coord, "module-unknown", f"unknown module '{name}' (not a Kamailio 5.6 module)")
            return
        exports = self._load_exports(name)
        if exports is None:
            self.err(m.coord, "module-unsupported", f"cfgvm: module '{name}' is not supported yet")
            return
        if exports.service_only:
            self.warn(m.coord, "module-service-only",
                      f"module '{name}' serves an out-of-band control interface: loaded, not run by cfgvm")
        inst = X.ModuleInstance(exports, {p.name: ([] if p.multi else p.default) for p in exports.params})
        self.modules[name] = inst
        self._load_coord[name] = m.coord

    def _modparam(self, mp: A.ModParam) -> None:
        value = mp.value.value if isinstance(mp.value, A.Const) else mp.value
        if isinstance(value, A.Node):
            self.err(mp.coord, "modparam-type", "modparam value must be a string or an integer")
            return
        try:
            rx = re.compile(_anchored(mp.module), re.IGNORECASE)
        except re.error:
            self.err(mp.coord, "modparam-regex", f"bad module name regular expression <{mp.module}>")
            return
        matched = [inst for name, inst in self.modules.items() if rx.match(name)]
        if not matched:
            self.err(mp.coord, "modparam-no-module",
                     f"set_mod_param_regex(): No module matching <{mp.module}> found")
            return
        want = X.INT_PARAM if isinstance(value, int) else X.STR_PARAM
        for inst in matched:
            param = next((p for p in inst.exports.params if p.name == mp.param), None)
            if param is None or param.type != want:
                code = "modparam-unknown" if param is None else "modparam-type"
                self.err(mp.coord, code, f"parameter <{mp.param}> of type <{_PARAM_TYPE_TEXT[want]}> not found "
                                         f"in module <{inst.name}>")
                continue
            try:
                if param.setter is not None:
                    param.setter(inst, value)
                elif param.multi:
                    inst.params[param.name].append(value)
                else:
                    inst.params[param.name] = value
            except (CfgError, ValueError) as e:
                self.err(mp.coord, "modparam-value", f"module {inst.name}, parameter {mp.param}: {_msg(e)}")

    def _flags(self, fd: A.FlagDecl) -> None:
        table = self.flags if fd.kind == "flags" else self.avpflags
        for name, bit in fd.names:
            if name in table:
                self.err(fd.coord, "duplicate-flag", f"flag '{name}' declared twice")
                continue
            if bit is None:
                used = set(table.values())
                # flags.c register_flag(): a free bit is searched from the top (31 down)
                bit = next((b for b in range(31, -1, -1) if b not in used), None)
                if bit is None:
                    self.err(fd.coord, "flag-range", f"no free flag bit for '{name}'")
                    continue
            elif not 0 <= bit <= 31:
                self.err(fd.coord, "flag-range", f"flag '{name}': bit {bit} out of range 0..31")
                continue
            table[name] = bit

    # ---- PVs ------------------------------------------------------------------------------------
    def pv_spec(self, spec, coord: Coord, *, writable: bool = False):
        """A parsed PVSpec -> PVRef, or None (with a diagnostic)."""
        key = (spec.text, spec.ser)
        ref = self._pv_cache.get(key)
        if ref is None:
            try:
                ref = self._resolve_pv(spec, self.program, coord)
            except (CfgError, PVSyntaxError, ValueError, LookupError, TypeError) as e:
                self.err(coord, "bad-pv", f"invalid pseudo-variable {spec.text}: {_msg(e)}")
                return None
            self._pv_cache[key] = ref
        if writable:
            check = getattr(ref, "check_writable", None)
            try:
                if check is not None:
                    check(coord)
                elif not getattr(ref, "writable", True):
                    raise ValueError(f"pseudo-variable {spec.text} is read-only")
            except (CfgError, ValueError) as e:
                self.err(coord, "bad-pv", f"{_msg(e)} (cannot be assigned)")
                return None
        return ref

    def pv(self, node, *, writable: bool = False):
        """A PV / AVP / Select node -> a reference with .get(ctx) (and .set(ctx, v)), or None."""
        if isinstance(node, A.Select):
            return self._select(node)
        try:
            if isinstance(node, A.AVP):
                spec = pvspec.parse_ser_avp(node.text)
            else:
                spec = pvspec.parse(node.text)
        except PVSyntaxError as e:
            if isinstance(node, A.PV) and node.maybe_avp:
                return self._maybe_avp(node, writable)
            self.err(_at(node.coord, e.offset), "bad-pv", f"invalid pseudo-variable {node.text}: {e.message}")
            return None
        if isinstance(node, A.PV) and node.maybe_avp:
            return self._maybe_avp(node, writable, spec)
        return self.pv_spec(spec, node.coord, writable=writable)

    def _maybe_avp(self, node, writable, spec=None):
        """MAX compat `$name`: the PV if one exists, else the AVP of that name."""
        if spec is not None:
            n = len(self.diags)
            ref = self.pv_spec(spec, node.coord, writable=writable)
            if ref is not None:
                return ref
            del self.diags[n:]
        return self.pv_spec(pvspec.parse_ser_avp(node.text), node.coord, writable=writable)

    def _select(self, node):
        try:
            from cfgvm.vm.select import resolve_select
        except ImportError:
            self.err(node.coord, "select-unsupported", f"cfgvm: selects are not supported yet ({node.text})")
            return None
        try:
            return resolve_select(node.text, self.program)
        except (CfgError, ValueError, LookupError) as e:
            self.err(node.coord, "bad-select", f"invalid select {node.text}: {_msg(e)}")
            return None

    def format(self, text: str, coord: Coord):
        """A format string (fixup_spve): a str when it has no PVs, else a Dyn rendering it per call.
        Every PV inside is validated (kamailio -c misses these)."""
        try:
            f = fmt.parse(text)
        except PVSyntaxError as e:
            code = "wrong-arity" if "missing parameter" in e.message else "bad-pv"
            self.err(coord, code, f"invalid format string: {e.message} (at offset {e.offset} of {text!r})")
            return text
        if not f.has_pvs:
            return f.literal
        parts = []
        for item in f.items:
            if isinstance(item, str):
                parts.append(item)
                continue
            ref = self.pv_spec(item, coord)
            if ref is None:
                return text
            parts.append((ref, bool(item.trans)))
        return Dyn(_renderer(parts), repr(text)[1:-1])

    # ---- calls ----------------------------------------------------------------------------------
    def call(self, node, rt: int, block: str):
        """Call or CoreAction -> BoundCall, or None after a diagnostic."""
        name, nargs = node.name, len(node.args)
        rows = [f for f in self.core.functions if f.name == name]
        owner = None
        if not rows and isinstance(node, A.Call):
            for inst in self.modules.values():
                got = [f for f in inst.exports.functions if f.name == name]
                if got:
                    rows, owner = got, inst
                    break
        if not rows:
            self.err(node.coord, "unknown-function",
                     f"unknown command '{name}', missing loadmodule? (no loaded module exports it)")
            return None
        fitting = [f for f in rows if f.arity == nargs]
        if not fitting:
            ar = sorted({f.arity for f in rows})
            self.err(node.coord, "wrong-arity",
                     f"'{name}' takes {_or(ar)} parameter{'s' if ar != [1] else ''}, {nargs} given")
            return None
        func = next((f for f in fitting if f.route_types & rt), None)
        if func is None:
            allowed = _route_names(fitting[0].route_types)
            self.err(node.coord, "bad-route-type",
                     f"Command cannot be used in the block: '{name}' is not allowed in {block} "
                     f"(allowed: {allowed})")
            return None
        args = self._fixup(func, node, owner)
        if args is None:
            return None
        raw = ", ".join(A._arg_src(a) for a in node.args)
        return BoundCall(name, func, owner if owner is not None else self.program, args, raw, node.coord)

    def _fixup(self, func, node, owner):
        args = node.args
        folded = [fold(a) for a in args] if isinstance(node, A.Call) else list(args)
        if func.fixup is not None:
            # module-specific fixup; PVs inside FMT args are still validated here
            n = len(self.diags)
            for i, (kind, a) in enumerate(zip(func.args, folded)):
                if kind == X.FMT and isinstance(a, A.Const):
                    self.format(to_str(a.value), a.coord)
                    if len(self.diags) > n:
                        return None
                elif kind not in (X.EXPR, X.PVAR, X.PVSPEC, X.IGP, X.SGP) and isinstance(node, A.Call) \
                        and not isinstance(a, A.Const):
                    self.err(a.coord, "not-constant", f"function {func.name}: parameter {i + 1} is not constant")
                    return None
            try:
                out = func.fixup(folded, node.coord, self.program if owner is None else self.program)
            except (CfgError, ValueError, PVSyntaxError, LookupError) as e:
                self.err(node.coord, "fixup", f"function {func.name}: {_msg(e)}")
                return None
            if out is None:
                return None
            return list(out)
        out = []
        for i, (kind, a) in enumerate(zip(func.args, folded)):
            v = self._arg(func, i, kind, a)
            if v is _BAD:
                return None
            out.append(v)
        return out

    def _arg(self, func, i, kind, a):
        where = f"function {func.name}: parameter {i + 1}"
        coord = getattr(a, "coord", None) or Coord(self.cfg_file, 0, 0)
        is_const = isinstance(a, A.Const)
        is_pv = isinstance(a, (A.PV, A.AVP, A.Select))
        if kind == X.EXPR:
            return a.value if is_const else self.expr_getter(a)
        if not is_const and not (is_pv and kind in (X.IGP, X.SGP, X.PVAR, X.PVSPEC)):
            self.err(coord, "not-constant", f"{where} is not constant")
            return _BAD
        if kind == X.STR:
            return to_str(a.value)
        if kind == X.FMT:
            return self.format(to_str(a.value), coord)
        if kind == X.INT:
            v = a.value
            if isinstance(v, str):
                n = str_to_int(v.strip())
                if str(n) != v.strip() and not v.strip().lower().startswith(("0x", "-0x", "+")):
                    self.err(coord, "bad-int", f"{where}: '{v}' is not a number")
                    return _BAD
                v = n
            return v
        if kind in (X.IGP, X.SGP, X.PVAR, X.PVSPEC):
            ref = None
            if is_pv:
                ref = self.pv(a, writable=kind == X.PVAR)
                if ref is None:
                    return _BAD
            elif isinstance(a.value, str) and a.value.startswith("$") and kind in (X.PVAR, X.PVSPEC, X.IGP):
                ref = self.pv(A.PV(text=a.value, coord=coord), writable=kind == X.PVAR)
                if ref is None:
                    return _BAD
            if kind in (X.PVAR, X.PVSPEC):
                if ref is None:
                    self.err(coord, "bad-pv", f"{where}: a pseudo-variable is expected, got {a.value!r}")
                    return _BAD
                return ref
            if kind == X.IGP:
                if ref is not None:
                    get = ref.get
                    return Dyn(lambda ctx: to_int(get(ctx)), getattr(a, "text", None) or a.value)
                v = a.value
                if isinstance(v, str):
                    n = str_to_int(v)
                    if str(n) != v and v.lower().lstrip("+-")[:2] != "0x":
                        self.err(coord, "bad-int", f"{where}: '{v}' is not a number or a PV")
                        return _BAD
                    v = n
                return v
            # SGP: a PV, or a string that may embed PVs
            if ref is not None:
                get = ref.get
                return Dyn(lambda ctx: to_str(get(ctx)), a.text)
            return self.format(to_str(a.value), coord)
        if kind == X.REGEX:
            text = to_str(a.value)
            if "$" in text and _has_pv(text):
                f = self.format(text, coord)
                if isinstance(f, Dyn):
                    render = f.get
                    return Dyn(lambda ctx: _compile_rt(render(ctx)), f.text)
            try:
                return compile_ere(text, icase=True, newline=True)
            except RegexError as e:
                self.err(coord, "bad-regex", f"{where}: bad regular expression {text!r}: {e}")
                return _BAD
        if kind == X.ROUTE:
            name = to_str(a.value)
            table = route_table_for(func.name)
            self.check_route(table, name, coord)
            return name
        raise AssertionError(f"unknown argument kind {kind!r}")

    # ---- routes ---------------------------------------------------------------------------------
    def check_route(self, table: str, name: str, coord: Coord) -> bool:
        if table == "event":              # t_on_branch_failure("X") names event_route[tm:branch-failure:X]
            events = self.routes.get("event", {})
            ok = name in events or f"tm:branch-failure:{name}" in events
        else:
            ok = name in self.routes.get(table, {})
        if not ok:
            kw = {"request": "route", "failure": "failure_route", "onreply": "onreply_route",
                  "branch": "branch_route", "event": "event_route"}.get(table, table)
            self.err(coord, "undefined-route", f"{kw}[{name}] is not defined")
        return ok

    # ---- expressions evaluated by a getter (EXPR arguments, keyword comparisons) ----------------
    def expr_getter(self, e):
        """An expression -> Dyn(get(ctx) -> Value), using the VM's value rules."""
        fn = self._expr_fn(e)
        return Dyn(fn, A.expr_src(e)) if fn is not None else _BAD

    def _expr_fn(self, e):
        if isinstance(e, A.Const):
            v = e.value
            return lambda ctx: v
        if isinstance(e, (A.PV, A.AVP, A.Select)):
            ref = self.pv(e)
            return ref.get if ref is not None else None
        if isinstance(e, A.UnOp):
            f = self._expr_fn(e.operand)
            op = UNARY_OPS[e.op]
            return (lambda ctx: op(f(ctx))) if f else None
        if isinstance(e, A.BinOp):
            lf, rf = self._expr_fn(e.left), self._expr_fn(e.right)
            if lf is None or rf is None:
                return None
            if e.op == "&&":
                return lambda ctx: 1 if to_int(lf(ctx)) and to_int(rf(ctx)) else 0
            if e.op == "||":
                return lambda ctx: 1 if to_int(lf(ctx)) or to_int(rf(ctx)) else 0
            op = BINARY_OPS[e.op]
            return lambda ctx: op(lf(ctx), rf(ctx))
        if isinstance(e, A.Selval):
            c, a, b = self._expr_fn(e.cond), self._expr_fn(e.a), self._expr_fn(e.b)
            if None in (c, a, b):
                return None
            return lambda ctx: a(ctx) if is_true(c(ctx)) else b(ctx)
        self.err(e.coord, "not-constant", f"unsupported expression in a function parameter: {A.expr_src(e)}")
        return None


_BAD = object()


def route_table_for(func_name: str) -> str:
    """Which route table a ROUTE-kind argument names (t_on_failure -> failure_route ...)."""
    if "branch_failure" in func_name:
        return "event"
    if "failure" in func_name:
        return "failure"
    if "branch" in func_name:
        return "branch"
    if "reply" in func_name:
        return "onreply"
    return "request"


def _renderer(parts):
    """pv_printf over pre-resolved refs: null prints "<null>", a failed transformation nothing."""
    def render(ctx):
        out = []
        for p in parts:
            if p.__class__ is str:
                out.append(p)
                continue
            v = p[0].get(ctx)
            if v is None:
                if not p[1]:
                    out.append(fmt.NULL_TEXT)
            else:
                out.append(v if v.__class__ is str else str(v))
        return "".join(out)
    return render


def _compile_rt(text: str):
    try:
        return compile_ere(text, icase=True, newline=True)
    except RegexError as e:
        raise EvalError(f"bad regular expression {text!r}: {e}") from None


def _has_pv(text: str) -> bool:
    try:
        return fmt.parse(text).has_pvs
    except PVSyntaxError:
        return False


def fold(e):
    """Constant folding with the VM's own operators: a constant expression -> Const, else e."""
    if isinstance(e, A.Const):
        return e
    if isinstance(e, A.UnOp):
        o = fold(e.operand)
        if isinstance(o, A.Const):
            try:
                return A.Const(value=UNARY_OPS[e.op](o.value), coord=e.coord)
            except EvalError:
                return e
        return e
    if isinstance(e, A.BinOp):
        lhs, rhs = fold(e.left), fold(e.right)
        if isinstance(lhs, A.Const) and isinstance(rhs, A.Const):
            if e.op == "&&":
                v = 1 if to_int(lhs.value) and to_int(rhs.value) else 0
            elif e.op == "||":
                v = 1 if to_int(lhs.value) or to_int(rhs.value) else 0
            else:
                try:
                    v = BINARY_OPS[e.op](lhs.value, rhs.value)
                except EvalError:
                    return e
            return A.Const(value=v, coord=e.coord)
        return e
    if isinstance(e, A.Selval):
        c = fold(e.cond)
        if isinstance(c, A.Const):
            return fold(e.a) if is_true(c.value) else fold(e.b)
    return e


def _anchored(rx: str) -> str:
    from cfgvm.compiler.regex import translate
    return "(?:" + translate(rx) + r")\Z"


def _at(coord: Coord, offset: int) -> Coord:
    return Coord(coord.file, coord.line, coord.column + max(offset, 0))


def _msg(e: Exception) -> str:
    if isinstance(e, CfgError):
        return "; ".join(d.message for d in e.diagnostics)
    if isinstance(e, PVSyntaxError):
        return e.message
    return str(e) or type(e).__name__


def _or(ns) -> str:
    ns = [str(n) for n in ns]
    return ns[0] if len(ns) == 1 else ", ".join(ns[:-1]) + " or " + ns[-1]


def _route_names(mask: int) -> str:
    if mask == X.ANY_ROUTE:
        return "any route"
    return ", ".join(n for b, n in X.ROUTE_TYPE_NAMES.items() if mask & b) or "no route"


__all__ = ["Resolver", "BoundCall", "Dyn", "fold", "module_name", "load_exports", "BLOCK_ROUTE_TYPE",
           "call_value", "const_match", "route_table_for"]
