"""Let real `kamailio -c` reach a corpus entry's grammar: for entries where Kamailio stopped early on
something this host lacks (a module, a module path, a listen host), copy the entry's folder and
comment those statements out, then ask Kamailio again. Used by test_accept_soft_oracle.py; run
directly (`python tests/corpus/kamailio_reach.py ID...`) it prints each entry's verdict.

Only whole statements (loadmodule, loadpath/mpath, modparam, listen, advertised_address, rundir) are
commented out, so lines stay put and file:line still match the original; one that Kamailio names as
its stop point is commented out on the next round (never any other line)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from support.netns import Netns as FreshNetns, netns_reason  # noqa: E402

MODDIR = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
MAX_ROUNDS = 25
# a module this host lacks makes its functions and PVs unknown: Kamailio reports that and parses on
SEMANTIC = ("Can't get from cache", "failed to find command", "unknown command", "missing loadmodule")
LOCATED = re.compile(r"(?:CRITICAL|ERROR).*?config file (\S+?), line (\d+)(?:, column [\d-]+)?: (.*)")
STATEMENT = re.compile(r"^[ \t]*(loadmodule|loadpath|mpath|modparam|listen|advertised_address|runtime_dir|rundir)\b")
LOADMODULE = re.compile(r'^([ \t]*loadmodulex?[ \t]*)"([^"]*)"')
MODPARAM = re.compile(r'^[ \t]*modparam[ \t]*\([ \t]*"([^"]*)"')


def have_module(name: str) -> bool:
    name = os.path.basename(name)
    name = name[:-3] if name.endswith(".so") else name
    return os.path.isfile(os.path.join(MODDIR, name + ".so"))


def _statement_end(lines: list[str], i: int) -> int:
    """Index of the last line of the statement starting at line i (parentheses balanced, outside strings)."""
    depth, seen = 0, False
    for j in range(i, min(i + 40, len(lines))):
        for s in re.sub(r'"(?:[^"\\]|\\.)*"', "", lines[j]):
            if s == "(":
                depth, seen = depth + 1, True
            elif s == ")":
                depth -= 1
        if not seen or depth <= 0:
            return j
    return i


def comment_out(lines: list[str], i: int) -> None:
    for j in range(i, _statement_end(lines, i) + 1):
        lines[j] = "#" + lines[j]


def strip_file(path: str) -> int:
    """Comment out/rewrite what this host lacks; returns the number of statements changed."""
    with open(path, encoding="latin-1") as f:
        lines = f.read().split("\n")
    n = 0
    for i, line in enumerate(lines):
        m = STATEMENT.match(line)
        if not m:
            continue
        kw = m.group(1)
        lm = LOADMODULE.match(line)
        if lm:
            if have_module(lm.group(2)):   # module exists here: load it from the default path
                base = os.path.basename(lm.group(2))
                base = base if base.endswith(".so") else base + ".so"
                lines[i] = lm.group(1) + '"' + base + '"' + line[lm.end():]
            else:
                comment_out(lines, i)
            n += 1
        elif kw == "modparam":
            mp = MODPARAM.match(line)
            if mp and not any(have_module(x) for x in mp.group(1).split("|")):
                comment_out(lines, i)
                n += 1
        elif kw in ("loadpath", "mpath", "listen", "advertised_address", "runtime_dir", "rundir"):
            comment_out(lines, i)
            n += 1
    with open(path, "w", encoding="latin-1") as f:
        f.write("\n".join(lines))
    return n


class Netns:
    """A fresh network namespace with only loopback when one can be made (root), so no name lookup
    leaves the host; without one, kamailio -c runs in this namespace."""

    def __init__(self):
        self.ns = None
        if not netns_reason():
            try:
                self.ns = FreshNetns("cfgvmreach").__enter__()
            except subprocess.CalledProcessError:
                pass

    def prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.ns.name] if self.ns else []

    def close(self):
        if self.ns:
            self.ns.delete()
            self.ns = None


def kamailio_errors(folder: str, main: str, netns: Netns | None = None) -> tuple[bool, list, str]:
    """-> (accepted, [(file, line, message)] located errors in order, line-less error text)."""
    p = subprocess.run((netns.prefix() if netns else []) + ["kamailio", "-c", "-f", main],
                       cwd=folder, capture_output=True, text=True, timeout=60, errors="replace")
    out = p.stdout + p.stderr
    located = [(os.path.basename(m.group(1)), int(m.group(2)), m.group(3))
               for m in map(LOCATED.search, out.splitlines()) if m]
    other = [ln for ln in out.splitlines() if "pp_ifdef_level_error" in ln] or \
            [ln for ln in out.splitlines() if "ERROR" in ln or "CRIT" in ln] or [out[-300:]]
    aborted = "(parsing code: 1)" in out       # yyparse gave up: lines after its last error unchecked
    return p.returncode == 0 and "config file ok" in out, located, other[0] + (" [aborted]" if aborted else "")


def reach(src_folder: str, main: str, work: str, netns: Netns | None = None):
    """Copy src_folder to work, strip, and re-run Kamailio until it stops on something that is not
    the environment. Returns (verdict, file, line, message, rounds): "ok"; "syntax", Kamailio's first
    grammar error (it parses on after a failed module or an unknown function/PV, so one run shows
    them all); "count", "different number of preprocessor directives" (line-less, checked after the
    whole parse); "semantic", only unknown functions/PVs of modules this host lacks (the grammar was
    accepted); "aborted", the same but yyparse gave up at that line (later lines unchecked); "stop",
    an environment stop it could not take away; "other", any other line-less error."""
    shutil.copytree(src_folder, work)
    for root, _, files in os.walk(work):
        for fn in files:
            strip_file(os.path.join(root, fn))
    for rounds in range(1, MAX_ROUNDS + 1):
        ok, located, other = kamailio_errors(work, main, netns)
        if ok:
            return "ok", None, None, "", rounds
        changed = False
        for fname, line, msg in located:
            if any(s in msg for s in SEMANTIC):
                continue
            path = _find(work, fname)
            with open(path, encoding="latin-1") as f:
                lines = f.read().split("\n")
            if not STATEMENT.match(lines[line - 1]):
                return "syntax", fname, line, msg, rounds
            comment_out(lines, line - 1)       # a module/listen statement this host cannot honour
            with open(path, "w", encoding="latin-1") as f:
                f.write("\n".join(lines))
            changed = True
            break
        if not changed:
            semantic = [x for x in located if any(s in x[2] for s in SEMANTIC)]
            if semantic and other.endswith("[aborted]"):   # the rest (and its #!endif) never scanned
                return ("aborted",) + semantic[-1] + (rounds,)
            if "different number of preprocessor directives" in other:
                return "count", None, None, other, rounds
            if semantic:   # unknown functions/PVs only (modules this host lacks): no grammar error
                return ("semantic",) + semantic[-1] + (rounds,)
            return "other", None, None, other, rounds
    return "stop", None, None, "too many rounds", MAX_ROUNDS


def _find(work: str, basename: str) -> str:
    for root, _, files in os.walk(work):
        if basename in files:
            return os.path.join(root, basename)
    raise FileNotFoundError(basename)


if __name__ == "__main__":
    import csv
    import tempfile
    corpus = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")
    rows = {r["id"]: r for r in csv.DictReader(open(os.path.join(corpus, "index.tsv")), delimiter="\t")}
    ns = Netns()
    try:
        for id_ in sys.argv[1:]:
            with tempfile.TemporaryDirectory() as tmp:
                r = reach(os.path.join(corpus, "cfg", id_), rows[id_]["main_file"], os.path.join(tmp, id_), ns)
                print(id_, *r)
    finally:
        ns.close()
