"""Header names: the table of known headers (Kamailio's hdr type map) with their compact forms.

A header is indexed under a key = its long name in lower case; compact forms map to the same key.
"""

# long name, compact form (or None) -- declared once; order is only for reading
KNOWN = [
    ("Accept", None), ("Accept-Contact", "a"), ("Accept-Language", None), ("Allow", None),
    ("Allow-Events", "u"), ("Authorization", None), ("Call-ID", "i"), ("Call-Info", None),
    ("Contact", "m"), ("Content-Disposition", None), ("Content-Encoding", "e"),
    ("Content-Length", "l"), ("Content-Type", "c"), ("CSeq", None), ("Date", None),
    ("Diversion", None), ("Event", "o"), ("Expires", None), ("From", "f"), ("Identity", "y"),
    ("Identity-Info", None), ("Max-Forwards", None), ("Min-Expires", None), ("Min-SE", None),
    ("Organization", None), ("Path", None), ("Priority", None), ("Privacy", None),
    ("Proxy-Authenticate", None), ("Proxy-Authorization", None), ("Proxy-Require", None),
    ("P-Preferred-Identity", None), ("P-Asserted-Identity", None), ("Reason", None),
    ("Record-Route", None), ("Refer-To", "r"), ("Referred-By", "b"), ("Reject-Contact", "j"),
    ("Remote-Party-ID", None), ("Request-Disposition", "d"), ("Require", None),
    ("Retry-After", None), ("Route", None), ("Server", None), ("Session-Expires", "x"),
    ("SIP-If-Match", None), ("Subject", "s"), ("Subscription-State", None), ("Supported", "k"),
    ("To", "t"), ("Unsupported", None), ("User-Agent", None), ("Via", "v"),
    ("WWW-Authenticate", None),
]

KEY = {}        # any spelling in lower case -> key (long name lower case)
CANONICAL = {}  # key -> long name as written in RFCs
for _long, _short in KNOWN:
    KEY[_long.lower()] = _long.lower()
    CANONICAL[_long.lower()] = _long
    if _short:
        KEY[_short] = _long.lower()

# characters Kamailio accepts in a header name (parse_hname2.c)
NAME_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._+~")


def key_of(name):
    """Index key of a header name: compact and long forms, any case, give the same key."""
    low = name.lower()
    return KEY.get(low, low)
