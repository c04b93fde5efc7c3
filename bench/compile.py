"""Preprocess+parse time for the default config and the whole corpus, beside `kamailio -c` wall time
(process start-up included) on the files Kamailio parsed to the end, each run in the entry's folder
(kamailio columns skipped when it is absent). Prints figures; asserts nothing.

    .venv/bin/python bench/compile.py [--repeat N]
"""
import argparse
import csv
import os
import shutil
import subprocess
import time

from cfgvm.diagnostics import CfgError
from cfgvm.grammar.parser import get_parser
from cfgvm.parse import parse_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
DEFAULT_CFG = "/etc/kamailio/kamailio.cfg"


def ours(path, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    t = time.perf_counter()
    try:
        parse_file(path, {})
    except CfgError:
        pass
    finally:
        os.chdir(old)
    return time.perf_counter() - t


def kamailio(path, cwd):
    """(seconds, parsed): parsed only when Kamailio went through the whole file ("config file ok"); a run
    that stopped on a module this host lacks did not parse the rest and is not a fair comparison."""
    t = time.perf_counter()
    p = subprocess.run(["kamailio", "-c", "-f", path], cwd=cwd, capture_output=True, timeout=60)
    dt = time.perf_counter() - t
    return dt, b"config file ok" in p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    t = time.perf_counter()
    get_parser()
    print(f"parser tables (cache load, or build on a cold cache), once per process: {time.perf_counter() - t:.3f} s")
    have_k = shutil.which("kamailio") is not None
    files = []
    if os.path.isfile(DEFAULT_CFG):
        files.append(("default cfg", [(DEFAULT_CFG, os.path.dirname(DEFAULT_CFG))]))
    if os.path.isfile(os.path.join(CORPUS, "index.tsv")):
        with open(os.path.join(CORPUS, "index.tsv"), newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        files.append((f"corpus ({len(rows)} entries)",
                      [(r["main_file"], os.path.join(CORPUS, "cfg", r["id"])) for r in rows]))
    print(f"{'set':36s} {'cfgvm s':>10s} {'kamailio -c s':>14s} {'ratio':>7s}")
    for name, items in files:
        best = min(sum(ours(p, c) for p, c in items) for _ in range(a.repeat))
        print(f"{name:36s} {best:10.3f} {'-':>14s} {'-':>7s}")
        if not have_k:
            continue
        # each entry in its own folder (Kamailio resolves includes from the cwd), only runs that parsed
        runs = [(p, c, *kamailio(p, c)) for p, c in items]
        parsed = [(p, c, dt) for p, c, dt, ok in runs if ok]
        if not parsed:
            print(f"  {name}: kamailio parsed none of them on this host")
            continue
        k = sum(dt for _, _, dt in parsed)
        mine = min(sum(ours(p, c) for p, c, _ in parsed) for _ in range(a.repeat))
        label = f"  same {len(parsed)} Kamailio parsed fully"
        print(f"{label:36s} {mine:10.3f} {k:14.3f} {mine / k:7.2f}")


if __name__ == "__main__":
    main()
