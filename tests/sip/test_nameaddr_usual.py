"""The usual-name-addr shortcut (nameaddr._USUAL_NA_RE) gives the NameAddr the general steps give,
field by field, for every From/To/Contact/Route/Record-Route value of the SIP corpus and edge shapes."""
import re

import pytest

from cfgvm.sip import Message, SipParseError
from cfgvm.sip import nameaddr as N
from .conftest import message_files

FIELDS = ("raw", "display", "uri_str", "params_str", "start", "end", "uri_start", "uri_end", "angle")
NEVER = re.compile(r"(?!)")


def both(text, monkeypatch):
    def run():
        try:
            na = N.parse_nameaddr(text, base=7)
        except SipParseError:
            return "error"
        return [getattr(na, f) for f in FIELDS] + [list(na.params)]
    got = run()
    with monkeypatch.context() as mp:
        mp.setattr(N, "_USUAL_NA_RE", NEVER)
        want = run()
    return got, want


def corpus_values():
    out = set()
    for p in message_files():
        try:
            m = Message.parse(p.read_bytes(), lenient=True)
        except SipParseError:
            continue
        for name in ("from", "to", "contact", "route", "record-route"):
            for h in m.headers(name):
                out.update(v for v in N.split_unquoted(h.body, ",") if v.strip())
    return sorted(out)


def test_corpus_values_same_as_general_steps(monkeypatch):
    values = corpus_values()
    assert len(values) > 100
    for text in values:
        got, want = both(text, monkeypatch)
        assert got == want, text


@pytest.mark.parametrize("text", [
    '"Alice" <sip:alice@127.0.0.2>;tag=f-1', '<sip:bob@127.0.0.1>', '"A"<sip:a@h>', '"" <sip:a@h>',
    '<sip:a@h>;tag=', '<sip:a@h>;', '<sip:a@h>;;tag=x', '<sip:a@h> ;tag=x', '"A \\"q\\"" <sip:a@h>',
    'Alice <sip:a@h>', '<sip:a@h>;lr;tag=1;x=y', '<sip:a@h>;x=a b', '<sip:a@h>;x="q"', 'sip:a@h;tag=1',
    '"A"  <sip:a@h>', '<sip:a@h>;expires=3600;q=0.5', '<tel:+123>;tag=9', '<sip:a@h>;x=(c)',
])
def test_edge_shapes_same_as_general_steps(text, monkeypatch):
    got, want = both(text, monkeypatch)
    assert got == want
