"""`cfgvm disasm` golden text (as CPython tests dis), and the opcode table the VM and disasm share.

The golden file pins cfgvm's OWN listing format (design.md: "disassembly by golden text"); Kamailio has
no counterpart, so it is a regression pin reviewed by hand, not a behaviour oracle. The behaviour the
listing encodes (short-circuit &&, the `x || 0` -> (int)x rewrite, switch fall-through) is asserted
against Kamailio 5.6.3 facts in tests/vm/test_machine.py."""
from __future__ import annotations

import os

from cfgvm.cli import main
from cfgvm.vm import machine, opcodes

HERE = os.path.dirname(__file__)
DEMO = os.path.join(HERE, "disasm_demo.cfg")


def test_disasm_golden(capsys):
    assert main(["disasm", "-f", DEMO]) == 0
    with open(os.path.join(HERE, "disasm_demo.golden")) as fh:
        assert capsys.readouterr().out == fh.read()


def test_disasm_one_route(capsys):
    assert main(["disasm", "-f", DEMO, "--route", "OTHER"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("route[OTHER]") and "request_route" not in out
    # `$v || 0` is rewritten to (int)$v by Kamailio's optimiser (§4.5)
    assert "UNARY                   (int)" in out


def test_disasm_unknown_route_is_a_usage_error(capsys):
    assert main(["disasm", "-f", DEMO, "--route", "failure:NOPE"]) == 2


def test_dispatch_lists_are_derived_from_the_one_table():
    assert len(machine.DISPATCH) == len(opcodes.OPS) == len(machine.TRACED_DISPATCH)
    for info in opcodes.OPS:
        assert machine.DISPATCH[info.code] is machine.HANDLERS[info.name]


def test_disasm_fused_marks_superinstructions_beside_the_plain_listing(capsys):
    assert main(["disasm", "-f", DEMO]) == 0
    plain = capsys.readouterr().out
    assert main(["disasm", "-f", DEMO, "--fused"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(" | ")[0].rstrip() for ln in lines] == plain.splitlines()   # same listing
    marked = [ln for ln in lines if " | " in ln]
    assert any("sl_send_reply(" in ln and ln.endswith("| CALL_POP_RETURN_CONST x4") for ln in marked)
    assert any(" ROUTE " in ln and ln.endswith("| ROUTE_POP x2") for ln in marked)
