"""The LALR tables of the config parser, cached on disk: PLY needs ~2 s of CPU to build them, which
was most of `cfgvm run`'s start-up; loading the pickle takes a few milliseconds.

Where: $XDG_CACHE_HOME/cfgvm, else ~/.cache/cfgvm, else a per-user directory in the temp dir (mode
0700, ours, or it is not used). The file name carries a hash of grammar/*.py and PLY's version, so an
edited grammar never meets stale tables (PLY also checks its own grammar signature on load). A
table is written to a private temp file then renamed, so concurrent start-ups never read half a
file; any failure to read or write falls back to building in memory.
"""
from __future__ import annotations

import glob
import hashlib
import os
import tempfile

import ply
import ply.yacc

HERE = os.path.dirname(os.path.abspath(__file__))


def grammar_digest() -> str:
    h = hashlib.sha256(ply.__version__.encode())
    for path in sorted(glob.glob(os.path.join(HERE, "*.py"))):
        with open(path, "rb") as f:
            h.update(os.path.basename(path).encode() + b"\0" + f.read())
    return h.hexdigest()[:20]


def _usable(path: str) -> bool:
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
    except OSError:
        return False
    # a cache another user could write into would let them feed us a pickle: refuse it
    return st.st_uid == os.getuid() and not st.st_mode & 0o022 and os.access(path, os.W_OK)


def cache_dir() -> str | None:
    xdg = os.environ.get("XDG_CACHE_HOME")
    home = os.path.expanduser("~")
    candidates = [os.path.join(xdg, "cfgvm")] if xdg else []
    if home and home != "~":
        candidates.append(os.path.join(home, ".cache", "cfgvm"))
    candidates.append(os.path.join(tempfile.gettempdir(), f"cfgvm-cache-{os.getuid()}"))
    for c in candidates:
        if _usable(c):
            return c
    return None


def build(module, **kw):
    """ply.yacc.yacc(module=module, **kw) with the tables cached (write_tables is ignored)."""
    kw.pop("write_tables", None)
    where = cache_dir()
    if where is None:
        return ply.yacc.yacc(module=module, write_tables=False, **kw)
    path = os.path.join(where, f"cfg-parser-{grammar_digest()}.pickle")
    if os.path.exists(path):
        try:
            return ply.yacc.yacc(module=module, write_tables=False, picklefile=path, **kw)
        except Exception:          # truncated or foreign file: rebuild below
            pass
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        parser = ply.yacc.yacc(module=module, write_tables=False, picklefile=tmp, **kw)
        if os.path.exists(tmp):
            os.replace(tmp, path)
        return parser
    except OSError:
        return ply.yacc.yacc(module=module, write_tables=False, **kw)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
