"""Record what real Kamailio 5.6.3 forwards for every case of cases.py into expected.json.

    cd tests && ../.venv/bin/python -m rr.regen_expected      (needs root, kamailio, ip netns)
"""
from __future__ import annotations

import json
import os
import re

from rr.cases import CASES, GROUPS, cfg_for
from rr.oracle_rr import run_forwarding

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected.json")


def call_id(data: bytes) -> str:
    m = re.search(rb"(?im)^call-id:[ \t]*(\S+)", data)
    return m.group(1).decode("latin-1") if m else ""


def record(groups=None) -> dict:
    out = {}
    for group in groups or GROUPS:
        cases = [c for c in CASES if c[0] == group]
        got = run_forwarding(cfg_for(group), [(src, raw) for _, _, src, raw in cases])
        by_cid = {}
        for proto, data in got:
            by_cid.setdefault(call_id(data), []).append((proto, data.decode("latin-1")))
        for _, name, _, raw in cases:
            out[name] = [{"to": p, "data": d} for p, d in by_cid.get(call_id(raw), [])]
    return out


if __name__ == "__main__":
    data = record()
    with open(EXPECTED, "w", encoding="latin-1") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    print(f"{len(data)} cases, {sum(1 for v in data.values() if v)} forwarded -> {EXPECTED}")
