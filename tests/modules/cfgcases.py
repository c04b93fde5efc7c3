"""Route-snippet cases run the same way through real Kamailio 5.6.3 (recorded once into a JSON
fixture) and through cfgvm's dry-run, for module functions that change or inspect a message.

Each case is a piece of request_route (or reply_route) code; in it `@@` stands for the case's log
prefix, e.g. `xnotice("@@$rc\\n");`. Every case gets its own copy of the message with an `X-Case:
NAME` header added last, and ends with `forward(127.0.0.2:5070)` so that the changed message comes
back to the test side. The fixture keeps, per case, the logged lines and the forwarded message without
the Via Kamailio added. Regenerate a fixture with `python tests/modules/cfgcases.py MODULE` (needs root
and kamailio; see record()).
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = ("127.0.0.2", 5070)
LISTEN = ("127.0.0.1", 5060)

HEAD = """#!KAMAILIO
debug=1
log_stderror=yes
children=1
disable_tcp=yes
auto_aliases=no
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "textopsx.so"
loadmodule "siputils.so"
loadmodule "sl.so"
loadmodule "kex.so"
loadmodule "corex.so"
%s
request_route {
%s
}
reply_route {
%s
}
"""


def rc(call: str) -> str:
    """A case that logs the function's return code ($rc) after the call."""
    return call + ' xnotice("@@$rc\\n");'


def check(want: dict, got: dict) -> None:
    """A case's dry-run outcome equals Kamailio's: no error, the same log lines, the same message out."""
    assert got["error"] is None, got["error"]
    assert got["log"] == want["log"]
    assert got["out"] == want["out"]


def build_cfg(cases: dict[str, str], extra: str = "", reply: bool = False) -> str:
    blocks = []
    for name, code in cases.items():
        code = code.replace("@@", f"OUT|{name}|")
        tail = "" if reply else 'forward("127.0.0.2", 5070);\n'
        end = "return;" if reply else "exit;"
        blocks.append(f'if ($hdr(X-Case) == "{name}") {{\n{code}\n{tail}xnotice("OUT|{name}|END\\n"); {end}\n}}')
    body = "\n".join(blocks)
    return HEAD % (extra, "drop;" if reply else body, body if reply else "return;")


def messages(cases, msg: str) -> list[bytes]:
    out = []
    m = msg.replace("\r\n", "\n").replace("\n", "\r\n")
    i = m.index("\r\n\r\n")
    for name in cases:
        out.append((m[:i + 2] + f"X-Case: {name}\r\n" + m[i + 2:]).encode("latin-1"))
    return out


def _strip_top_via(data: str) -> str:
    first, _, rest = data.partition("\r\n")
    return first + "\r\n" + rest.partition("\r\n")[2]


def record(cases, msg, path, extra="", reply=False):
    """Run the cases through real Kamailio and write the fixture (in a reply route the core forwards
    the reply itself: the message must carry a Via to Kamailio and one back to SOURCE)."""
    sys.path.insert(0, os.path.dirname(HERE))
    from oracle.kamailio import run_kamailio
    cfg = build_cfg(cases, extra, reply)
    last = list(cases)[-1]
    run = run_kamailio(cfg, messages(cases, msg), until=f"OUT|{last}|END", reply_wait=0.3,
                       expect_replies=1)
    got = iter(run.replies)
    lines = run.log_text.splitlines()
    out = {}
    for name in cases:
        log = [ln[ln.index("OUT|") + 4:] for ln in lines if f"OUT|{name}|" in ln]
        data = next(got).decode("latin-1")
        out[name] = {"log": log, "out": data if reply else _strip_top_via(data)}
    with open(path, "w", encoding="latin-1") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    return out


def load(path):
    with open(path, encoding="latin-1") as f:
        return json.load(f)


def dryrun(cases, msg, extra="", reply=False, tmpdir=None):
    """The same cases through cfgvm: {name: {"log": [...], "out": str | None, "error": ...}}."""
    sys.path.insert(0, os.path.dirname(HERE))
    from support.dryrun import compile_text, run_message
    program = compile_text(build_cfg(cases, extra, reply), tmpdir=tmpdir)
    out = {}
    for name, raw in zip(cases, messages(cases, msg)):
        res = run_message(program, raw, ("udp",) + SOURCE, ("udp",) + LISTEN)
        log = [r.text[r.text.index("OUT|") + 4:].rstrip("\n") for r in res.logs if "OUT|" in r.text]
        sent = [a.data.decode("latin-1") for a in res.sent]
        data = sent[0] if sent else None
        if data is not None and not reply:
            data = _strip_top_via(data)
        out[name] = {"log": log, "out": data, "error": res.error}
    return out


if __name__ == "__main__":
    import importlib
    sys.path.insert(0, os.path.dirname(HERE))
    mod = importlib.import_module(f"modules.test_{sys.argv[1]}")
    mod.regenerate()
