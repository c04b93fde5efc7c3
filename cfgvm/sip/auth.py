"""Authorization / Proxy-Authorization credentials and WWW-/Proxy-Authenticate challenges
(RFC 3261 §20.7, §22.4; RFC 2617 digest fields), with Kamailio's digest checks (check_dig_cred).

credentials = scheme LWS auth-param *( COMMA auth-param ); auth-param = name "=" ( token / quoted )
"""
from .errors import SipParseError
from .params import split_unquoted

_WS = " \t\r\n"


class Credentials:
    """scheme (as written) and params (lower-case name -> unquoted value), in order in .items."""
    __slots__ = ("scheme", "items", "params")

    def __init__(self, scheme, items):
        self.scheme = scheme
        self.items = items
        self.params = {k.lower(): v for k, v in items}

    @property
    def is_digest(self):
        return self.scheme.lower() == "digest"

    def __getattr__(self, name):
        # username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc
        if name in ("username", "realm", "nonce", "uri", "response", "algorithm", "cnonce",
                    "opaque", "qop", "nc", "stale", "domain"):
            return self.params.get(name)
        raise AttributeError(name)

    @property
    def user(self):
        """$au: username without a '@domain' part."""
        u = self.params.get("username") or ""
        return u.split("@", 1)[0]

    @property
    def domain(self):
        """$ad: the domain part of username, or the realm."""
        u = self.params.get("username") or ""
        return u.split("@", 1)[1] if "@" in u else (self.params.get("realm") or "")


def _parse(body, where):
    t = body.strip(_WS)
    sp = 0
    while sp < len(t) and t[sp] not in _WS:
        sp += 1
    scheme, rest = t[:sp], t[sp:].strip(_WS)
    if not scheme:
        raise SipParseError(where, "missing scheme")
    items = []
    if rest:
        for part in split_unquoted(rest, ","):
            part = part.strip(_WS)
            if not part:
                raise SipParseError(where, "empty auth-param")
            name, eq, value = part.partition("=")
            name, value = name.strip(_WS), value.strip(_WS)
            if not eq or not name:
                raise SipParseError(where, f"bad auth-param {part[:30]!r}")
            if value.startswith('"'):
                if len(value) < 2 or not value.endswith('"'):
                    raise SipParseError(where, "unterminated quoted value")
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            items.append((name, value))
    return Credentials(scheme, items)


def parse_credentials(body):
    return _parse(body, "credentials")


def parse_challenge(body):
    return _parse(body, "challenge")


def check_digest(cred):
    """Kamailio's check_dig_cred() plus sanity's non-empty checks: None when fine, else the reason
    phrase sanity replies with."""
    p = cred.params
    if "username" not in p or "realm" not in p or "nonce" not in p or "uri" not in p \
            or "response" not in p:
        return "Bad Auth Credentials"
    if p.get("qop") is not None and ("cnonce" not in p or "nc" not in p):
        return "Bad Auth Credentials"
    if not p["username"]:
        return "Auth Empty User"
    if not p["nonce"]:
        return "Auth Empty Nonce"
    if not p["response"]:
        return "Auth Empty Response"
    return None
