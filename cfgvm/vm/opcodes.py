"""The one opcode table: the VM's dispatch list (cfgvm/vm/machine.py) and `cfgvm disasm` derive from it.

Each row: NAME  ARG-KIND  STACK-EFFECT  -- doc.  ARG-KIND says what the instruction's argument is
(and how the disassembler prints it):
    -        no argument
    const    a constant (None|int|str)
    pv       a resolved PV reference (PVRef)
    op       an operator (name, function)
    target   a jump target (instruction index, printed as a label)
    call     a resolved function call (module or core), with its fixed-up arguments
    route    a route name (static `route(NAME)`)
    switch   a switch table (cases -> targets)
    loop     a while-loop slot (iteration counter) and its exit target
    keyword  a legacy keyword comparison (method == "X", src_ip == net ...)
    kind     return/exit/drop
    fused    a superinstruction's operands (FUSED_TABLE)
The stack effect is the net change of the operand stack on the fall-through path (a taken
JUMP_IF_*_OR_POP keeps its operand).
"""
from __future__ import annotations

from dataclasses import dataclass

TABLE = """
NOP            -        0   -- does nothing (a placeholder keeps jump targets stable)
CONST          const    +1  -- push a constant
LOAD_PV        pv       +1  -- push the value of a PV, AVP or select (null when unset)
STORE_PV       pv       -1  -- pop a value and assign it to the PV (an error leaves it unchanged)
POP            -        -1  -- drop the top of the stack
UNARY          op        0  -- replace the top with op(top): ! ~ - defined strlen strempty (int) (str)
BINARY         op       -1  -- pop right, pop left, push op(left, right) with Kamailio's value rules
TO_BOOL        -         0  -- top := 1 if int(top) != 0 else 0  (the right side of && and ||)
COLLAPSE       -         0  -- top := 1 if top > 0 else 0  (a call's return code in operator context)
JUMP           target    0  -- continue at target
POP_JUMP_IF_FALSE target -1 -- pop; jump when int(value) <= 0  (if/while/selval test: > 0 is true)
JUMP_IF_ZERO_OR_POP target -1 -- &&: if int(top) == 0 set top to 0 and jump, else pop
JUMP_IF_NONZERO_OR_POP target -1 -- ||: if int(top) != 0 set top to 1 and jump, else pop
CALL           call     +1  -- call a module function; push its return code, set $rc; 0 ends the script
CALL_CORE      call     +1  -- run a core action (forward, setflag, strip ...); push its return code
ROUTE          route    +1  -- run route[NAME]; push its return code, set $rc
ROUTE_DYN      -         0  -- pop a route name, run that route; push its return code, set $rc
KEYWORD        keyword  +1  -- push 1/0 for a legacy comparison (method, uri, src_ip, af, proto ...)
SWITCH         switch   -1  -- pop the value, jump to the matching case (or default, or the end)
LOOP_INIT      loop      0  -- reset a while-loop's iteration counter
LOOP_TICK      loop      0  -- count one iteration; past max_while_loops log an error and leave the loop
RETURN         kind     -1  -- pop the value; return/exit/drop with it (return 0 ends the script)
BREAK_ROUTE    -         0  -- `break` outside switch/while: leave the route with 0 (script goes on)
END            -         0  -- end of the route block: return 1
"""

# Superinstructions (cfgvm/compiler/peephole.py): each runs a fixed sequence of the plain opcodes
# above in one dispatch.  They live only in Code.fast_ops; the plain sequence stays in Code.ops.
FUSED_TABLE = """
CALL_POP       fused    0   -- CALL ; POP  (a call as a statement)
CALL_CORE_POP  fused    0   -- CALL_CORE ; POP
ROUTE_POP      fused    0   -- ROUTE ; POP
RETURN_CONST   fused    0   -- CONST ; RETURN  (exit, drop, return N)
CALL_POP_RETURN_CONST fused 0 -- CALL ; POP ; CONST ; RETURN  (`f(); exit;`)
ROUTE_POP_RETURN_CONST fused 0 -- ROUTE ; POP ; CONST ; RETURN  (`route(X); exit;`)
CALL_IF        fused    0   -- CALL ; POP_JUMP_IF_FALSE  (`if (f())`)
CALL_IF_NOT    fused    0   -- CALL ; COLLAPSE ; UNARY ! ; POP_JUMP_IF_FALSE  (`if (!f())`)
CALL_AND       fused    0   -- CALL ; COLLAPSE ; JUMP_IF_ZERO_OR_POP  (`f() && ...`)
PV_UNARY       fused    0   -- LOAD_PV ; UNARY ... [; TO_BOOL]
PV_BINARY      fused    0   -- LOAD_PV ; CONST ; BINARY [; TO_BOOL]
PV_UNARY_IF    fused    0   -- LOAD_PV ; UNARY ... [; TO_BOOL] ; POP_JUMP_IF_FALSE | JUMP_IF_ZERO_OR_POP
PV_BINARY_IF   fused    0   -- LOAD_PV ; CONST ; BINARY [; TO_BOOL] ; POP_JUMP_IF_FALSE | JUMP_IF_ZERO_OR_POP
BOOL_IF        fused    0   -- TO_BOOL ; POP_JUMP_IF_FALSE | JUMP_IF_ZERO_OR_POP
KEYWORD_IF     fused    0   -- KEYWORD [; TO_BOOL] ; POP_JUMP_IF_FALSE | JUMP_IF_ZERO_OR_POP
CONST_STORE    fused    0   -- CONST ; STORE_PV  (`$var(x) = 0;`)
PV_STORE       fused    0   -- LOAD_PV ; STORE_PV  (`$var(x) = $fU;`)
PV_BINARY_STORE fused   0   -- LOAD_PV ; CONST ; BINARY ; STORE_PV  (`$var(n) = $var(n) + 1;`)
"""


@dataclass(frozen=True, slots=True)
class OpInfo:
    code: int
    name: str
    arg: str
    effect: int
    doc: str


def _parse(table: str) -> list[OpInfo]:
    out = []
    for line in table.strip().splitlines():
        if not line.strip():
            continue
        head, _, doc = line.partition("--")
        name, arg, effect = head.split()
        out.append(OpInfo(len(out), name, arg, int(effect), doc.strip()))
    return out


OPS: list[OpInfo] = _parse(TABLE + FUSED_TABLE)
BY_NAME: dict[str, OpInfo] = {o.name: o for o in OPS}
JUMPS = frozenset(o.code for o in OPS if o.arg == "target")
FUSED = frozenset(o.code for o in OPS if o.arg == "fused")

# opcode numbers as module constants: opcodes.CONST, opcodes.JUMP ...
globals().update({o.name: o.code for o in OPS})
