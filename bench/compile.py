"""Preprocess+parse time for the default config and the whole corpus, beside `kamailio -c` wall time
on the same files (kamailio columns skipped when it is absent). Prints figures; asserts nothing.

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
    t = time.perf_counter()
    subprocess.run(["kamailio", "-c", "-f", path], cwd=cwd, capture_output=True, timeout=60)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    t = time.perf_counter()
    get_parser()
    print(f"parser tables built once per process: {time.perf_counter() - t:.3f} s")
    have_k = shutil.which("kamailio") is not None
    files = []
    if os.path.isfile(DEFAULT_CFG):
        files.append(("default cfg", [(DEFAULT_CFG, "/")]))
    if os.path.isfile(os.path.join(CORPUS, "index.tsv")):
        with open(os.path.join(CORPUS, "index.tsv"), newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        files.append((f"corpus ({len(rows)} entries)",
                      [(r["main_file"], os.path.join(CORPUS, "cfg", r["id"])) for r in rows]))
    print(f"{'set':28s} {'cfgvm s':>10s} {'kamailio -c s':>14s} {'ratio':>7s}")
    for name, items in files:
        best = min(sum(ours(p, c) for p, c in items) for _ in range(a.repeat))
        if have_k:
            k = sum(kamailio(p, c) for p, c in items)
            print(f"{name:28s} {best:10.3f} {k:14.3f} {best / k:7.2f}")
        else:
            print(f"{name:28s} {best:10.3f} {'-':>14s} {'-':>7s}")


if __name__ == "__main__":
    main()
