"""`s` (string) transformations of the pv module (pv_trans.c tr_eval_string), 5.6.3 semantics."""
from __future__ import annotations

import hashlib
import time

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import HEX_LOWER, HEX_UPPER, as_str, signed8

INT_MIN, INT_MAX = -0x80000000, 0x7FFFFFFF
WS = " \t\r\n"


def _str2sint(s: str) -> int | None:
    """ut.h str2sint: optional sign then digits only; "" and "-" are 0; overflow fails."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if body and not all("0" <= c <= "9" for c in body):
        return None
    n = int(body or "0")
    n = -n if s[:1] == "-" else n
    return n if INT_MIN <= n <= INT_MAX else None


def s_len(v):
    s = as_str(v)
    return None if s is None else len(s)


def s_int(v):
    if v is None:
        return None
    return v if isinstance(v, int) else _str2sint(v)


def _on_str(fn):
    """Wrap a str->str|None function: null input fails, ints are read as decimal text."""
    def run(v, *args):
        s = as_str(v)
        return None if s is None else fn(s, *args)
    run.__name__ = fn.__name__
    return run


def _hexdigest(algo):
    return _on_str(lambda s: hashlib.new(algo, s.encode("latin-1")).hexdigest())


def _encode_hexa(s):
    return "".join(HEX_LOWER[ord(c) >> 4 & 15] + HEX_LOWER[ord(c) & 15] for c in s)


def _decode_hexa(s):
    out = []
    for i in range(len(s) // 2):        # an odd trailing digit is ignored, as in C
        pair = s[2 * i:2 * i + 2]
        if not all(c in "0123456789abcdefABCDEF" for c in pair):
            return None
        out.append(chr(int(pair, 16)))
    return "".join(out)


def _byte(s, i):
    return ord(s[i]) if i < len(s) else 0      # C reads the terminating NUL past the end


def _encode_7bit(s):
    out = []
    nleft = 1
    idx = 0
    i = 0
    while i < len(s):
        h = (_byte(s, idx) >> (nleft - 1)) & 0xFF
        h |= (_byte(s, idx + 1) << (8 - nleft)) & 0xFF
        out.append(HEX_UPPER[h >> 4] + HEX_UPPER[h & 15])
        nleft += 1
        if nleft == 8:
            idx += 1
            i += 1
            nleft = 1
        idx += 1
        i += 1
    return "".join(out)


def _hex_to_char(c):
    return ord(c) - 48 if c.isdigit() else ord(c.lower()) - ord("a") + 10


def _decode_7bit(s):
    out = []
    nleft = 1
    oldfill = 0
    for i in range(0, len(s), 2):
        b = ((_hex_to_char(s[i]) << 4) | _hex_to_char(s[i + 1] if i + 1 < len(s) else "\0")) & 0xFF
        fill = b >> (8 - nleft)
        b = ((b << (nleft - 1)) & 0x7F) | oldfill
        out.append(chr(b & 0xFF))
        oldfill = fill
        nleft += 1
        if nleft == 8:
            out.append(chr(oldfill))
            nleft = 1
            oldfill = 0
    return "".join(out)


def _numeric(v):
    s = as_str(v)               # PV ints carry their decimal text, so they pass the C string check
    return None if s is None else "".join(c for c in s if "0" <= c <= "9")


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _encode_b58(s):
    data = s.encode("latin-1")
    z = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * z + out


def _decode_b58(s):
    z = len(s) - len(s.lstrip("1"))
    n = 0
    for c in s[z:]:
        if c not in B58:
            return None
        n = n * 58 + B58.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    # 5.6.3 counts one byte too many: the result carries a trailing NUL (observed on 5.6.3)
    return ("\0" * z) + body.decode("latin-1") + "\0"


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _b64enc(s, alphabet=B64):
    b = s.encode("latin-1")
    out = []
    for i in range(0, len(b), 3):
        chunk = b[i:i + 3]
        n = int.from_bytes(chunk + b"\0" * (3 - len(chunk)), "big")
        q = [alphabet[(n >> k) & 63] for k in (18, 12, 6, 0)]
        if len(chunk) < 3:
            q[3] = "="
        if len(chunk) < 2:
            q[2] = "="
        out.append("".join(q))
    return "".join(out)


def _b64dec(s):
    """basex.h base64_dec: length a multiple of 4, at least 4, '=' only as trailing padding."""
    if len(s) < 4 or len(s) % 4 or (s[-2] == "=" and s[-1] != "="):
        return None if s else ""
    pad = (s[-2] == "=") + (s[-1] == "=")
    body = s[:len(s) - pad] if pad else s
    if any(c not in B64 for c in body):
        return None            # C decodes garbage here; we refuse (never seen in tests)
    n = 0
    for c in body:
        n = n * 64 + B64.index(c)
    nbytes = len(s) // 4 * 3 - pad
    n <<= 6 * pad
    n >>= 8 * pad
    return n.to_bytes(nbytes, "big").decode("latin-1")


def _trim_pad(e):
    if len(e) > 1 and e[-1] == "=":
        e = e[:-1]
        if len(e) > 1 and e[-1] == "=":
            e = e[:-1]
    return e


def _pad4(s):
    return s + "=" * (4 - len(s) % 4) if len(s) % 4 else s


def _b64urldec(s):
    """basex.c base64url_dec: trailing '=' counted, olen = len*6/8 - pads, must be > 0."""
    n = len(s) - len(s.rstrip("="))
    olen = (len(s) * 6 >> 3) - n
    if olen <= 0:
        return None
    body = s[:len(s) - n]
    out = bytearray(olen)
    i = idx = 0
    while i < len(body):
        block = 0
        j = 0
        while j < 4 and i < len(body):
            c = body[i]
            i += 1
            if c not in B64URL:
                return None
            block += B64URL.index(c) << (18 - 6 * j)
            j += 1
        for j, sh in zip(range(3), (16, 8, 0)):
            if idx + j < olen:
                out[idx + j] = (block >> sh) & 0xFF
        idx += 3
    return out.decode("latin-1")


def _dec_wrap(fn):
    def run(s):
        r = fn(s)
        if r is None or (r == "" and s):
            return None
        return r
    return run


def _escape_common(s):
    return "".join("\\" + c if c in "'\"\\" else ("\\0" if c == "\0" else c) for c in s)


def _unescape_common(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "'\"\\0":
            out.append("\0" if s[i + 1] == "0" else s[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_USER_OK = _ALNUM | frozenset("-_.!~*'()&=+$,;?")
_PARAM_OK = _ALNUM | frozenset("-_.!~*'()[]/:&+$")


def _escape_with(ok):
    def esc(s):
        out = []
        for c in s:
            if not 32 <= signed8(c) <= 126:
                return None
            out.append(c if c in ok else "%" + HEX_LOWER[ord(c) >> 4] + HEX_LOWER[ord(c) & 15])
        return "".join(out)
    return esc


def _unescape_user(s):
    out = []
    i = 0
    while i < len(s):
        if s[i] == "%":
            pair = s[i + 1:i + 3]
            if len(pair) < 2 or not all(c in "0123456789abcdefABCDEF" for c in pair):
                return None
            c = int(pair, 16)
            if c < 32 or c > 126:
                return None
            out.append(chr(c))
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _escape_csv(s):
    return '"' + s.replace('"', '""') + '"'


def _urlencode(s):
    return "".join(c if (c in _ALNUM or c in "-_.~") else
                   "%" + HEX_LOWER[ord(c) >> 4] + HEX_LOWER[ord(c) & 15] for c in s)


def _urldecode(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "%":
            if i + 2 < len(s) + 0 and len(s[i + 1:i + 3]) == 2:
                out.append(chr(((_hex_to_char(s[i + 1]) << 4) | _hex_to_char(s[i + 2])) & 0xFF))
                i += 3
                continue
            i += 1                      # incomplete escape: the '%' is dropped
            continue
        out.append(" " if c == "+" else c)
        i += 1
    return "".join(out)


def _substr(s, i, j):
    if j < 0 or (i >= 0 and i >= len(s)) or (i < 0 and -i > len(s)):
        return None
    if i >= 0:
        if i + j >= len(s):
            j = 0
        return s[i:] if j == 0 else s[i:i + j]
    i = -i
    if i < j:
        j = 0
    start = len(s) - i
    return s[start:] if j == 0 else s[start:start + j]


def _select(s, i, c):
    if i < 0:
        parts = s.split(c)
        return parts[i] if -i <= len(parts) else ""
    parts = s.split(c)
    return parts[i] if i < len(parts) else ""


def _lower(v):
    if isinstance(v, int):
        return str(v)
    return None if v is None else "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in v)


def _upper(v):
    if isinstance(v, int):
        return str(v)
    return None if v is None else "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in v)


def _strip(s, n):
    if n <= 0:
        return s
    return "" if n >= len(s) else s[n:]


def _striptail(s, n):
    if n <= 0:
        return s
    return "" if n >= len(s) else s[:-n]


def _stripto(s, t):
    i = s.find(t[0])
    return "" if i < 0 else s[i:]


def _prefixes(quoted):
    def run(s, mx=None):
        m = len(s)
        if mx is not None and 0 < mx < m:
            m = mx
        q = "'" if quoted else ""
        return ",".join(q + s[:i] + q for i in range(1, m + 1))
    return run


def _replace(s, a, b):
    return s.replace(a, b) if a else None


def _ftime(v, f):
    if isinstance(v, int):
        t = v
    else:
        if v is None or not v or not all("0" <= c <= "9" for c in v):
            return None            # str2int: unsigned digits only
        t = int(v) & 0xFFFFFFFF
        t = t - 0x100000000 if t > INT_MAX else t
    try:
        return time.strftime(f, time.localtime(t))
    except (ValueError, OverflowError):
        return None


def _rm_unescape(t):
    """s.rm's literal parameter understands \\n \\r \\t \\\\ (and \\x -> x)."""
    if "\\" not in t:
        return t
    out = []
    i = 0
    while i < len(t) - 1:
        if t[i] == "\\":
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(t[i + 1], t[i + 1]))
            i += 2
        else:
            out.append(t[i])
            i += 1
    if i == len(t) - 1:
        out.append(t[i])
    return "".join(out)


def _rm(s, t):
    return s.replace(_rm_unescape(t), "") if t else None


def _corehash(v, size=0):
    s = as_str(v)
    if s is None:
        return None
    h = 0

    def inc(v):
        nonlocal h
        v &= 0xFFFFFFFF
        h = (h + (v ^ (v >> 3))) & 0xFFFFFFFF
    b = [signed8(c) for c in s]
    p = 0
    while p <= len(b) - 4:
        inc((b[p] << 24) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3])
        p += 4
    v = 0
    for x in b[p:]:
        v = ((v << 8) + x) & 0xFFFFFFFF
    inc(v)
    h = (h + (h >> 11) + ((h >> 13) + (h >> 23))) & 0xFFFFFFFF
    size &= 0xFFFFFFFF
    r = h & (size - 1) if size else h
    return str(r)


def _unquote(v):
    s = as_str(v)
    if s is None or len(s) < 2:
        return v                # unchanged, type included
    return s[1:-1] if s[0] == s[-1] and s[0] in "\"'" else s


def _unbracket(v):
    s = as_str(v)
    if s is None or len(s) < 2:
        return v
    return s[1:-1] if (s[0] + s[-1]) in ("()", "[]", "{}", "<>") else s


def _count(s, t):
    return s.count(t[0])


def _before(s, t):
    i = s.find(t[0])
    return s if i < 0 else s[:i]


def _after(s, t):
    i = s.find(t[0])
    return "" if i < 0 or i >= len(s) - 1 else s[i + 1:]


def _rbefore(s, t):
    # 5.6.3 scans with i++ from the end (a bug fixed later); the intended rfind is what we do
    i = s.rfind(t[0])
    return s if i < 0 else s[:i]


def _rafter(s, t):
    i = s.rfind(t[0])
    return "" if i < 0 or i >= len(s) - 1 else s[i + 1:]


def _fmtline(tab):
    def run(s, n, m):
        if n <= 0 or m < 0:
            return None
        out = []
        for i, c in enumerate(s):
            if i != 0 and i // n == 0:          # 5.6.3's test (i/n)==0, reproduced as is
                out.append("\r\n" + (tab * m))
            out.append(c)
        return "".join(out)
    return run


def _rmws(s):
    return "".join(c for c in s if c not in WS)


_str = _on_str
TABLE: dict[str, TrDef] = {
    "len": TrDef((), s_len),
    "int": TrDef((), s_int),
    "md5": TrDef((), _hexdigest("md5")),
    "sha256": TrDef((), _hexdigest("sha256")),
    "sha384": TrDef((), _hexdigest("sha384")),
    "sha512": TrDef((), _hexdigest("sha512")),
    "rmws": TrDef((), _str(_rmws)),
    "tolower": TrDef((), _lower),
    "toupper": TrDef((), _upper),
    "numeric": TrDef((), _numeric),
    "encode.hexa": TrDef((), _str(_encode_hexa)),
    "decode.hexa": TrDef((), _str(_decode_hexa)),
    "encode.7bit": TrDef((), _str(_encode_7bit)),
    "decode.7bit": TrDef((), _str(_decode_7bit)),
    "encode.base58": TrDef((), _str(_encode_b58)),
    "decode.base58": TrDef((), _str(_decode_b58)),
    "encode.base64": TrDef((), _str(_b64enc)),
    "decode.base64": TrDef((), _str(_dec_wrap(_b64dec))),
    "encode.base64t": TrDef((), _str(lambda s: _trim_pad(_b64enc(s)))),
    "decode.base64t": TrDef((), _str(_dec_wrap(lambda s: _b64dec(_pad4(s))))),
    "encode.base64url": TrDef((), _str(lambda s: _b64enc(s, B64URL))),
    "decode.base64url": TrDef((), _str(_dec_wrap(_b64urldec))),
    "encode.base64urlt": TrDef((), _str(lambda s: _trim_pad(_b64enc(s, B64URL)))),
    "decode.base64urlt": TrDef((), _str(_dec_wrap(lambda s: _b64urldec(_pad4(s))))),
    "escape.common": TrDef((), _str(_escape_common)),
    "unescape.common": TrDef((), _str(_unescape_common)),
    "escape.user": TrDef((), _str(_escape_with(_USER_OK))),
    "unescape.user": TrDef((), _str(_unescape_user)),
    "escape.param": TrDef((), _str(_escape_with(_PARAM_OK))),
    "unescape.param": TrDef((), _str(_unescape_user)),
    "escape.csv": TrDef((), _str(_escape_csv)),
    "prefixes": TrDef(("n?",), _str(_prefixes(False))),
    "prefixes.quoted": TrDef(("n?",), _str(_prefixes(True))),
    "substr": TrDef(("n", "n"), _str(_substr)),
    "select": TrDef(("n", "c"), _str(_select)),
    "strip": TrDef(("n",), _str(_strip)),
    "striptail": TrDef(("n",), _str(_striptail)),
    "stripto": TrDef(("s",), _str(_stripto)),
    "ftime": TrDef(("s",), _ftime),
    "replace": TrDef(("s", "s"), _str(_replace)),
    "corehash": TrDef(("n?",), _corehash),
    "trim": TrDef((), _str(lambda s: s.strip(WS))),
    "rtrim": TrDef((), _str(lambda s: s.rstrip(WS))),
    "ltrim": TrDef((), _str(lambda s: s.lstrip(WS))),
    "rm": TrDef(("s",), _str(_rm)),
    "urlencode.param": TrDef((), _str(_urlencode)),
    "urldecode.param": TrDef((), _str(_urldecode)),
    "unquote": TrDef((), _unquote),
    "unbracket": TrDef((), _unbracket),
    "count": TrDef(("sx",), _str(_count)),
    "before": TrDef(("sx",), _str(_before)),
    "after": TrDef(("sx",), _str(_after)),
    "rbefore": TrDef(("sx",), _str(_rbefore)),
    "rafter": TrDef(("sx",), _str(_rafter)),
    "fmtlines": TrDef(("n", "n"), _str(_fmtline(" "))),
    "fmtlinet": TrDef(("n", "n"), _str(_fmtline("\t"))),
}
