"""Every case of cases.py through the cfgvm engine, compared with what real Kamailio 5.6.3 forwarded
(expected.json, recorded by regen_expected.py): destination, request line and every header but Via
(the Via a stateless forward adds and the received/rport/i= of the old one belong to the forwarding
core, tested there)."""
from __future__ import annotations

import json
import os
import re

import pytest

from rr.cases import CASES, cfg_for
from rr.oracle_rr import LISTENS
from rr.regen_expected import EXPECTED

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = {"udp": ("udp", "127.0.0.2", 5070, "127.0.0.1", 5060),
           "tcp": ("tcp", "127.0.0.2", 5070, "127.0.0.1", 5060),
           "udp6": ("udp", "::1", 5070, "::1", 5060)}

with open(EXPECTED, encoding="latin-1") as f:
    EXPECT = json.load(f)

_programs = {}


def program(group):
    if group not in _programs:
        from cfgvm.compiler.program import compile_config
        from cfgvm.parse import parse_string
        from cfgvm.transport.sockets import SocketInfo, SocketTable, parse_listen
        socks = []
        for spec in LISTENS:
            for proto, host, port, ah, ap in parse_listen(spec):
                socks.append(SocketInfo(proto, host, port, ah, ap))
        prog = compile_config(parse_string(cfg_for(group)))[0]
        table = SocketTable(socks)
        prog.sockets = table
        prog.myself = prog.is_myself = table
        _programs[group] = prog
    return _programs[group]


def without_via(text: str) -> str:
    return "\r\n".join(l for l in text.split("\r\n") if not re.match(r"(?i)(via|v)\s*:", l))


def run_case(group, src, raw):
    from cfgvm.drivers.dryrun import DryRun
    from cfgvm.vm.context import ReceiveInfo
    run = DryRun(program(group), trace=False).run(raw, ReceiveInfo(*SOURCES[src]))
    assert run.result.error is None, run.result.error
    return run.result


def _where(a):
    ip, port = a.dst
    return f"{a.proto}:[{ip}]:{port}" if ":" in ip else f"{a.proto}:{ip}:{port}"


@pytest.mark.parametrize("group,name,src,raw", CASES, ids=[c[1] for c in CASES])
def test_forwarded_like_kamailio(group, name, src, raw):
    res = run_case(group, src, raw)
    got = [(_where(a), without_via(a.data.decode("latin-1"))) for a in res.sent]
    want = [(e["to"], without_via(e["data"])) for e in EXPECT[name]]
    assert got == want


@pytest.mark.oracle
@pytest.mark.slow
def test_fixture_is_what_kamailio_forwards_now():
    """Re-record with real Kamailio 5.6.3 (about 10 s, in a netns) and check expected.json still
    holds: the fixture is Kamailio's output, never ours."""
    from oracle.kamailio import kamailio_available
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    from rr.regen_expected import record
    live = record()
    for name, want in EXPECT.items():
        got = live[name]
        assert [(g["to"], without_via(g["data"])) for g in got] == \
            [(w["to"], without_via(w["data"])) for w in want], name
