"""URI tables: RFC 3261 §19.1.3 examples, RFC 5118 IPv6 references, and refusals Kamailio makes."""
import pytest

from cfgvm.sip import parse_uri, SipParseError, OpaqueUri, unescape, escape_user

GOOD = [
    # text, scheme, user, password, host, port, params, headers
    ("sip:alice@atlanta.com", "sip", "alice", None, "atlanta.com", "", "", ""),
    ("sip:alice:secretword@atlanta.com;transport=tcp", "sip", "alice", "secretword", "atlanta.com", "",
     "transport=tcp", ""),
    ("sips:alice@atlanta.com?subject=project%20x&priority=urgent", "sips", "alice", None, "atlanta.com",
     "", "", "subject=project%20x&priority=urgent"),
    ("sip:+1-212-555-1212:1234@gateway.com;user=phone", "sip", "+1-212-555-1212", "1234", "gateway.com",
     "", "user=phone", ""),
    ("sips:1212@gateway.com", "sips", "1212", None, "gateway.com", "", "", ""),
    ("sip:alice@192.0.2.4", "sip", "alice", None, "192.0.2.4", "", "", ""),
    ("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", "sip", "", None, "atlanta.com", "",
     "method=REGISTER", "to=alice%40atlanta.com"),
    ("sip:alice;day=tuesday@atlanta.com", "sip", "alice;day=tuesday", None, "atlanta.com", "", "", ""),
    ("sip:[2001:db8::10]", "sip", "", None, "[2001:db8::10]", "", "", ""),
    ("sip:[2001:db8::10]:5070", "sip", "", None, "[2001:db8::10]", "5070", "", ""),
    ("sip:user@[2001:db8::10:5070]", "sip", "user", None, "[2001:db8::10:5070]", "", "", ""),
    ("sip:user@[::ffff:192.0.2.10];lr", "sip", "user", None, "[::ffff:192.0.2.10]", "", "lr", ""),
    ("tel:+358-555-1234567;postd=pp22", "tel", "+358-555-1234567", None, "", "", "postd=pp22", ""),
]


@pytest.mark.parametrize("text,scheme,user,password,host,port,params,headers", GOOD)
def test_good(text, scheme, user, password, host, port, params, headers):
    u = parse_uri(text)
    assert (u.scheme, u.user, u.password, u.host, u.port, u.params_str, u.headers_str) == \
        (scheme, user, password, host, port, params, headers)
    assert str(u) == text


def test_params():
    u = parse_uri("sip:bob@biloxi.com:5061;transport=TLS;lr;maddr=239.255.255.1;ttl=15;foo=bar")
    assert u.transport == "TLS" and u.lr and u.maddr == "239.255.255.1" and u.ttl == "15"
    assert u.params.get("FOO") == "bar" and u.port_no == 5061


BAD = [
    "<sip:user@example.com>",              # RFC 4475 ltgtruri (Kamailio: 400 Bad Request URI)
    "sip:2001:db8::10",                    # RFC 5118 ipv6-bad
    "soap.beep://192.0.2.103:3002",        # RFC 4475 novelsc: unknown scheme
    "sip:sip:123012345678901@example.com",  # digits after ':' read as a port over 65535
    "sip:@example.com",
    "sip:user@",
    "sip:user@host:99999",
    "sip:user@ho st",
    "sip:user@[2001:db8::1",
]


@pytest.mark.parametrize("text", BAD)
def test_bad(text):
    with pytest.raises(SipParseError):
        parse_uri(text)


def test_opaque_scheme_kept():
    u = parse_uri("soap.beep://192.0.2.103:3002", opaque_ok=True)
    assert isinstance(u, OpaqueUri) and u.scheme == "soap.beep" and str(u) == "soap.beep://192.0.2.103:3002"


def test_escaping():
    # RFC 4475 esc01: %-escapes compare equal after unescaping
    assert unescape("sip%3Auser%40example.com") == "sip:user@example.com"
    assert unescape("%00") == "\x00" and unescape("100%") == "100%"
    assert escape_user("a b@c") == "a%20b%40c"


def test_replace_builds_new_uri():
    u = parse_uri("sip:alice@atlanta.com:5060;transport=udp")
    assert str(u.replace(user="bob")) == "sip:bob@atlanta.com:5060;transport=udp"
    assert str(u.replace(host="[2001:db8::1]", port="")) == "sip:alice@[2001:db8::1];transport=udp"
