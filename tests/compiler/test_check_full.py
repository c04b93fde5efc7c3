"""Full `cfgvm check` on lint_demo.cfg: `kamailio -c` accepts the file, while cfgvm reports the three
mistakes Kamailio only finds at start-up (fix_actions / xlog fixup), each at its line."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from cfgvm.cli import main

DEMO = os.path.join(os.path.dirname(__file__), "lint_demo.cfg")


def test_cfgvm_check_reports_what_kamailio_c_misses(capsys):
    assert main(["check", "-f", DEMO, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    got = [(d["line"], d["code"]) for d in out["diagnostics"]]
    assert got == [(13, "undefined-route"), (14, "bad-pv"), (15, "wrong-arity")]


def test_parse_only_accepts_the_demo_like_kamailio_c(capsys):
    assert main(["check", "-f", DEMO, "--parse-only"]) == 0


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="real Kamailio 5.6 not installed")
def test_kamailio_c_accepts_the_demo():
    p = subprocess.run(["kamailio", "-c", "-f", DEMO], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "ERROR" not in p.stderr and "CRITICAL" not in p.stderr
