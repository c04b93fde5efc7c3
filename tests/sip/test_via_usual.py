"""The usual-Via shortcut (via._USUAL_VIA_RE) gives the ViaBody the general steps give, field by field,
for every Via of the SIP corpus and for edge shapes near the shortcut's limits."""
import pytest

from cfgvm.sip import Message, SipParseError
from cfgvm.sip import via as V
from .conftest import message_files

FIELDS = ("raw", "start", "end", "params_end", "name", "version", "transport", "host", "port",
          "params_str", "comment")


def general(body):
    """parse_via without the shortcut: split on commas, _parse_one per via-parm."""
    out, pos = [], 0
    for part in V.split_unquoted(body, ","):
        if not part.strip(" \t\r\n"):
            raise SipParseError("Via", "empty via value (stray comma)")
        out.append(V._parse_one(part, pos))
        pos += len(part) + 1
    return out


def same(body):
    try:
        want = general(body)
    except SipParseError:
        with pytest.raises(SipParseError):
            V.parse_via(body)
        return
    got = V.parse_via(body)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS], body
        assert list(a.params) == list(b.params), body


def corpus_vias():
    out = set()
    for p in message_files():
        try:
            m = Message.parse(p.read_bytes(), lenient=True)
        except SipParseError:
            continue
        out.update(h.body for h in m.headers("via"))
    return sorted(out)


def test_corpus_vias_same_as_general_steps():
    vias = corpus_vias()
    assert len(vias) > 100
    for body in vias:
        same(body)


@pytest.mark.parametrize("body", [
    "SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1;rport",
    "SIP/2.0/UDP host", "SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKx",
    "SIP/2.0/UDP h:65535;branch=z", "SIP/2.0/UDP h:65536;branch=z", "SIP/2.0/UDP h:99999",
    "SIP/2.0/UDP h:;branch=z", "SIP/2.0/UDP h;branch=", "SIP/2.0/UDP h;;branch=z",
    "SIP/2.0/UDP h;branch=z;", "sip/2.0/udp h", "SIP/2.0/UDP  h", "SIP/2.0/UDP h ;rport",
    "SIP/2.0/UDP h;received=1.2.3.4;rport=5", "SIP/2.0/WSS h.example;alias;i=3",
    "SIP/2.0/UDP h;a=b c", "SIP/2.0/UDP h (comment)", "SIP/3.0/UDP h", "SIP/2.0/UDP h;x=\"q\"",
])
def test_edge_shapes_same_as_general_steps(body):
    same(body)
