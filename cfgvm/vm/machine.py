"""The VM: a small stack machine running one code object per route block (cfgvm/compiler/codegen.py).

The loop dispatches by index into a list built once from cfgvm/vm/opcodes.py; each `op_*` handler
is `handler(frame, arg, next_pc) -> pc` (a negative pc ends the block).  Kamailio's run flags
(action.c) become RunFlag bits: EXIT (exit, drop, return 0, a function returning 0), RETURN,
BREAK, DROP.  Tracing uses a second dispatch list whose entries report each statement start to
`ctx.trace` first, so a run without tracing pays nothing.

Tracer interface (ctx.trace, set by dry-run):  route_start(kind, name), route_end(kind, name, how, rc)
with how in "return" | "exit" | "drop", action(kind, name, coord, text).

Value rules live in the VALUE RULES section below and nowhere else (kamailio-language.md §4.3-4.6, §10).
"""
from __future__ import annotations

import enum
import re

from cfgvm.vm import opcodes as OP
from cfgvm.vm.values import is_true, to_int, to_str, wrap32

L_ERR = -1


class RunFlag(enum.IntFlag):
    EXIT = 1
    RETURN = 2
    BREAK = 4
    DROP = 8


# plain ints on the hot path: IntFlag's | and & go through enum's Python code on every call
EXIT, RETURN, BREAK, DROP = (int(f) for f in (RunFlag.EXIT, RunFlag.RETURN, RunFlag.BREAK, RunFlag.DROP))


class EvalError(Exception):
    """A run-time evaluation error (division by zero, bad regex ...): logged, the statement's
    expression is false / its assignment skipped, and execution goes on (§4.2, §10.5)."""
    pc = None       # set by a superinstruction when one of its later parts failed (that part's pc)


class RouteError(Exception):
    """A run-time routing error (unknown dynamic route, recursion too deep)."""


# ============================== VALUE RULES ====================================================

def _int_op(fn):
    def op(a, b):
        return wrap32(fn(to_int(a), to_int(b)))
    return op


def _cmp_op(fn):
    def op(a, b):
        return 1 if fn(to_int(a), to_int(b)) else 0
    return op


def v_add(a, b):
    """`+`: the left operand's run-time type decides: int add, else concatenation (null -> "")."""
    if a.__class__ is int:
        return wrap32(a + to_int(b))
    return to_str(a) + to_str(b)


def _c_div(a, b):
    if b == 0:
        raise EvalError("division by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _c_mod(a, b):
    if b == 0:
        raise EvalError("modulo by zero")
    return a - b * _c_div(a, b)


def _shl(a, b):
    return a << (b & 31)


def _shr(a, b):
    return a >> (b & 31)


def v_eq(a, b) -> bool:
    """`==`: int compare when the left is an int, exact string compare when it is a string;
    a null left takes the right operand's type."""
    if a is None:
        if b is None:
            return True
        a = 0 if b.__class__ is int else ""
    if a.__class__ is int:
        return a == to_int(b)
    return a == to_str(b)


_REGEX_CACHE: dict[str, re.Pattern] = {}


def regex_icase(pattern: str) -> re.Pattern:
    """`=~` patterns: POSIX ERE, case-insensitive; dynamic patterns are compiled once and cached."""
    r = _REGEX_CACHE.get(pattern)
    if r is None:
        from cfgvm.compiler.regex import RegexError, compile_ere
        try:
            r = compile_ere(pattern, icase=True)
        except RegexError as e:
            raise EvalError(f"bad regular expression {pattern!r}: {e}") from None
        if len(_REGEX_CACHE) < 1000:
            _REGEX_CACHE[pattern] = r
    return r


def v_match(a, b):
    return 1 if regex_icase(to_str(b)).search(to_str(a)) else 0


BINARY_OPS = {
    "+": v_add,
    "-": _int_op(lambda a, b: a - b),
    "*": _int_op(lambda a, b: a * b),
    "/": _int_op(_c_div),
    "mod": _int_op(_c_mod),
    "|": _int_op(lambda a, b: a | b),
    "&": _int_op(lambda a, b: a & b),
    "^": _int_op(lambda a, b: a ^ b),
    "<<": _int_op(_shl),
    ">>": _int_op(_shr),
    "<": _cmp_op(lambda a, b: a < b),
    ">": _cmp_op(lambda a, b: a > b),
    "<=": _cmp_op(lambda a, b: a <= b),
    ">=": _cmp_op(lambda a, b: a >= b),
    "==": lambda a, b: 1 if v_eq(a, b) else 0,
    "!=": lambda a, b: 0 if v_eq(a, b) else 1,
    "eq": lambda a, b: 1 if to_str(a) == to_str(b) else 0,
    "ne": lambda a, b: 0 if to_str(a) == to_str(b) else 1,
    "ieq": _cmp_op(lambda a, b: a == b),
    "ine": _cmp_op(lambda a, b: a != b),
    "=~": v_match,
}

UNARY_OPS = {
    "!": lambda v: 0 if to_int(v) else 1,
    "~": lambda v: wrap32(~to_int(v)),
    "-": lambda v: wrap32(-to_int(v)),
    "defined": lambda v: 0 if v is None else 1,
    "strlen": lambda v: len(to_str(v)),
    "strempty": lambda v: 0 if to_str(v) else 1,
    "(int)": to_int,
    "(str)": to_str,
}


def const_match(pattern: re.Pattern):
    """`x =~ "re"` with a constant pattern: compiled at compile time."""
    search = pattern.search
    return lambda v: 1 if search(to_str(v)) else 0


def call_value(rc: int) -> int:
    """A call's return code in operator context (return_mode=0): > 0 -> 1, else 0."""
    return 1 if rc > 0 else 0


# ============================== THE LOOP =======================================================

class Frame:
    __slots__ = ("vm", "ctx", "code", "stack", "loops", "ret", "flags", "depth")

    def __init__(self, vm, ctx, code, depth):
        self.vm = vm
        self.ctx = ctx
        self.code = code
        self.stack = []
        self.loops = [0] * code.nloops if code.nloops else None
        self.ret = 1
        self.flags = 0
        self.depth = depth


def op_nop(f, arg, pc):
    return pc


def op_const(f, arg, pc):
    f.stack.append(arg)
    return pc


def op_load_pv(f, arg, pc):
    f.stack.append(arg.get(f.ctx))
    return pc


def op_store_pv(f, arg, pc):
    arg.set(f.ctx, f.stack.pop())
    return pc


def op_pop(f, arg, pc):
    f.stack.pop()
    return pc


def op_unary(f, arg, pc):
    s = f.stack
    s[-1] = arg[1](s[-1])
    return pc


def op_binary(f, arg, pc):
    s = f.stack
    b = s.pop()
    s[-1] = arg[1](s[-1], b)
    return pc


def op_to_bool(f, arg, pc):
    s = f.stack
    v = s[-1]
    s[-1] = 1 if (v if v.__class__ is int else to_int(v)) else 0
    return pc


def op_collapse(f, arg, pc):
    s = f.stack
    s[-1] = 1 if s[-1] > 0 else 0
    return pc


def op_jump(f, arg, pc):
    return arg


def op_pop_jump_if_false(f, arg, pc):
    v = f.stack.pop()
    if v.__class__ is int:            # the common case, without is_true()'s calls
        return pc if v > 0 else arg
    return pc if is_true(v) else arg


def op_jump_if_zero_or_pop(f, arg, pc):
    s = f.stack
    v = s[-1]
    if v if v.__class__ is int else to_int(v):
        s.pop()
        return pc
    s[-1] = 0
    return arg


def op_jump_if_nonzero_or_pop(f, arg, pc):
    s = f.stack
    v = s[-1]
    if v if v.__class__ is int else to_int(v):
        s[-1] = 1
        return arg
    s.pop()
    return pc


def op_call(f, arg, pc):
    """arg: a resolved call (cfgvm.compiler.resolve.BoundCall)."""
    ctx = f.ctx
    rc = arg.invoke(ctx)
    ctx.rc = rc
    f.stack.append(rc)
    if rc == 0:
        f.ret = 0
        f.flags |= EXIT
        return -1
    if f.flags & EXIT:          # a core action (drop ...) may end the script too
        return -1
    return pc


def op_call_core(f, arg, pc):
    rc = arg.invoke(f.ctx)
    f.stack.append(rc)
    if f.flags & EXIT:
        return -1
    return pc


def _run_route(f, kind, name, pc):
    vm = f.vm
    code = vm.routes[kind].get(name)
    if code is None:
        raise EvalError(f"route '{name}' not found")
    ret, flags = vm.execute(code, f.ctx, f.depth + 1)
    f.ctx.rc = ret
    f.stack.append(ret)
    if flags & EXIT:
        f.ret = ret
        f.flags |= flags & (EXIT | DROP)
        return -1
    return pc


def op_route(f, arg, pc):
    return _run_route(f, "request", arg, pc)


def op_route_dyn(f, arg, pc):
    return _run_route(f, "request", to_str(f.stack.pop()), pc)


def op_keyword(f, arg, pc):
    f.stack.append(arg(f.ctx))
    return pc


def op_switch(f, arg, pc):
    return arg.target(f.stack.pop())


def op_loop_init(f, arg, pc):
    f.loops[arg[0]] = 0
    return pc


def op_loop_tick(f, arg, pc):
    slot, exit_target = arg
    n = f.loops[slot] + 1
    f.loops[slot] = n
    if n > f.vm.max_while_loops:
        code = f.code
        f.ctx.log(L_ERR, f"ERROR: <core> runaway while ({n - 1} steps, max_while_loops="
                         f"{f.vm.max_while_loops}) at {code.coords[pc - 1]}\n")
        return exit_target
    return pc


def op_return(f, arg, pc):
    v = f.stack.pop()
    return _return_const(f, to_int(v) if v.__class__ is not int else v, arg)


def op_break_route(f, arg, pc):
    f.ret = 0
    f.flags |= BREAK
    return -1


def op_end(f, arg, pc):
    f.ret = 1
    return -1


# ---- superinstructions (opcodes.FUSED_TABLE, built by cfgvm/compiler/peephole.py) ------------
# Each does exactly what its plain sequence does, in one dispatch; `cont` is the pc after the
# sequence.  A part after the first that fails tags the EvalError with its own pc, so that recovery
# (code.on_error) and the logged coordinate are those of the plain run.  A conditional's false exit
# (target, push0) is already threaded through the && chain it jumps into (push0: leave a 0 on the stack).
# The call handlers repeat op_call's few lines on purpose: a shared helper would cost a Python call
# per script call on the hottest path.

def op_call_pop(f, arg, pc):
    ctx = f.ctx
    rc = arg[0].invoke(ctx)
    ctx.rc = rc
    if rc == 0:
        f.ret = 0
        f.flags |= EXIT
        return -1
    if f.flags & EXIT:
        return -1
    return arg[1]


def op_call_core_pop(f, arg, pc):
    arg[0].invoke(f.ctx)
    if f.flags & EXIT:
        return -1
    return arg[1]


def op_route_pop(f, arg, pc):
    pc = _run_route(f, "request", arg[0], arg[1])
    f.stack.pop()
    return pc


def _return_const(f, ret, kind):
    f.ret = ret
    if kind == "return":
        f.flags |= RETURN if ret != 0 else (RETURN | EXIT)
    elif kind == "exit":
        f.flags |= EXIT
    else:
        f.flags |= EXIT | DROP
    return -1


def op_return_const(f, arg, pc):
    return _return_const(f, arg[0], arg[1])


def op_call_pop_return_const(f, arg, pc):
    ctx = f.ctx
    rc = arg[0].invoke(ctx)
    ctx.rc = rc
    if rc == 0:
        f.ret = 0
        f.flags |= EXIT
        return -1
    if f.flags & EXIT:
        return -1
    return _return_const(f, arg[1], arg[2])


def op_route_pop_return_const(f, arg, pc):
    if _run_route(f, "request", arg[0], pc) < 0:
        return -1
    f.stack.pop()
    return _return_const(f, arg[1], arg[2])


def op_call_if(f, arg, pc):
    bound, cont, target, push0 = arg
    ctx = f.ctx
    rc = bound.invoke(ctx)
    ctx.rc = rc
    if rc == 0:
        f.ret = 0
        f.flags |= EXIT
        return -1
    if f.flags & EXIT:
        return -1
    if (rc if rc.__class__ is int else to_int(rc)) > 0:
        return cont
    if push0:
        f.stack.append(0)
    return target


def op_call_if_not(f, arg, pc):
    bound, cont, target, push0 = arg
    ctx = f.ctx
    rc = bound.invoke(ctx)
    ctx.rc = rc
    if rc == 0:
        f.ret = 0
        f.flags |= EXIT
        return -1
    if f.flags & EXIT:
        return -1
    if rc < 0:                      # !(rc > 0) is true
        return cont
    if push0:
        f.stack.append(0)
    return target


op_call_and = op_call_if            # (rc > 0) != 0 is rc > 0: the same test as CALL ; POP_JUMP_IF_FALSE


def _unary_chain(f, arg, pc):
    v = arg[0].get(f.ctx)
    i = pc
    try:
        for fn in arg[1]:
            v = fn(v)
            i += 1
    except EvalError as e:
        e.pc = i
        raise
    return v


def _pv_binary(f, arg, pc):
    v = arg[0].get(f.ctx)
    try:
        return arg[2](v, arg[1])
    except EvalError as e:
        e.pc = pc + 1
        raise


def op_pv_unary(f, arg, pc):
    v = _unary_chain(f, arg, pc)
    if arg[2]:                      # ; TO_BOOL
        v = 1 if (v if v.__class__ is int else to_int(v)) else 0
    f.stack.append(v)
    return arg[3]


def op_pv_binary(f, arg, pc):
    v = _pv_binary(f, arg, pc)
    if arg[3]:
        v = 1 if (v if v.__class__ is int else to_int(v)) else 0
    f.stack.append(v)
    return arg[4]


def op_pv_unary_if(f, arg, pc):
    v = _unary_chain(f, arg, pc)
    if v.__class__ is not int:
        v = to_int(v)
    if (v != 0) if arg[2] else (v > 0):      # nonzero test (TO_BOOL or &&) / > 0 test (if)
        return arg[3]
    if arg[5]:
        f.stack.append(0)
    return arg[4]


def op_pv_binary_if(f, arg, pc):
    v = _pv_binary(f, arg, pc)
    if v.__class__ is not int:
        v = to_int(v)
    if (v != 0) if arg[3] else (v > 0):
        return arg[4]
    if arg[6]:
        f.stack.append(0)
    return arg[5]


def op_bool_if(f, arg, pc):
    v = f.stack.pop()
    if v if v.__class__ is int else to_int(v):
        return arg[0]
    if arg[2]:
        f.stack.append(0)
    return arg[1]


def op_keyword_if(f, arg, pc):
    v = arg[0](f.ctx)
    if v.__class__ is not int:
        v = to_int(v)
    if (v != 0) if arg[1] else (v > 0):
        return arg[2]
    if arg[4]:
        f.stack.append(0)
    return arg[3]


def _store(ref, ctx, v, at):
    try:
        ref.set(ctx, v)
    except EvalError as e:
        e.pc = at
        raise


def op_const_store(f, arg, pc):
    _store(arg[1], f.ctx, arg[0], pc)
    return pc + 1


def op_pv_store(f, arg, pc):
    ctx = f.ctx
    _store(arg[1], ctx, arg[0].get(ctx), pc)
    return pc + 1


def op_pv_binary_store(f, arg, pc):
    _store(arg[3], f.ctx, _pv_binary(f, arg, pc), pc + 2)
    return pc + 3


HANDLERS = {name[3:].upper(): fn for name, fn in dict(globals()).items() if name.startswith("op_")}
DISPATCH = [HANDLERS[o.name] for o in OP.OPS]      # KeyError here = an opcode without a handler


def _traced(handler):
    def run(f, arg, pc):
        text = f.code.texts[pc - 1]
        if text is not None and f.ctx.trace is not None:
            code = f.code
            f.ctx.trace.action(code.kind, code.name, code.coords[pc - 1], text)
        return handler(f, arg, pc)
    return run


TRACED_DISPATCH = [_traced(h) for h in DISPATCH]


class Machine:
    """Runs code objects: {kind: {name: Code}} with the core params that bound loops and recursion."""

    def __init__(self, routes, max_while_loops: int = 100, max_recursive_level: int = 256):
        self.routes = routes
        self.max_while_loops = max_while_loops
        self.max_recursive_level = max_recursive_level

    def execute(self, code, ctx, depth: int = 0) -> tuple[int, int]:
        """Run one block; returns (return code, run flags)."""
        if depth >= self.max_recursive_level:
            ctx.log(L_ERR, f"ERROR: <core> too many recursive routing table lookups ({depth})\n")
            return -1, 0
        trace = ctx.trace
        if trace is not None:
            trace.route_start(code.kind, code.name)
        f = Frame(self, ctx, code, depth)
        ops, args = code.ops, code.args
        if trace is None:           # superinstructions; a traced run takes the plain code
            ops, args, table = code.fast_ops or ops, code.fast_args or args, DISPATCH
        else:
            table = TRACED_DISPATCH
        pc = 0
        while True:
            try:
                while pc >= 0:
                    pc = table[ops[pc]](f, args[pc], pc + 1)
                break
            except EvalError as e:
                if e.pc is not None:
                    pc, e.pc = e.pc, None
                ctx.log(L_ERR, f"ERROR: <core> {code.coords[pc]}: {e}\n")
                f.stack.clear()
                pc = code.on_error[pc]
        if trace is not None:
            how = "drop" if f.flags & DROP else "exit" if f.flags & EXIT else "return"
            trace.route_end(code.kind, code.name, how, f.ret)
        return f.ret, f.flags
