"""Code generation: one Code object per route block (stack bytecode, opcodes from cfgvm/vm/opcodes.py).

Every instruction keeps the Coord of its source; the first instruction of each statement carries the
statement's text (trace and disasm).  Jumps go to Labels patched at the end.  Each instruction also
has an error target: where the VM continues after an evaluation error in it (an `if` goes to its
else branch, an assignment or a call statement is skipped, a while loop is left).

Kamailio's start-up optimiser rewrites that change results are applied to every expression first
(cfgvm/compiler/optimise.py); an assignment whose optimised value is a bare call stores the raw code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cfgvm import ast as A
from cfgvm.compiler import peephole
from cfgvm.compiler.optimise import optimise
from cfgvm.compiler.regex import RegexError, compile_ere
from cfgvm.compiler.resolve import BLOCK_ROUTE_TYPE, Resolver
from cfgvm.diagnostics import SYNTHETIC, Coord
from cfgvm.vm import opcodes as OP
from cfgvm.vm.machine import BINARY_OPS, UNARY_OPS, const_match
from cfgvm.vm.values import to_int, to_str

ROUTE_LABEL = {"request": "request_route", "failure": "failure_route", "onreply": "onreply_route",
               "reply": "reply_route", "branch": "branch_route", "onsend": "onsend_route",
               "event": "event_route"}


class Label:
    __slots__ = ("pc",)

    def __init__(self):
        self.pc = None


@dataclass
class Code:
    kind: str
    name: str | None
    coord: Coord = SYNTHETIC
    ops: list = field(default_factory=list)
    args: list = field(default_factory=list)      # resolved arguments (what the VM uses)
    raw: list = field(default_factory=list)       # argument as written (what disasm shows)
    coords: list = field(default_factory=list)
    texts: list = field(default_factory=list)     # statement text at a statement's first instruction
    on_error: list = field(default_factory=list)
    nloops: int = 0
    fast_ops: list | None = None                  # with superinstructions (cfgvm/compiler/peephole.py)
    fast_args: list | None = None
    fused: dict = field(default_factory=dict)     # pc -> number of plain instructions fused there

    @property
    def label(self) -> str:
        kw = ROUTE_LABEL[self.kind]
        if self.name is None:
            return kw
        return f"route[{self.name}]" if self.kind == "request" else f"{kw}[{self.name}]"

    def __len__(self):
        return len(self.ops)


class SwitchTable:
    """Case dispatch: int switches by dict, string switches in case order (exact or regex)."""
    __slots__ = ("is_int", "ints", "strs", "default", "end", "cases")

    def __init__(self, is_int):
        self.is_int = is_int
        self.ints = {}
        self.strs = []          # (str | compiled regex, Label)
        self.default = None
        self.end = None
        self.cases = []         # (text, Label) for disasm

    def target(self, v):
        if self.is_int:
            t = self.ints.get(to_int(v))
            return t if t is not None else self.default
        s = to_str(v)
        for key, t in self.strs:
            if key.__class__ is str:
                if key == s:
                    return t
            elif key.search(s):
                return t
        return self.default

    def patch(self):
        self.ints = {k: v.pc for k, v in self.ints.items()}
        self.strs = [(k, v.pc) for k, v in self.strs]
        self.default = self.default.pc if self.default is not None else self.end.pc
        self.cases = [(t, lab.pc) for t, lab in self.cases]
        self.end = self.end.pc

    def __repr__(self):
        tail = "" if any(t == "default" for t, _ in self.cases) else f", else: {self.default}"
        return "{" + ", ".join(f"{t}: {pc}" for t, pc in self.cases) + tail + "}"


class CodeGen:
    def __init__(self, resolver: Resolver, route: A.Route):
        self.r = resolver
        self.route = route
        self.code = Code(route.kind, route.name, route.coord)
        self.rt = BLOCK_ROUTE_TYPE[route.kind]
        self.block = ROUTE_LABEL[route.kind] if route.name is None or route.kind != "request" else "route"
        self.err_target: Label | None = None
        self.breaks: list[Label] = []     # innermost switch/while end
        self.pending_text: str | None = None

    # ---- emission -------------------------------------------------------------------------------
    def emit(self, op: int, arg=None, coord: Coord = SYNTHETIC, raw=None) -> int:
        c = self.code
        c.ops.append(op)
        c.args.append(arg)
        c.raw.append(raw)
        c.coords.append(coord)
        c.texts.append(self.pending_text)
        self.pending_text = None
        c.on_error.append(self.err_target)
        return len(c.ops) - 1

    def mark(self, label: Label) -> None:
        label.pc = len(self.code.ops)

    def generate(self) -> Code:
        end = Label()
        self.err_target = end
        self.stmts(self.route.body)
        self.mark(end)
        self.emit(OP.END, coord=self.route.coord)
        self._patch()
        if peephole.enabled():
            peephole.fuse(self.code)
        return self.code

    def _patch(self) -> None:
        c = self.code
        for i, op in enumerate(c.ops):
            a = c.args[i]
            if isinstance(a, Label):
                c.args[i] = a.pc
            elif op == OP.LOOP_TICK:
                c.args[i] = (a[0], a[1].pc)
            elif op == OP.SWITCH:
                a.patch()
        c.on_error = [t.pc if t is not None else len(c.ops) - 1 for t in c.on_error]

    # ---- statements -----------------------------------------------------------------------------
    def stmts(self, body) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s) -> None:
        if s is None:
            return
        if isinstance(s, A.Block):
            self.stmts(s.stmts)
            return
        saved = self.err_target
        self.pending_text = _stmt_text(s)
        getattr(self, "s_" + type(s).__name__)(s)
        self.err_target = saved

    def s_If(self, s) -> None:
        else_, end = Label(), Label()
        self.err_target = else_
        self.cond(s.cond)
        self.emit(OP.POP_JUMP_IF_FALSE, else_, s.coord)
        self.err_target = end
        self.stmt(s.then)
        if s.else_ is not None:
            self.emit(OP.JUMP, end, s.coord)
            self.mark(else_)
            self.stmt(s.else_)
        else:
            self.mark(else_)
        self.mark(end)

    def s_While(self, s) -> None:
        slot = self.code.nloops
        self.code.nloops += 1
        top, end = Label(), Label()
        self.emit(OP.LOOP_INIT, (slot, None), s.coord, raw=f"loop {slot}")
        self.mark(top)
        self.err_target = end
        self.cond(s.cond)
        self.emit(OP.POP_JUMP_IF_FALSE, end, s.coord)
        self.emit(OP.LOOP_TICK, (slot, end), s.coord, raw=f"loop {slot}")
        self.breaks.append(end)
        self.stmt(s.body)
        self.breaks.pop()
        self.emit(OP.JUMP, top, s.coord)
        self.mark(end)

    def s_Switch(self, s) -> None:
        end = Label()
        self.err_target = end
        cases = [c for c in s.cases if not c.is_default]
        is_int = bool(cases) and all(isinstance(c.value.value, int) and not c.is_regex for c in cases)
        if cases and not is_int and any(isinstance(c.value.value, int) and not c.is_regex for c in cases):
            self.r.err(s.coord, "switch-mixed", "switch: int and string cases cannot be mixed")
        table = SwitchTable(is_int)
        table.end = end
        self.expr(s.expr)
        self.emit(OP.SWITCH, table, s.coord, raw=f"{len(cases)} cases")
        self.breaks.append(end)
        seen_default = False
        for c in s.cases:
            lab = Label()
            self.mark(lab)
            if c.is_default:
                if seen_default:
                    self.r.err(c.coord, "switch-default", "switch: more than one default")
                seen_default = True
                table.default = lab
                table.cases.append(("default", lab))
            elif is_int:
                table.ints.setdefault(c.value.value, lab)
                table.cases.append((str(c.value.value), lab))
            else:
                v = to_str(c.value.value)
                key = v
                if c.is_regex:
                    try:
                        key = compile_ere(v)      # case /"re": case-sensitive ERE
                    except RegexError as e:
                        self.r.err(c.value.coord, "bad-regex", f"bad regular expression {v!r}: {e}")
                        continue
                table.strs.append((key, lab))
                table.cases.append((("/" if c.is_regex else "") + A.quote(v), lab))
            self.err_target = end
            self.stmts(c.body)
        self.breaks.pop()
        self.mark(end)

    def s_Return(self, s) -> None:
        value = optimise(s.value) if s.value is not None else A.Const(value=1, coord=s.coord)
        if isinstance(value, A.Const):
            self.emit(OP.CONST, value.value, s.coord, raw=value.value)
            self.emit(OP.RETURN, s.kind, s.coord, raw=s.kind)
            return
        fail = Label()
        self.err_target = fail
        self.expr(value)
        self.emit(OP.RETURN, s.kind, s.coord, raw=s.kind)
        self.mark(fail)
        # an evaluation error in the returned expression returns -1
        self.err_target = None
        self.emit(OP.CONST, -1, s.coord, raw=-1)
        self.emit(OP.RETURN, s.kind, s.coord, raw=s.kind)

    def s_Break(self, s) -> None:
        if self.breaks:
            self.emit(OP.JUMP, self.breaks[-1], s.coord)
        else:
            self.emit(OP.BREAK_ROUTE, None, s.coord)

    def s_Assign(self, s) -> None:
        end = Label()
        self.err_target = end
        ref = self.r.pv(s.target, writable=True)
        v = optimise(s.value)
        if isinstance(v, (A.Call, A.CoreAction, A.RouteCall)):
            self.call(v)                  # raw return code (§4.6)
        else:
            self.expr(v)
        self.emit(OP.STORE_PV, ref, s.coord, raw=s.target.text)
        self.mark(end)

    def s_ExprStmt(self, s) -> None:
        end = Label()
        self.err_target = end
        e = s.expr
        if isinstance(e, (A.Call, A.CoreAction, A.RouteCall)):
            self.call(e)
        else:
            self.expr(e)
        self.emit(OP.POP, None, s.coord)
        self.mark(end)

    # ---- calls ----------------------------------------------------------------------------------
    def call(self, e) -> None:
        """Push the raw return code of a call."""
        if isinstance(e, A.RouteCall):
            if isinstance(e.target, str):
                self.r.check_route("request", e.target, e.coord)
                self.emit(OP.ROUTE, e.target, e.coord, raw=e.target)
            else:
                self.expr(e.target)
                self.emit(OP.ROUTE_DYN, None, e.coord)
            return
        bound = self.r.call(e, self.rt, self.block)
        op = OP.CALL_CORE if isinstance(e, A.CoreAction) or (bound is not None and bound.mod is self.r.program) \
            else OP.CALL
        if bound is None:
            self.emit(OP.CONST, -1, e.coord, raw="<unresolved call>")
            return
        self.emit(op, bound, e.coord, raw=f"{e.name}({bound.raw})")

    # ---- expressions ----------------------------------------------------------------------------
    def cond(self, e) -> None:
        """A condition: calls push their raw code (POP_JUMP_IF_FALSE tests > 0 either way)."""
        if isinstance(e, (A.Call, A.CoreAction, A.RouteCall)):
            self.call(e)
        else:
            self.expr(e)

    def expr(self, e) -> None:
        e = optimise(e)
        k = type(e).__name__
        if k == "Const":
            self.emit(OP.CONST, e.value, e.coord, raw=e.value)
        elif k in ("PV", "AVP", "Select"):
            self.emit(OP.LOAD_PV, self.r.pv(e), e.coord, raw=e.text)
        elif k == "UnOp":
            self.expr(e.operand)
            self.emit(OP.UNARY, (e.op, UNARY_OPS[e.op]), e.coord, raw=e.op)
        elif k == "BinOp":
            self.binop(e)
        elif k == "Selval":
            other, end = Label(), Label()
            self.cond(e.cond)
            self.emit(OP.POP_JUMP_IF_FALSE, other, e.coord)
            self.expr(e.a)
            self.emit(OP.JUMP, end, e.coord)
            self.mark(other)
            self.expr(e.b)
            self.mark(end)
        elif k in ("Call", "CoreAction", "RouteCall"):
            self.call(e)
            self.emit(OP.COLLAPSE, None, e.coord)
        elif k == "KeywordCmp":
            from cfgvm.compiler.keywords import compile_keyword
            fn = compile_keyword(e, self.r)
            self.emit(OP.KEYWORD, fn, e.coord, raw=A.expr_src(e))
        elif k == "Assign":
            self.r.err(e.coord, "unsupported", "cfgvm: an assignment used as an expression is not supported")
            self.emit(OP.CONST, None, e.coord)
        else:
            self.r.err(e.coord, "unsupported", f"cfgvm: unsupported expression {k}")
            self.emit(OP.CONST, None, e.coord)

    def binop(self, e) -> None:
        op = e.op
        if op in ("&&", "||"):
            end = Label()
            self.expr(e.left)
            self.emit(OP.JUMP_IF_ZERO_OR_POP if op == "&&" else OP.JUMP_IF_NONZERO_OR_POP, end, e.coord)
            self.expr(e.right)
            self.emit(OP.TO_BOOL, None, e.coord)
            self.mark(end)
            return
        if op == "=~" and isinstance(e.right, A.Const):
            pat = to_str(e.right.value)
            try:
                rx = compile_ere(pat, icase=True)
            except RegexError as err:
                self.r.err(e.right.coord, "bad-regex", f"bad regular expression {pat!r}: {err}")
                rx = None
            self.expr(e.left)
            if rx is not None:
                self.emit(OP.UNARY, (f"=~ {A.quote(pat)}", const_match(rx)), e.coord, raw=f"=~ {A.quote(pat)}")
            return
        self.expr(e.left)
        self.expr(e.right)
        self.emit(OP.BINARY, (op, BINARY_OPS[op]), e.coord, raw=op)


def _stmt_text(s) -> str:
    k = type(s).__name__
    if k == "If":
        return f"if ({A.expr_src(s.cond)})"
    if k == "While":
        return f"while ({A.expr_src(s.cond)})"
    if k == "Switch":
        return f"switch ({A.expr_src(s.expr)})"
    try:
        return A.to_source(s).strip().splitlines()[0]
    except (TypeError, IndexError):
        return k
