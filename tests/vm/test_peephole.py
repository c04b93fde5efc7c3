"""Superinstructions (cfgvm/compiler/peephole.py) change nothing but speed: every config here runs
compiled with and without the pass (CFGVM_NO_PEEPHOLE) and must give the same variables, return
code, run flags, log lines and trace.  The absolute values asserted are Kamailio 5.6.3 facts already
pinned in test_machine.py (return 0 ends the script, a call is 0/1 in an operator, C division ...)."""
from __future__ import annotations

import os
import sys

import pytest

from cfgvm.compiler.program import compile_config
from cfgvm.parse import parse_string
from cfgvm.sip.message import Message
from cfgvm.vm import opcodes as OP
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState

sys.path.insert(0, os.path.dirname(__file__))
import minipv  # noqa: E402
from test_machine import FAKE, MSG, Tracer  # noqa: E402

ROUTES = """
route[RET0] { return 0; }
route[RET3] { if (!ret(1)) { return 9; } return 3; }
route[BRK] { while (1) { break; } break; $var(never) = 1; }
route[EXIT] { ret(2); exit; }
route[DROP] { ret(2); drop; }
route[NEST] { route(BRK); $var(nb) = $rc; route(RET3); $var(n3) = $rc; return -4; }
"""


def _compile(src, monkeypatch, fused):
    monkeypatch.setenv("CFGVM_NO_PEEPHOLE", "" if fused else "1")
    prog, _ = compile_config(parse_string(src, "p.cfg"), module_loader=minipv.loader(FAKE),
                             pv_resolver=minipv.pick())
    return prog


def _run(prog, trace):
    ctx = Context(prog, Message.parse(MSG), ReceiveInfo("udp", "10.0.0.1", 5060, "127.0.0.1", 5060),
                  worker=WorkerState(), shared=SharedState(), clock=lambda: 0.0)
    if trace:
        ctx.trace = Tracer()
    res = prog.run_route(ctx, "request")
    return (dict(ctx.worker.vars), res, ctx.rc, [r.text for r in ctx.logs],
            ctx.trace.events if trace else None)


def both(body, monkeypatch, extra=ROUTES):
    """Run body fused and plain, traced and not; assert they agree; return the fused untraced run."""
    src = f'loadmodule "pv.so"\nloadmodule "textops.so"\nrequest_route {{\n{body}\n}}\n{extra}'
    fused, plain = _compile(src, monkeypatch, True), _compile(src, monkeypatch, False)
    code = fused.routes["request"][None]
    assert any(op in OP.FUSED for op in code.fast_ops)          # the pass did something here
    assert plain.routes["request"][None].fast_ops is None
    assert code.ops == plain.routes["request"][None].ops      # the plain code is untouched
    runs = [_run(p, t) for p in (fused, plain) for t in (False, True)]
    f_run, f_traced, p_run, p_traced = runs
    assert f_run[:4] == p_run[:4] == f_traced[:4] == p_traced[:4]
    assert f_traced[4] == p_traced[4]
    return f_run


def test_function_returning_0_inside_if_not_ends_the_script(monkeypatch):
    v, res, rc, _, _ = both("$var(a) = 1; if (!ret(0)) { $var(a) = 2; } $var(a) = 3;", monkeypatch)
    assert v["a"] == 1 and res.exit and rc == 0


@pytest.mark.parametrize("n, taken", [(-1, True), (1, False), (7, False)])
def test_if_not_call(monkeypatch, n, taken):
    v, res, rc, _, _ = both(f"$var(a) = 0; if (!ret({n})) {{ $var(a) = $rc; }} $var(b) = $rc;",
                            monkeypatch)
    assert v["a"] == (n if taken else 0) and v["b"] == n and not res.exit


@pytest.mark.parametrize("n, branch", [(-2, "else"), (4, "then")])
def test_if_call_and_call_statements(monkeypatch, n, branch):
    v, res, rc, _, _ = both(f'if (ret({n})) {{ $var(w) = "then"; }} else {{ $var(w) = "else"; }}'
                            "ret(-3); $var(r) = $rc; ret(0); $var(after) = 1;", monkeypatch)
    assert v["w"] == branch and v["r"] == -3 and "after" not in v and res.exit and rc == 0


@pytest.mark.parametrize("stmt, rc, dropped", [("ret(5); exit;", 1, False), ("ret(0); exit;", 0, False),
                                               ("ret(-5); drop;", 1, True), ("return -7;", -7, False)])
def test_call_then_exit_drop_return(monkeypatch, stmt, rc, dropped):
    v, res, got_rc, _, _ = both(f"$var(a) = 1; {stmt} $var(a) = 2;", monkeypatch)
    assert v["a"] == 1 and res.exit == (rc == 0 or "return" not in stmt) and res.dropped == dropped
    assert got_rc == rc


def test_and_or_chains_keep_their_values(monkeypatch):
    v, res, rc, _, _ = both(
        '$var(one) = 1; $var(neg) = -1; $var(s) = "x";'
        '$var(c1) = ret(-3) && $var(one);'                          # a call's false && leaves 0
        '$var(c2) = ret(3) && ret(-1);'
        'if (ret(-1) && $var(one) == 1 && $var(s)) { $var(c3) = 1; } else { $var(c3) = 2; }'
        'if ((ret(-1) && $var(one)) || $var(s) == "x") { $var(c4) = 1; }'
        'if (-$var(one) && $var(one)) { $var(c5) = 1; } else { $var(c5) = 2; }'   # && tests != 0
        'if (-$var(one)) { $var(c6) = 1; } else { $var(c6) = 2; }'                # if tests > 0
        'if ($var(neg) == -1 && strlen($var(s)) && $var(s) != $null) { $var(c7) = 1; }'
        '$var(c8) = $var(s) == "x" && $var(neg) != 0;'
        '$var(c9) = !$var(zz) && strlen($var(s));'
        'if ($var(one) - 2 && $var(one)) { $var(c10) = 1; } else { $var(c10) = 2; }'
        '$var(e) = ""; $var(c11) = strlen($var(e)) && $var(one);'                # false && results are stored
        '$var(c12) = $var(one) == 2 && $var(one);'
        '$var(c13) = $var(one) && $var(zz) && $var(one);'
        '$var(t) = "ab"; $var(c14) = $var(one) && strlen($var(t));'          # && gives 0/1, not 2
        '$var(c15) = $var(one) && $var(one) + 4;', monkeypatch)
    assert [v[f"c{i}"] for i in range(1, 16)] == [0, 0, 2, 1, 1, 2, 1, 1, 1, 1, 0, 0, 0, 1, 1]


def test_error_inside_a_fused_sequence_recovers_like_the_plain_code(monkeypatch):
    v, res, rc, logs, _ = both(
        "$var(one) = 1; $var(x) = 9; $var(x) = $var(one) / 0;"
        "if ($var(one) mod 0) { $var(y) = 1; } else { $var(y) = 2; }"
        "if ($var(one) / 0 == 0 && $var(one)) { $var(z) = 1; } else { $var(z) = 2; }"
        "$var(after) = 1;", monkeypatch)
    assert (v["x"], v["y"], v["z"], v["after"]) == (9, 2, 2, 1)
    assert sum("by zero" in t for t in logs) == 3


def test_break_and_return_in_nested_routes(monkeypatch):
    v, res, rc, _, _ = both("route(NEST); $var(a) = $rc; route(RET3); $var(b) = $rc;"
                            "if (!route(RET3)) { $var(c) = 1; } route(BRK); route(EXIT); $var(d) = 1;",
                            monkeypatch)
    assert (v["nb"], v["n3"], v["a"], v["b"]) == (0, 3, -4, 3)
    assert "c" not in v and "d" not in v and "never" not in v and res.exit


@pytest.mark.parametrize("route, dropped", [("EXIT", False), ("DROP", True), ("RET0", False)])
def test_route_then_exit(monkeypatch, route, dropped):
    v, res, rc, _, _ = both(f"$var(a) = 1; route({route}); exit;", monkeypatch)
    assert res.exit and res.dropped == dropped and v["a"] == 1


def test_while_with_fused_tests(monkeypatch):
    v, res, rc, _, _ = both("$var(i) = 0; while ($var(i) < 5) { $var(i) = $var(i) + 1;"
                            " if ($var(i) == 3) { break; } } $var(k) = ret(2);", monkeypatch)
    assert v["i"] == 3 and v["k"] == 2


def test_assignments_and_keyword_tests(monkeypatch):
    v, res, rc, _, _ = both(
        '$var(a) = 0; $var(b) = "s"; $var(c) = $var(b); $var(n) = $var(n) + 1; $var(n) = $var(n) * 5;'
        'if (src_ip == 10.0.0.0/8 && method == "OPTIONS") { $var(k1) = 1; }'
        'if (method == "INVITE") { $var(k2) = 1; } else { $var(k2) = 2; }'
        '$var(k3) = method == "INVITE" && $var(a) == 0;'
        'if ($var(a) == 0 && method == "INVITE" || src_ip == 10.0.0.1) { $var(k4) = 1; }', monkeypatch)
    assert (v["a"], v["b"], v["c"], v["n"]) == (0, "s", "s", 5)
    assert (v["k1"], v["k2"], v["k3"], v["k4"]) == (1, 2, 0, 1)
