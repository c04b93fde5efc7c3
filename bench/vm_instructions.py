"""CPU instructions per dry-run message (bench/vm.py's config and messages), counted by valgrind.

    .venv/bin/python bench/vm_instructions.py [--lo 100] [--hi 300]

Wall-clock figures on a shared machine move by 10% between runs; an instruction count does not. The
dry-run loop runs twice under `valgrind --tool=callgrind` (PYTHONHASHSEED=0), once over --lo and once
over --hi messages after the same warm-up; the difference divided by hi - lo is what one message
costs, start-up and compile cancelled out. This is the figure the optimisation commits quote.
Needs valgrind (prints why not when it is absent). Each run takes ~10-20 s.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WARM = 200          # distinct messages; every one is received once before counting starts


def child(n: int) -> None:
    """Receive WARM messages (warm-up), then n more: the run valgrind counts."""
    sys.path.insert(0, HERE)
    import vm as B
    msgs = B.messages(WARM)
    from cfgvm.drivers.dryrun import DryRun, receive_info
    from support.dryrun import compile_text
    dry = DryRun(compile_text(B.BENCH_CFG), trace=False)
    rcv = receive_info(B.SRC, B.DST)
    dry.listen_on(B.DST)
    receive = dry.engine.receive
    for m in msgs:
        receive(m, rcv)
    for i in range(n):
        receive(msgs[i % WARM], rcv)


def count(n: int, tmp: str) -> subprocess.Popen:
    out = os.path.join(tmp, f"cg.{n}")
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                             sys.executable, os.path.abspath(__file__), "--child", str(n)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def collected(p: subprocess.Popen) -> int:
    _, err = p.communicate(timeout=600)
    m = re.search(r"Collected : (\d+)", err)
    if p.returncode != 0 or m is None:
        raise SystemExit(f"valgrind run failed (exit {p.returncode}):\n{err[-2000:]}")
    return int(m.group(1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lo", type=int, default=100)
    ap.add_argument("--hi", type=int, default=300)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child is not None:
        sys.path.insert(0, os.path.join(HERE, "..", "tests"))
        child(a.child)
        return 0
    if shutil.which("valgrind") is None:
        print("instructions per message: not measured (valgrind is not installed)")
        return 0
    if not 0 <= a.lo < a.hi:
        ap.error("need 0 <= --lo < --hi")
    with tempfile.TemporaryDirectory(prefix="cfgvm-cg-") as tmp:
        lo, hi = count(a.lo, tmp), count(a.hi, tmp)      # the two runs in parallel
        n_lo, n_hi = collected(lo), collected(hi)
    print(f"dry-run (bench/vm.py config and messages): {(n_hi - n_lo) / (a.hi - a.lo):,.0f} "
          f"CPU instructions per message (callgrind, {a.hi} - {a.lo} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
