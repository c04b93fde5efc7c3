"""sanity.check(): a mask runs its checks in Kamailio's order and stops at the first failing one
(sanity_mod.c check_sanity(): one `if (flags & X && check_x(msg) != SANITY_CHECK_PASSED)` after
the other), whatever pairs the implementation runs together; flags out of range are refused; the
parses it makes are the message's cached ones. What each single check answers is pinned against
real Kamailio by test_verdicts.py and tests/oracle/test_sanity_dryrun.py."""
import pytest

from cfgvm.sip import sanity as S
from cfgvm.sip.errors import SipParseError
from cfgvm.sip.message import Message
from .conftest import message_files

BITS = [bit for bit, _ in S._ORDER]
MASKS = [17895, S.DEFAULT_CHECKS, S.MAX_CHECKS - 1, S.RURI_SIP_VERSION | S.RURI_SCHEME,
         S.CSEQ_METHOD | S.CSEQ_VALUE, S.REQUIRED_HEADERS | S.VIA1_HEADER | S.CONTENT_LENGTH,
         S.CONTENT_LENGTH | S.EXPIRES_VALUE | S.PARSE_URIS]
URI_CHECKS = [S.DEFAULT_URI_CHECKS, 15, S.URI_CONTACT | S.URI_TO]

INVITE = (b"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1\r\n"
          b"From: \"Alice\" <sip:alice@127.0.0.2>;tag=f-1\r\nTo: <sip:bob@127.0.0.1>\r\n"
          b"Call-ID: 1@127.0.0.2\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
# one message per check the mask 17895 runs, each failing only there (R-URI ... parse_uris)
BROKEN = [
    INVITE.replace(b" SIP/2.0\r\nVia", b" SIP/3.0\r\nVia"),
    INVITE.replace(b"sip:bob@127.0.0.1 SIP", b"sip:bob@:99999 SIP"),
    INVITE.replace(b"Call-ID: 1@127.0.0.2\r\n", b""),
    INVITE.replace(b"SIP/2.0/UDP 127.0.0.2:5070", b"SIP/2.0/UDP :5070"),
    INVITE.replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"),
    INVITE.replace(b"CSeq: 1 INVITE", b"CSeq: 99999999999 INVITE"),
    INVITE.replace(b"Content-Length: 0", b"Content-Length: 4"),
    INVITE.replace(b"Max-Forwards: 70", b"Expires: 0x10"),
    INVITE.replace(b"To: <sip:bob@127.0.0.1>", b"To: <http://example.com/bob>"),
]


def _parse(buf):
    try:
        return Message.parse(buf, lenient=True)
    except SipParseError:
        return None


def _outcome(failure):
    return None if failure is None else (failure.bit, failure.code, failure.reason, failure.headers)


def _first_single_failure(buf, mask, uri_checks, proxy_require):
    """What the checks of mask give when each runs alone (on a fresh message), in order."""
    for bit in BITS:
        if mask & bit:
            f = S.check(_parse(buf), bit, uri_checks, proxy_require)
            if f is not None:
                return _outcome(f)
    return None


def _cases():
    bufs = [p.read_bytes() for p in message_files()] + BROKEN
    return [b for b in bufs if _parse(b) is not None]


def test_broken_messages_fail_where_intended():
    got = [_outcome(S.check(_parse(b), 17895, 7))[0] for b in BROKEN]
    assert got == [S.RURI_SIP_VERSION, S.RURI_SCHEME, S.REQUIRED_HEADERS, S.VIA1_HEADER,
                   S.CSEQ_METHOD, S.CSEQ_VALUE, S.CONTENT_LENGTH, S.EXPIRES_VALUE, S.PARSE_URIS]
    assert S.check(_parse(INVITE), 17895, 7) is None


@pytest.mark.parametrize("mask", MASKS)
def test_mask_fails_with_its_first_failing_check(mask):
    cases = _cases()
    assert len(cases) > len(BROKEN)
    for buf in cases:
        for uri_checks in URI_CHECKS if mask & S.PARSE_URIS else [S.DEFAULT_URI_CHECKS]:
            for proxy_require in [(), ("foo",)] if mask & S.PROXY_REQUIRE else [()]:
                want = _first_single_failure(buf, mask, uri_checks, proxy_require)
                got = _outcome(S.check(_parse(buf), mask, uri_checks, proxy_require))
                assert got == want, (buf[:60], mask, uri_checks)


@pytest.mark.parametrize("msg_checks,uri_checks", [(0, 7), (S.MAX_CHECKS, 7), (-1, 7), (1, 0),
                                                   (1, 16), (1, 17), (1, -15)])
def test_flags_out_of_range_are_refused(msg_checks, uri_checks):
    S.check(_parse(INVITE), 2, 1)           # a valid pair listed first must not answer for these
    with pytest.raises(ValueError):
        S.check(_parse(INVITE), msg_checks, uri_checks)


def test_parses_are_the_message_cached_ones():
    msg = _parse(INVITE)
    assert S.check(msg, 17895, 7) is None
    # the $fU / $tU / $rU reads after sanity_check() find the URIs already parsed
    assert msg.from_._uri is not None
    assert msg.to._uri is not None
    assert msg._ruri is not None
    assert msg.from_.uri.user == "alice" and msg.to.uri.user == "bob"
    assert msg.cseq.number == "1" and msg.content_length == 0
