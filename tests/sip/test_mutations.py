"""Random mutations of corpus messages never raise anything but SipParseError.

Default: a moderate number of examples; CFGVM_HYPOTHESIS_EXAMPLES=100000 runs the long campaign."""
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cfgvm.sip import Message, SipParseError
from cfgvm.sip.probe import verdict
from cfgvm.sip.reply import build_reply
from cfgvm.sip.forward import stateless_branch
from .conftest import message_files

SEEDS = [p.read_bytes() for p in message_files()]
N = int(os.environ.get("CFGVM_HYPOTHESIS_EXAMPLES", "1500"))
INTERESTING = b"\r\n \t:;,<>\"@[]=/%\x00\\"


@st.composite
def mutated(draw):
    buf = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.integers(0, 4))
        i = draw(st.integers(0, max(0, len(buf) - 1)))
        if op == 0 and buf:                       # flip to an interesting byte
            buf[i] = draw(st.sampled_from(INTERESTING))
        elif op == 1:                             # insert
            buf[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == 2 and buf:                     # delete a span
            del buf[i:i + draw(st.integers(1, 40))]
        elif op == 3 and buf:                     # random byte
            buf[i] = draw(st.integers(0, 255))
        else:                                     # duplicate a span
            j = draw(st.integers(i, min(len(buf), i + 60)))
            buf[i:i] = buf[i:j]
    return bytes(buf)


def _use(raw):
    try:
        m = Message.parse(raw, lenient=True)
    except SipParseError:
        return
    for h in m.headers():
        try:
            h.parsed
        except SipParseError:
            pass
    for f in (lambda: m.ruri, m.sdp, lambda: m.to_bytes(),
              lambda: build_reply(m, 200, "OK", src_ip="127.0.0.1", src_port=5060),
              lambda: stateless_branch(m)):
        try:
            f()
        except SipParseError:
            pass
        except ValueError as e:
            # only where the API documents it (replying to a reply), never from parsing
            if type(e) is not ValueError or "cannot reply to a reply" not in str(e):
                raise
    verdict(raw)


@pytest.mark.skipif(not SEEDS, reason="../shared/sip-corpus not available")
@settings(max_examples=N, deadline=None, derandomize=N <= 5000,
          suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutations_only_raise_sip_parse_error(raw):
    _use(raw)
