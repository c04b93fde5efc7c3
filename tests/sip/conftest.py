import os
import pathlib

import pytest

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "sip-corpus"
FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def message_files():
    """Every single-message file of the SIP corpus (pcaps and multi-message streams excluded)."""
    if not CORPUS.is_dir():
        return []
    out = []
    for p in sorted(CORPUS.rglob("*")):
        rel = p.relative_to(CORPUS).as_posix()
        if p.is_file() and not rel.startswith(("pcap/", "php-sip/stream/")) and \
                p.name not in ("README.md", "SHA256SUMS", ".gitattributes"):
            out.append(p)
    return out


def read(rel):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path.read_bytes()
