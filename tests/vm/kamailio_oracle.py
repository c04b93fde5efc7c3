"""Run xlog lines at Kamailio start-up (event_route[htable:mod-init]) and collect what they print.

Only loopback is used and no SIP message is involved: the server logs and is stopped by its PID.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from support.netns import read_text, stop, wait_for  # noqa: E402

KAMAILIO = shutil.which("kamailio")
MODULES = ("pv", "xlog", "htable", "textops", "corex")


def cfg_quote(s: str) -> str:
    """A cfg double-quoted string literal whose value is s."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\r", "\\r").replace("\t", "\\t") + '"'


def build_cfg(lines: list[str]) -> str:
    body = "\n".join("    " + ln for ln in lines)
    mods = "\n".join(f'loadmodule "{m}.so"' for m in MODULES)
    return f"""#!KAMAILIO
debug=2
log_stderror=yes
{mods}
modparam("htable", "htable", "t=>size=4")
event_route[htable:mod-init] {{
{body}
    xlog("L_NOTICE", "ORACLE-DONE\\n");
}}
request_route {{ drop; }}
"""


def run_lines(lines: list[str], timeout: float = 20.0) -> str:
    """Start Kamailio with these statements in the mod-init route; return its stderr text."""
    with tempfile.TemporaryDirectory(prefix="cfgvm-oracle-") as d:
        cfg = os.path.join(d, "oracle.cfg")
        with open(cfg, "wb") as f:
            f.write(build_cfg(lines).encode("latin-1"))
        log_path = os.path.join(d, "log")
        port = 20000 + os.getpid() % 20000
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([KAMAILIO, "-DD", "-E", "-f", cfg, "-l", f"udp:127.0.0.1:{port}",
                                     "-n", "1", "-Y", d, "-m", "64", "-M", "8"],
                                    stdout=log, stderr=log, env={**os.environ, "TZ": "UTC"},
                                    start_new_session=True)
        try:
            wait_for(lambda: proc.poll() is not None or "ORACLE-DONE" in read_text(log_path), timeout, 0.1)
        finally:
            stop(proc, 5.0)
        return read_text(log_path)


def collect(text: str) -> dict[int, str]:
    """{case number: printed value} from lines 'C<n>|value|E<n>' (values may span lines)."""
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"C(\d+)\|(.*?)\|E\1\n", text, re.S)}
