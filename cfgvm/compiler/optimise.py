"""Kamailio's start-up expression optimiser (core/rvalue.c rve_optimize, kamailio-language.md §4.5).

Kamailio rewrites every expression once at start-up, bottom-up, and some rewrites change results, so
cfgvm applies the same ones (checked against real Kamailio 5.6.3 by the xlog oracle, C0519-C0724):

  * constant sub-expressions are folded;
  * an operation with one constant int operand `i` (the right one when both could be, else the left):
        $v * 0, 0 * $v, $v & 0, 0 & $v, $v && 0, 0 && $v, 0 / $v, 0 mod $v  -> 0   ($v not evaluated)
        $v || 1, 1 || $v                                                    -> 1   ($v not evaluated)
        $v * 1, 1 * $v, $v / 1, $v - 0, $v | 0, 0 | $v, $v && 1, 1 && $v,
        $v || 0, 0 || $v, and `+ 0` when the left operand's type is int     -> int($v)
  * `"" + $v` (a string concatenation by the left operand's type)          -> str($v)
  * `$v == ""` and `"" == $v` (not `!=`), unless the left operand is an int, and `eq ""` -> strempty($v)
  * `$v == $null` -> !defined $v and `$v != $null` -> defined $v ($null on the right only).

int($v)/str($v) is $v itself when its static type already is int/str (rve_guess_type), else a cast.
A function or route call has static type int, so `$var(r) = route(X) + 0` is `$var(r) = route(X)`
and keeps the raw return code, while `(int)route(X)` or `route(X) + 1` see it collapsed to 0/1.
"""
from __future__ import annotations

import dataclasses

from cfgvm import ast as A
from cfgvm.compiler.resolve import fold

_CALLS = (A.Call, A.CoreAction, A.RouteCall)
# operators whose result is an int whatever the operands (rve_guess_type)
_INT_BINARY = frozenset("- * / mod | & ^ << >> && || < > <= >= == != eq ne ieq ine =~".split())
_EQUALITY = frozenset(("==", "!=", "eq", "ne", "ieq", "ine"))
_INT_UNARY = frozenset(("!", "~", "-", "defined", "strlen", "strempty", "(int)"))


def static_type(e) -> str | None:
    """"int", "str" or None (known only at run time), as Kamailio's rve_guess_type."""
    if isinstance(e, A.Const):
        return "int" if isinstance(e.value, int) else "str"
    if isinstance(e, A.Select):
        return "str"
    if isinstance(e, _CALLS) or isinstance(e, A.KeywordCmp):
        return "int"
    if isinstance(e, A.UnOp):
        return "str" if e.op == "(str)" else "int" if e.op in _INT_UNARY else None
    if isinstance(e, A.BinOp):
        return static_type(e.left) if e.op == "+" else "int" if e.op in _INT_BINARY else None
    return None


def _is_null(e) -> bool:
    return isinstance(e, A.PV) and e.text in ("$null", "$(null)")


def _as(kind: str, v, coord):
    """replace_rve_type_cast: v itself when its type is already `kind`, else the cast."""
    return v if static_type(v) == kind else A.UnOp(op=f"({kind})", operand=v, coord=coord)


def optimise(e):
    """The expression as Kamailio runs it after its start-up rewrites."""
    if isinstance(e, A.UnOp):
        o = optimise(e.operand)
        e = e if o is e.operand else dataclasses.replace(e, operand=o)
        return fold(e)
    if isinstance(e, A.Selval):
        parts = [optimise(x) for x in (e.cond, e.a, e.b)]
        if any(p is not q for p, q in zip(parts, (e.cond, e.a, e.b))):
            e = dataclasses.replace(e, cond=parts[0], a=parts[1], b=parts[2])
        return fold(e)
    if not isinstance(e, A.BinOp):
        return fold(e)
    lhs, rhs = optimise(e.left), optimise(e.right)
    if lhs is not e.left or rhs is not e.right:
        e = dataclasses.replace(e, left=lhs, right=rhs)
    e = fold(e)
    if not isinstance(e, A.BinOp):
        return e
    if e.op in _EQUALITY and _is_null(rhs):
        node = A.UnOp(op="defined", operand=lhs, coord=e.coord)
        return node if e.op in ("!=", "ne", "ine") else A.UnOp(op="!", operand=node, coord=e.coord)
    return _constant_operand(e, lhs, rhs) or e


def _constant_operand(e, lhs, rhs):
    """rve_opt_01: the rewrites of an operation with one constant operand, or None."""
    if isinstance(rhs, A.Const):
        ct, v, right = rhs.value, lhs, True
    elif isinstance(lhs, A.Const):
        ct, v, right = lhs.value, rhs, False
    else:
        return None
    op, c = e.op, e.coord
    zero = A.Const(value=0, coord=c)
    if isinstance(ct, int):
        if op in ("*", "&", "&&") and ct == 0:
            return zero
        if op in ("*", "&&") and ct == 1:
            return _as("int", v, c)
        if op in ("/", "mod") and ct == 0 and not right:
            return zero
        if op == "/" and ct == 1 and right:
            return _as("int", v, c)
        if op == "-" and ct == 0 and right:
            return _as("int", v, c)
        if op in ("|", "||") and ct == 0:
            return _as("int", v, c)
        if op == "||" and ct == 1:
            return A.Const(value=1, coord=c)
        if op == "+" and ct == 0 and static_type(lhs) == "int":
            return _as("int", v, c)
        return None
    if ct == "":
        if op == "+" and static_type(lhs) == "str":
            return _as("str", v, c)
        if op == "eq" or (op == "==" and static_type(lhs) != "int"):
            return A.UnOp(op="strempty", operand=v, coord=c)
    return None
