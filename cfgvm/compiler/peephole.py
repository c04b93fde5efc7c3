"""Peephole pass: superinstructions (opcodes.FUSED_TABLE) for the commonest plain sequences.

The plain code stays as generated (Code.ops/args: disasm, traced runs, error recovery).  The pass
builds a second pair of lists, Code.fast_ops/fast_args, where the instruction at pc may be replaced
by a superinstruction running the plain sequence that starts at pc in one dispatch.  Nothing is
removed, so jump targets, Code.coords and Code.on_error keep their indices: a jump or an error
recovery into the middle of a sequence runs the plain instructions from there (or the
superinstruction that starts there).  Sequences may span statements: the statement-start trace
hook only runs in a traced run, which takes the plain code.

Chosen from the sequences counted in the bench config, the default kamailio.cfg and the 77 corpus
configs Kamailio accepts (static counts): CALL;POP, CONST;RETURN, CALL;POP;CONST;RETURN, ROUTE;POP,
CALL;POP_JUMP_IF_FALSE, CALL;COLLAPSE;UNARY !;POP_JUMP_IF_FALSE lead; LOAD_PV;CONST;BINARY, the
&& chains (..;TO_BOOL;JUMP_IF_ZERO_OR_POP), assignments of a constant, a PV or `$v op const`, and
legacy keyword tests come next.  The bench config goes from 29 to 8 dispatches per message.

CFGVM_NO_PEEPHOLE=1 in the environment turns the pass off (tests compare both compilations).
"""
from __future__ import annotations

import os

from cfgvm.vm import opcodes as OP
from cfgvm.vm.values import to_int

_BRANCH = (OP.POP_JUMP_IF_FALSE, OP.JUMP_IF_ZERO_OR_POP)


def enabled() -> bool:
    return os.environ.get("CFGVM_NO_PEEPHOLE", "") in ("", "0")


def fuse(code) -> None:
    """Fill code.fast_ops, code.fast_args and code.fused ({pc: number of plain parts})."""
    ops, args = code.ops, code.args
    fast_ops, fast_args = list(ops), list(args)
    code.fused = {}
    for pc in range(len(ops)):
        m = _match(ops, args, pc)
        if m is not None:
            fast_ops[pc], fast_args[pc], code.fused[pc] = m
    code.fast_ops, code.fast_args = fast_ops, fast_args


def _false_exit(ops, args, target, depth=0) -> tuple[int, bool]:
    """Where a JUMP_IF_ZERO_OR_POP that found 0 really ends up: (pc, a 0 is left on the stack).
    A 0 jumping into another && keeps jumping, into an if's test or an || is popped."""
    op = ops[target]
    if depth > 32:
        return target, True
    if op == OP.JUMP_IF_ZERO_OR_POP:
        return _false_exit(ops, args, args[target], depth + 1)
    if op == OP.TO_BOOL:
        return _false_exit(ops, args, target + 1, depth + 1)
    if op == OP.POP_JUMP_IF_FALSE:
        return args[target], False
    if op == OP.JUMP_IF_NONZERO_OR_POP:
        return target + 1, False
    return target, True


def _branch(ops, args, pc):
    """(target, push0) of the branch at pc (POP_JUMP_IF_FALSE or JUMP_IF_ZERO_OR_POP)."""
    if ops[pc] == OP.POP_JUMP_IF_FALSE:
        return args[pc], False
    return _false_exit(ops, args, args[pc])


def _at(ops, pc, *want) -> bool:
    return pc + len(want) <= len(ops) and all(ops[pc + i] == w for i, w in enumerate(want))


def _match(ops, args, pc):
    """(fused opcode, its argument, number of plain parts) for the sequence at pc, or None."""
    op, a = ops[pc], args[pc]
    if op == OP.CALL:
        if _at(ops, pc, OP.CALL, OP.POP, OP.CONST, OP.RETURN):
            return OP.CALL_POP_RETURN_CONST, (a, to_int(args[pc + 2]), args[pc + 3]), 4
        if _at(ops, pc, OP.CALL, OP.POP):
            return OP.CALL_POP, (a, pc + 2), 2
        if _at(ops, pc, OP.CALL, OP.POP_JUMP_IF_FALSE):
            return OP.CALL_IF, (a, pc + 2, args[pc + 1], False), 2
        if _at(ops, pc, OP.CALL, OP.COLLAPSE, OP.UNARY, OP.POP_JUMP_IF_FALSE) and args[pc + 2][0] == "!":
            return OP.CALL_IF_NOT, (a, pc + 4, args[pc + 3], False), 4
        if _at(ops, pc, OP.CALL, OP.COLLAPSE, OP.JUMP_IF_ZERO_OR_POP):
            return OP.CALL_AND, (a, pc + 3) + _branch(ops, args, pc + 2), 3
        return None
    if op == OP.CALL_CORE and _at(ops, pc, OP.CALL_CORE, OP.POP):
        return OP.CALL_CORE_POP, (a, pc + 2), 2
    if op == OP.ROUTE:
        if _at(ops, pc, OP.ROUTE, OP.POP, OP.CONST, OP.RETURN):
            return OP.ROUTE_POP_RETURN_CONST, (a, to_int(args[pc + 2]), args[pc + 3]), 4
        if _at(ops, pc, OP.ROUTE, OP.POP):
            return OP.ROUTE_POP, (a, pc + 2), 2
        return None
    if op == OP.CONST and _at(ops, pc, OP.CONST, OP.RETURN):
        return OP.RETURN_CONST, (to_int(a), args[pc + 1]), 2
    if op == OP.TO_BOOL and pc + 1 < len(ops) and ops[pc + 1] in _BRANCH:
        return OP.BOOL_IF, (pc + 2,) + _branch(ops, args, pc + 1), 2
    if op == OP.KEYWORD:
        end = pc + 1 + (pc + 1 < len(ops) and ops[pc + 1] == OP.TO_BOOL)
        if end < len(ops) and ops[end] in _BRANCH:
            nz = end > pc + 1 or ops[end] == OP.JUMP_IF_ZERO_OR_POP
            return OP.KEYWORD_IF, (a, nz, end + 1) + _branch(ops, args, end), end + 1 - pc
        return None
    if op == OP.CONST and _at(ops, pc, OP.CONST, OP.STORE_PV):
        return OP.CONST_STORE, (a, args[pc + 1]), 2
    if op == OP.LOAD_PV:
        if _at(ops, pc, OP.LOAD_PV, OP.STORE_PV):
            return OP.PV_STORE, (a, args[pc + 1]), 2
        if _at(ops, pc, OP.LOAD_PV, OP.CONST, OP.BINARY, OP.STORE_PV):
            return OP.PV_BINARY_STORE, (a, args[pc + 1], args[pc + 2][1], args[pc + 3]), 4
        return _pv_expr(ops, args, pc)
    return None


def _pv_expr(ops, args, pc):
    """LOAD_PV ; (CONST ; BINARY | UNARY ...) [; TO_BOOL] [; a branch]."""
    end = pc + 1
    if _at(ops, end, OP.CONST, OP.BINARY):
        head = (args[pc], args[end], args[end + 1][1])
        end += 2
        plain, branch = OP.PV_BINARY, OP.PV_BINARY_IF
    else:
        fns = []
        while end < len(ops) and ops[end] == OP.UNARY:
            fns.append(args[end][1])
            end += 1
        if not fns:
            return None
        head = (args[pc], tuple(fns))
        plain, branch = OP.PV_UNARY, OP.PV_UNARY_IF
    to_bool = end < len(ops) and ops[end] == OP.TO_BOOL
    end += to_bool
    if end < len(ops) and ops[end] in _BRANCH:
        nz = to_bool or ops[end] == OP.JUMP_IF_ZERO_OR_POP      # TO_BOOL/&& test != 0, an if tests > 0
        return branch, head + (nz, end + 1) + _branch(ops, args, end), end + 1 - pc
    return plain, head + (to_bool, end), end - pc
