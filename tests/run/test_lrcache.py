"""The parser's LALR tables cached on disk (grammar/lrcache.py): written once, loaded after, never
read from a stale, broken or foreign file."""
import os

from cfgvm.grammar import lrcache
from cfgvm.grammar.parser import CfgParser

def _pickle(tmp_path):
    d = tmp_path / "cfgvm"
    return [p for p in os.listdir(d) if p.endswith(".pickle")] if d.exists() else []


def test_tables_written_once_then_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    CfgParser()
    files = _pickle(tmp_path)
    assert files == [f"cfg-parser-{lrcache.grammar_digest()}.pickle"]
    mtime = os.stat(tmp_path / "cfgvm" / files[0]).st_mtime_ns
    CfgParser()
    assert os.stat(tmp_path / "cfgvm" / files[0]).st_mtime_ns == mtime      # read, not rewritten
    assert not [p for p in os.listdir(tmp_path / "cfgvm") if p.endswith(".tmp")]


def test_broken_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "cfgvm").mkdir(mode=0o700)
    path = tmp_path / "cfgvm" / f"cfg-parser-{lrcache.grammar_digest()}.pickle"
    path.write_bytes(b"\x80\x04truncated")
    p = CfgParser()
    assert p.yacc is not None
    assert path.stat().st_size > 1000


def test_directory_writable_by_others_is_not_used(tmp_path, monkeypatch):
    d = tmp_path / "cfgvm"
    d.mkdir()
    os.chmod(d, 0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lrcache.cache_dir() != str(d)
