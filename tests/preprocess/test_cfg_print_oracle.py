"""Oracle: `cfgvm preprocess` (cfg-print mode) equals `kamailio --cfg-print` on every config Kamailio
accepted in ../shared/corpus and on the default config with its WITH_* defines.

Normalisation (both sides): trailing whitespace removed from each line, runs of blank lines collapsed to
one, leading/trailing blank lines dropped. Kamailio runs in the entry's folder (includes resolve from
there) with the entry's defines when index.tsv says the check with defines passed too.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from cfgvm.diagnostics import CfgError
from cfgvm.preprocess import cfg_print_file

pytestmark = pytest.mark.oracle

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
DEFAULT_CFG = "/etc/kamailio/kamailio.cfg"
KAMAILIO = shutil.which("kamailio")


def normalise(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{2,}", "\n\n", text).strip("\n")


def corpus_cases() -> list[tuple[str, str, str, tuple]]:
    """(id, folder, main file, defines) for every entry Kamailio accepted."""
    cases = []
    index = os.path.join(CORPUS, "index.tsv")
    if not os.path.exists(index):
        return cases
    with open(index, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["kamailio_check"] != "ok":
                continue
            folder = os.path.join(CORPUS, "cfg", row["id"])
            cases.append((row["id"], folder, row["main_file"], ()))
            if row["defines_used"] != "-" and row["kamailio_check_defines"] == "ok":
                cases.append((row["id"] + "+defs", folder, row["main_file"], tuple(row["defines_used"].split())))
    return cases


def default_cases() -> list[tuple[str, str, str, tuple]]:
    if not os.path.exists(DEFAULT_CFG):
        return []
    with open(DEFAULT_CFG, encoding="latin-1") as f:
        names = sorted(set(re.findall(r"#!ifn?def\s+(WITH_\w+)", f.read())))
    folder, main = os.path.split(DEFAULT_CFG)
    sets = [()] + [(n,) for n in names] + [tuple(names)]
    return [("default" + ("+" + "+".join(s) if len(s) == 1 else "+ALL" if s else ""), folder, main, s)
            for s in sets]


def kamailio_print(folder: str, main: str, defines: tuple) -> str | None:
    cmd = [KAMAILIO, "--cfg-print", "-f", main]
    for d in defines:
        cmd += ["-A", d]
    try:
        r = subprocess.run(cmd, cwd=folder, capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0 or not r.stdout:
        return None
    return r.stdout.decode("latin-1")


def ours(folder: str, main: str, defines: tuple) -> str:
    try:
        return cfg_print_file(main, {d: None for d in defines}, cwd=folder)
    except CfgError as e:
        return "ERROR " + str(e)


@pytest.mark.skipif(KAMAILIO is None, reason="kamailio is not installed (needed as the oracle)")
def test_cfg_print_equals_kamailio():
    cases = corpus_cases() + default_cases()
    assert cases, "no corpus entries found"
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        theirs = list(pool.map(lambda c: kamailio_print(c[1], c[2], c[3]), cases))
    compared, differ = 0, []
    for (cid, folder, main, defines), their in zip(cases, theirs):
        if their is None:
            continue
        compared += 1
        if normalise(ours(folder, main, defines)) != normalise(their):
            differ.append(cid)
    print(f"\npreprocess oracle: {compared - len(differ)} equal of {compared} compared "
          f"({len(cases)} cases, {len(cases) - compared} without kamailio output)")
    assert compared > 0
    assert not differ, f"cfg-print differs from kamailio on: {differ}"
