"""PVs and selects against real Kamailio 5.6.3: the message-reading cases of the xlog oracle fixture
(tests/oracle/xlog_cases: Kamailio's logged values for invite.sip), rendered here through the PV
registry alone (no VM), so each PV family is checked on its own. Cases that depend on script
statements run in order (var-avp) are replayed with the same assignments through PVRef.set."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from oracle.xlog_cases import (CFG, ENV, LISTEN, MSG, SOURCE, load_cases, load_expected,  # noqa: E402
                               values_from_messages)

from cfgvm.exports import ModuleInstance
from cfgvm.sip.message import Message
from cfgvm.vm import fmt
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState
from cfgvm.vm.pv import render, resolve_pv
from cfgvm.vm.pvspec import parse

# categories whose cases only read the message (no statements in between)
READ_ONLY = ("pv-ruri", "pv-headers", "pv-message", "pv-transport", "pv-core")


class Program:
    def __init__(self):
        from cfgvm.preprocess import preprocess
        from cfgvm.stdlib import pv as pvmod, textopsx
        self.defines = preprocess(str(CFG)).defines
        pv = ModuleInstance(pvmod.EXPORTS)
        for p in ("sv=i:7", "sname=s:shared value"):
            pvmod._set_shvset(pv, p)
        for p in ("vinit=s:preset", "vnum=i:-5"):
            pvmod._set_varset(pv, p)
        self.modules = {"pv": pv, "textopsx": ModuleInstance(textopsx.EXPORTS)}
        self.params = {}


def cfg_string(src: str) -> str:
    """The first string literal of a cfg line, unescaped as the cfg lexer does."""
    q = src.index('"')
    out, i = [], q + 1
    while src[i] != '"':
        if src[i] == "\\":
            i += 1
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(src[i], src[i]))
        else:
            out.append(src[i])
        i += 1
    return "".join(out)


@pytest.fixture(scope="module")
def world(monkeypatch_module):
    for k, v in ENV.items():
        monkeypatch_module.setenv(k, v)
    program = Program()
    msg = Message.parse(MSG.read_bytes())
    rcv = ReceiveInfo("udp", SOURCE[0], SOURCE[1], LISTEN[0], LISTEN[1])
    ctx = Context(program, msg, rcv, worker=WorkerState(), shared=SharedState(), clock=lambda: 1e9)
    return program, ctx


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _render(ctx, program, text):
    f = fmt.parse(text)
    for spec in f.pvs:
        resolve_pv(spec, program)
    return render(ctx, f)


def test_read_only_pv_cases(world):
    program, ctx = world
    expected = load_expected()
    cases = [c for c in load_cases() if c.category in READ_ONLY]
    assert len(cases) >= 150
    got = values_from_messages([_render(ctx, program, cfg_string(c.source)) for c in cases
                                if "C0160" not in c.source])           # C0160 is a #!subst case
    exp = {c.id: expected[c.id] for c in cases if c.id in got}
    diff = {k: (got[k], exp[k]) for k in exp if got[k] != exp[k]}
    assert not diff, diff


def test_select_cases(world):
    program, ctx = world
    expected = load_expected()
    cases = [c for c in load_cases() if c.category == "select" and c.source.lstrip().startswith("xnotice")
             and "selv" not in c.source]
    assert len(cases) >= 55
    got = values_from_messages([_render(ctx, program, cfg_string(c.source)) for c in cases])
    diff = {k: (got[k], expected[k]) for k in got if got[k] != expected[k]}
    assert not diff, diff


def _run_statements(ctx, program, lines):
    """A tiny runner for the fixture's assignment lines (`$pv = "text" | int | $null | $pv [+ int]`)
    and xnotice lines: enough to replay the var-avp cases without the VM."""
    import re
    from cfgvm.vm.values import to_int
    logged = []
    assign = re.compile(r'\s*(\S+)\s+=\s+(.*?)\s*;\s*$')
    for src in lines:
        for stmt in [s + ";" for s in src.split(";") if s.strip()]:
            if stmt.strip().startswith("xnotice"):
                logged.append(_render(ctx, program, cfg_string(stmt)))
                continue
            m = assign.match(stmt)
            assert m, stmt
            ref = resolve_pv(parse(m.group(1).strip()), program)
            ref.check_writable()
            rhs = m.group(2)
            if rhs.startswith('"'):
                v = cfg_string(rhs)
            elif rhs.lstrip("-").isdigit():
                v = int(rhs)
            elif "+" in rhs:
                a, b = (x.strip() for x in rhs.split("+"))
                v = to_int(resolve_pv(parse(a), program).get(ctx)) + int(b)
            else:
                v = resolve_pv(parse(rhs), program).get(ctx)
            ref.set(ctx, v)
    return values_from_messages(logged)


def test_var_avp_xavp_shv_cases(world):
    program, ctx = world
    expected = load_expected()
    cases = [c for c in load_cases() if c.category == "var-avp" or c.id in ("C0406", "C0407", "C0408", "C0409")]
    src = CFG.read_text(encoding="latin-1").splitlines()
    first, last = cases[0].line, cases[-1].line
    lines = [ln for ln in src[first - 1:last] if ln.strip() and not ln.strip().startswith("#")]
    got = _run_statements(ctx, program, lines)
    assert len(got) == len(cases) >= 35
    diff = {k: (got[k], expected[k]) for k in got if got[k] != expected[k]}
    assert not diff, diff
