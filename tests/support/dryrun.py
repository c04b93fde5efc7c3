"""A cfg given as text through cfgvm's dry-run driver, in-process (no socket, virtual clock).

    program = compile_text(CFG)
    res = run_message(program, raw)          # cfgvm.engine.Result: .sent, .logs, .error, .outcome
"""
from __future__ import annotations

import os
import tempfile

from cfgvm.drivers.dryrun import DEFAULT_DST, DEFAULT_SRC, DryRun, load_program, receive_info


def compile_text(cfg: str, defines: dict[str, str | None] | None = None, tmpdir: str | None = None):
    """Config text -> compiled Program (through a temporary file, as `cfgvm dry-run` reads one);
    raises cfgvm.diagnostics.CfgError on a bad config."""
    fd, path = tempfile.mkstemp(suffix=".cfg", dir=tmpdir)
    try:
        with os.fdopen(fd, "w", encoding="latin-1") as f:
            f.write(cfg)
        return load_program(path, defines)
    finally:
        os.unlink(path)


def run_message(program, raw: bytes, src: tuple[str, str, int] = DEFAULT_SRC,
                dst: tuple[str, str, int] = DEFAULT_DST, trace: bool = False):
    """One message from src to dst (proto, ip, port) through a fresh DryRun of program; its Result."""
    return DryRun(program, trace=trace).run(raw, receive_info(src, dst)).result
