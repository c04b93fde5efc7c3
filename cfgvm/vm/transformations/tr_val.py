"""`val` transformations (registered by the pv module since 5.8, NOT in 5.6.3: check_call reports it)."""
from __future__ import annotations

import json

from cfgvm.vm.transformations import TrDef


def _json_escape(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)[1:-1]


def _json(v):
    if v is None:
        return ""
    return v if isinstance(v, int) else _json_escape(v)


def _jsonqe(v):
    if v is None:
        return '""'
    if isinstance(v, int):
        return v
    e = _json_escape(v)
    return v if e == v else '"' + e + '"'


TABLE = {
    "n0": TrDef((), lambda v: 0 if v is None else v, since="5.8"),
    "ne": TrDef((), lambda v: "" if v is None else v, since="5.8"),
    "json": TrDef((), _json, since="5.8"),
    "jsonqe": TrDef((), _jsonqe, since="5.8"),
}
