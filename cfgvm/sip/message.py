"""Message: one SIP request or reply over its received buffer, parsed lazily.

Message.parse(buf) reads the first line and indexes the header names in one pass (name -> positions,
no per-header objects; the usual CRLF block keeps its split lines and computes the buffer offsets of
every header, _h, only when someone asks for them); a header's body is parsed only when someone asks,
and the result is cached. Changes are lumps (lumps.py), applied by to_bytes(); reads keep seeing the original buffer until
apply_changes() re-parses the rebuilt one, as Kamailio's msg_apply_changes() does.
"""
import re

from .errors import SipParseError
from .hdrnames import KEY, CANONICAL
from . import headers as _hp
from .lumps import LumpList
from .uri import parse_uri

_PARSERS = _hp.PARSERS

MAX_MESSAGE = 65535   # Kamailio's BUF_SIZE: bigger input never becomes a message (UDP recv / TCP read)
_MIN_FIRST_LINE = 16  # parse_first_line refuses anything this short
_NAME_RE = re.compile(r"[0-9A-Za-z\-._+~]+[ \t]*:")
# the usual first lines, byte-exact to what the exact path accepts
# (and a header line after it that does not start with CR: else the exact path decides)
_FAST_FL = re.compile(r"(?:(SIP/2\.0) ([0-9]{3}) ([^\r\n]*)|([A-Za-z]+) ([^ \t\r\n]+) (SIP/2\.0))\r\n"
                      r"(?=[^\r])")
# name, ':', body (continuation lines start with SP/HT), LF
_HDR_RE = re.compile(r"([0-9A-Za-z\-._+~]+)[ \t]*:[ \t]*((?:[^\n]*\n[ \t])*[^\n]*)\n")
_NAME_ONLY_RE = re.compile(r"[0-9A-Za-z\-._+~]+")
# text of a header line before its first ':' (blanks included) -> index key; filled as names are
# met, bounded so that a stream of invented names cannot grow it without end. Lines are split with
# str.partition (a METH_O call: far cheaper than find() + slice on this path); callers check that
# the line has a ':' at all.
_NAME_KEYS = {}
_NAME_KEYS_MAX = 4096


def _name_key(head):
    """Index key for the text of a header line before its first ':', or None when that text is
    not a header name."""
    name = head.rstrip(" \t")
    if _NAME_ONLY_RE.fullmatch(name) is None:
        return None
    low = name.lower()
    key = KEY.get(low, low)
    if len(_NAME_KEYS) < _NAME_KEYS_MAX:
        _NAME_KEYS[head] = key
    return key


_NAME_SPANS = {}        # same keys as _NAME_KEYS -> (key, name length without the blanks)


def _name_span(head):
    """(key, name length) for a header line's text before its ':' (the line is already indexed)."""
    got = (_NAME_KEYS.get(head) or _name_key(head), len(head.rstrip(" \t")))
    if len(_NAME_SPANS) < _NAME_KEYS_MAX:
        _NAME_SPANS[head] = got
    return got


# request methods Kamailio recognises (case-insensitively) -- the rest are METHOD_OTHER
KNOWN_METHODS = ("INVITE", "CANCEL", "ACK", "BYE", "INFO", "REGISTER", "SUBSCRIBE", "NOTIFY",
                 "MESSAGE", "OPTIONS", "PRACK", "UPDATE", "REFER", "PUBLISH", "KDMQ", "GET", "POST",
                 "PUT", "DELETE")
_KNOWN = {m: m for m in KNOWN_METHODS}


class HeaderField:
    """One header line (with its folded continuation lines). Offsets index Message.text."""
    __slots__ = ("msg", "index", "key", "start", "name_end", "body_start", "body_end", "end")

    def __init__(self, msg, index, entry):
        self.msg = msg
        self.index = index
        self.key, self.start, self.name_end, self.body_start, self.body_end, self.end = entry

    @property
    def name(self):
        """The name as written (compact or long form, original case)."""
        return self.msg.text[self.start:self.name_end]

    @property
    def canonical_name(self):
        return CANONICAL.get(self.key, self.name)

    @property
    def body_raw(self):
        """Body text as received (folding kept, leading LWS and trailing CR/LF removed) = $hdr()."""
        return self.msg.text[self.body_start:self.body_end]

    body = body_raw

    @property
    def text(self):
        """The whole header as in the buffer, CRLF included."""
        return self.msg.text[self.start:self.end]

    @property
    def parsed(self):
        """The parsed body (type depends on the header; see headers.PARSERS), cached per message.
        Raises SipParseError when the body is malformed."""
        cache = self.msg._parsed
        got = cache.get(self.index)
        if got is None:
            got = _hp.parse_body(self.key, self.body_raw)
            cache[self.index] = got
        return got

    def __repr__(self):
        return f"<HeaderField {self.name}: {self.body_raw[:40]!r}>"


class Message:
    """A SIP message. Build with Message.parse(buf). See cfgvm/sip/__init__.py for the API tour."""

    # every attribute a new Message starts with (immutable values; the containers are made per
    # message in __init__): one dict update instead of a store per attribute
    _INITIAL = {
        "buf": b"",
        "text": "",
        "is_request": False,
        "method": "",           # request method as written ("" for replies)
        "method_known": "",     # upper-case name of a Kamailio-known method, "" for others
        "ruri_str": "",         # Request-URI text as received
        "version": "",          # SIP version text of the first line
        "is_sip": True,         # version starts with SIP/2.0 (Kamailio's IS_SIP)
        "status": None,         # reply status code (int)
        "reason": "",           # reply reason phrase
        "fl_start": 0,          # offset of the first line (leading CR/LF/WS skipped)
        "ruri_start": 0,
        "hdr_start": 0,         # offset of the first header
        "eoh": None,            # offset of the empty line ending the headers (None if missing)
        "body_start": None,
        "header_error": None,   # lenient parse: the SipParseError that stopped the header scan
        "_ruri": None,
        "new_uri": None,        # R-URI after rewrite ($ru writes); None = unchanged
        "dst_uri": None,        # next hop ($du)
        "_lumps": None,
    }

    def __init__(self):
        d = self.__dict__
        d.update(self._INITIAL)
        # _hl: the header offsets (see _h), None until built; both keys always present so that a
        # __dict__.update() from a re-parsed message replaces them
        d["_hl"] = None
        d["_lines"] = None      # the usual block's header lines (CRLF split), or None
        d["_keys"] = None       # with _lines: the index key of each line
        d["_idx"] = {}          # key -> [positions in _h]
        d["_parsed"] = {}       # header position -> parsed body

    @property
    def _h(self):
        """[(key, start, name_end, body_start, body_end, end)], one per header. The usual header
        block builds it from _lines on first use: the proxy path reads a few bodies through
        _body_at and never needs the offsets of every header."""
        h = self._hl
        if h is not None:
            return h
        h = self._hl = []
        lines = self._lines
        if lines:
            spans = _NAME_SPANS
            pos = self.hdr_start
            for line in lines:
                head, _, rest = line.partition(":")
                got = spans.get(head)
                if got is None:
                    got = _name_span(head)
                key, name_len = got
                end = pos + len(line)
                h.append((key, pos, pos + name_len, end - len(rest.lstrip(" \t")), end, end + 2))
                pos = end + 2
        return h

    @_h.setter
    def _h(self, h):
        self._hl = h

    def _start_at(self, i):
        """Buffer offset where header i starts, from the usual block's lines."""
        return self.hdr_start + sum(map(len, self._lines[:i])) + 2 * i

    def body_span(self, i):
        """(start, end) of header i's body in the buffer (what $hdr() returns), without building _h."""
        h = self._hl
        if h is not None:
            e = h[i]
            return e[3], e[4]
        line = self._lines[i]
        end = self._start_at(i) + len(line)
        return end - len(line.partition(":")[2].lstrip(" \t")), end

    def _entry(self, i):
        """_h[i], computed alone while _h is not built (header() on a few names)."""
        h = self._hl
        if h is not None:
            return h[i]
        line = self._lines[i]
        pos = self._start_at(i)
        head, _, rest = line.partition(":")
        end = pos + len(line)
        return (_NAME_KEYS.get(head) or _name_key(head), pos,
                pos + len(head.rstrip(" \t")), end - len(rest.lstrip(" \t")), end, end + 2)

    def _key_at(self, i):
        """Index key of header i, without building _h."""
        h = self._hl
        if h is not None:
            return h[i][0]
        return self._keys[i]

    def header_count_all(self):
        """How many headers were indexed ($hdrc-style total), without building _h."""
        h = self._hl
        return len(h) if h is not None else len(self._lines or ())

    def _body_at(self, i):
        """Body text of header number i (the text between $hdr()'s offsets), without building
        the offsets of every header when they are not built yet."""
        h = self._hl
        if h is None:
            return self._lines[i].partition(":")[2].lstrip(" \t")
        e = h[i]
        return self.text[e[3]:e[4]]

    @property
    def lumps(self):
        """The pending changes (LumpList), created on first use."""
        if self._lumps is None:
            self._lumps = LumpList(self)
        return self._lumps

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def parse(cls, buf, lenient=False):
        """Parse bytes (or a latin-1 str). Raises SipParseError on a broken first line or header
        section; with lenient=True a header error only stops the scan (kept in .header_error)."""
        if isinstance(buf, str):
            buf = buf.encode("latin-1")
        if len(buf) > MAX_MESSAGE:
            raise SipParseError("message", f"{len(buf)} bytes exceed {MAX_MESSAGE}", "drop")
        m = cls()
        m.buf = bytes(buf)
        m.text = m.buf.decode("latin-1")
        m._parse_first_line()
        m._scan_headers(lenient)
        return m

    def _parse_first_line(self):
        """Kamailio's parse_first_line(), including its quirks (e.g. trailing spaces after the
        version are accepted, two spaces between elements are not). The common shape takes a
        single regex; anything else the exact step-by-step path below."""
        t = self.text
        m = _FAST_FL.match(t)
        if m is not None:
            self.hdr_start = m.end()
            rversion, status, reason, meth, ruri, version = m.groups()
            if rversion is not None:
                self.is_request = False
                self.version = rversion
                self.status = int(status)
                self.reason = reason
                return
            self.is_request = True
            self.method = meth
            self.method_known = _KNOWN.get(meth) or _KNOWN.get(meth.upper(), "")
            self.ruri_start = m.start(5)
            self.ruri_str = ruri
            self.version = version
            return
        return self._parse_first_line_exact()

    def _parse_first_line_exact(self):
        t = self.text
        n = len(t)
        p = 0
        while p < n and t[p] in "\r\n\0\t ":
            p += 1
        self.fl_start = p
        if n - p <= _MIN_FIRST_LINE:
            raise SipParseError("first line", "message too short", "drop")
        if t[p:p + 8].upper() == "SIP/2.0 ":
            self.is_request = False
            q = p + 7
        else:
            self.is_request = True
            q = p
            while q < n and t[q] not in " \t\r\n":
                q += 1
            if q == p or q >= n or t[q] != " ":
                raise SipParseError("first line", "bad method", "drop")
            self.method = t[p:q]
            self.method_known = _KNOWN.get(self.method.upper(), "")
        second = q + 1
        q = second
        while q < n and t[q] not in " \t\r\n":
            q += 1
        if q >= n:
            raise SipParseError("first line", "truncated", "drop")
        third = q
        while third < n and t[third] in " \t":
            third += 1
        if third == q:
            raise SipParseError("first line", "missing element", "drop")
        middle = t[second:q]
        if not self.is_request:
            if len(middle) != 3 or not middle.isdigit() or not middle.isascii():
                raise SipParseError("first line", f"bad status code {middle[:20]!r}", "drop")
            self.status = int(middle)
            e = third
            while e < n and t[e] not in "\r\n":
                e += 1
            if e >= n:
                raise SipParseError("first line", "no end of line", "drop")
            self.version = t[p:p + 7]
            self.reason = t[third:e]
        else:
            self.ruri_start = second
            self.ruri_str = middle
            e = third
            while e < n and t[e] not in " \t\r\n":
                e += 1
            if e == third or e >= n:
                raise SipParseError("first line", "missing SIP version", "drop")
            self.version = t[third:e]
            s = e
            while s < n and t[s] in " \t":
                s += 1
            if s >= n or t[s] not in "\r\n":
                raise SipParseError("first line", "junk after SIP version", "drop")
            v = self.version
            self.is_sip = len(v) >= 7 and v[:7].upper() == "SIP/2.0"
        # eat_line(): past the LF, and past a CR right after it
        nl = t.find("\n", e)
        if nl < 0 or nl + 1 >= n:
            raise SipParseError("first line", "no header lines", "drop")
        nl += 1
        if nl + 1 < n and t[nl] == "\r":
            nl += 1
        self.hdr_start = nl

    def _scan_headers(self, lenient):
        """Index the headers. The usual block (CRLF lines up to the first empty line, no folding,
        no bare CR/LF, no NUL) is split on CRLF; anything else takes _scan_headers_exact."""
        t = self.text
        pos = self.hdr_start
        e = t.find("\r\n\r\n", pos)
        if e <= pos:
            return self._scan_headers_exact(lenient)
        block = t[pos:e]
        lines = block.split("\r\n")
        joined = "".join(lines)                  # a CR or LF left in a line is a bare one
        if "\n" in joined or "\r" in joined or "\0" in joined:
            return self._scan_headers_exact(lenient)
        idx = self._idx
        names = _NAME_KEYS
        keys = []
        add = keys.append
        for i, line in enumerate(lines):
            head, colon, _ = line.partition(":")
            key = names.get(head) if colon else None
            if key is None:
                key = _name_key(head) if colon else None
                if key is None:                  # folding, no ':', not a header name: exact scan
                    idx.clear()
                    return self._scan_headers_exact(lenient)
            add(key)
            lst = idx.get(key)
            if lst is None:
                idx[key] = [i]
            else:
                lst.append(i)
        self._lines = lines
        self._keys = keys
        self.eoh = e + 2
        self.body_start = e + 4

    def _scan_headers_exact(self, lenient):
        """One regex match per header: name, ':', body up to the LF that is not followed by
        SP/HT (folding). Rare shapes (folding right after the colon) take the slow path."""
        t = self.text
        n = len(t)
        pos = self.hdr_start
        h = self._hl = []
        idx = self._idx
        match = _HDR_RE.match
        key_get = KEY.get
        while pos < n:
            c = t[pos]
            if c == "\n" or c == "\r":
                self.eoh = pos
                self.body_start = pos + 2 if t.startswith("\r\n", pos) else pos + 1
                return
            m = match(t, pos)
            if m is None:
                return self._header_fail(lenient, pos, self._why_bad_header(pos))
            name_end = m.end(1)
            b, be = m.span(2)
            end = m.end()
            if b < be and t[b] in "\r\n":
                # leading LWS with line folding (eat_lws_end)
                while b < be:
                    c = t[b]
                    if c == " " or c == "\t":
                        b += 1
                    elif c == "\n" and t[b + 1] in " \t":
                        b += 2
                    elif c == "\r" and t[b + 1] == "\n" and b + 2 < n and t[b + 2] in " \t":
                        b += 3
                    else:
                        break
            while be > b and t[be - 1] in "\r\0":
                be -= 1
            low = t[pos:name_end].lower()
            key = key_get(low, low)
            i = len(h)
            h.append((key, pos, name_end, b, be, end))
            lst = idx.get(key)
            if lst is None:
                idx[key] = [i]
            else:
                lst.append(i)
            pos = end
        # no empty line: Kamailio accepts this over UDP (no body)

    def _why_bad_header(self, pos):
        t = self.text
        m = _NAME_RE.match(t, pos)
        if m is None:
            return "bad header name"
        if t.find("\n", m.end()) < 0:
            return "header without end of line"
        return "empty header at end of message"

    def _header_fail(self, lenient, pos, why):
        err = SipParseError(f"header at offset {pos}", why)
        if not lenient:
            raise err
        self.header_error = err
        self.header_error_offset = pos

    def overwrite(self, start, new, header=None):
        """Same-length change of the received buffer in place (maxfwd's decrement_maxfwd()): offsets
        stay valid; the cached parses of what it touches are dropped. header: the position of the
        header the change falls in, when the caller knows it."""
        end = start + len(new)
        if end > len(self.text):
            raise ValueError("overwrite past the end of the message")
        if self._hl is None and self._lines is not None and start >= self.hdr_start:
            if self._overwrite_line(start, end, new, header):
                return
        h = self._h                         # built from the lines as received, before the change
        self.text = self.text[:start] + new + self.text[end:]
        self.buf = self.text.encode("latin-1")
        parsed = self._parsed
        for i, e in enumerate(h):
            if e[1] >= end:                 # headers are in buffer order: the rest start later
                break
            if start < e[5]:
                parsed.pop(i, None)
        if start < self.hdr_start:
            self._ruri = None

    def overwrite_body(self, i, off, new):
        """overwrite() at offset `off` of header i's body (the text $hdr() returns). A change that
        leaves the body's first character non-blank keeps its start where it was: in the usual
        block the line is then changed alone, without the checks of _overwrite_line."""
        lines = self._lines
        if self._hl is None and lines is not None and (off or new[:1] not in " \t") \
                and "\r" not in new and "\n" not in new and "\0" not in new:
            line = lines[i]
            at = len(line) - len(line.partition(":")[2].lstrip(" \t")) + off     # in the line
            if at + len(new) <= len(line):
                ls = self._start_at(i)
                return self._replace_in_line(i, line[:at] + new + line[at + len(new):], ls + at, new)
        self.overwrite(self.body_span(i)[0] + off, new, i)

    def _replace_in_line(self, i, line, start, new):
        """Header line i becomes `line`, the buffer changing at `start` to `new` (same length)."""
        self._lines[i] = line
        t = self.text
        self.text = t[:start] + new + t[start + len(new):]
        self.buf = self.text.encode("latin-1")
        self._parsed.pop(i, None)

    def _overwrite_line(self, start, end, new, i=None):
        """overwrite() inside one header line of the usual block, without building _h: the line is
        replaced in _lines when its name and the start of its body stay where they were (the offsets
        _h would compute are then the ones of the received text). False when that does not hold."""
        lines = self._lines
        if i is None:
            ls = self.hdr_start
            for i, old in enumerate(lines):
                nxt = ls + len(old) + 2
                if start < nxt:
                    break
                ls = nxt
            else:
                return False
        else:
            ls = self._start_at(i)
            old = lines[i]
            if not ls <= start < ls + len(old) + 2:
                return False
        if end > ls + len(old):             # past the line's text (into its CRLF or beyond)
            return False
        line = old[:start - ls] + new + old[end - ls:]
        head, colon, rest = old.partition(":")
        nhead, ncolon, nrest = line.partition(":")
        if (not colon or not ncolon or nhead != head or "\r" in new or "\n" in new or "\0" in new
                or len(nrest.lstrip(" \t")) != len(rest.lstrip(" \t"))):
            return False
        self._replace_in_line(i, line, start, new)
        return True

    # ---- first line ---------------------------------------------------------------------------
    @property
    def is_reply(self):
        return not self.is_request

    @property
    def ruri(self):
        """The received Request-URI, parsed (SipUri; raises SipParseError if Kamailio could not
        parse it). Use current_uri for the R-URI after rewrites."""
        if self._ruri is None:
            self._ruri = parse_uri(self.ruri_str, where="Request-URI")
        return self._ruri

    @property
    def current_uri_str(self):
        """$ru: the R-URI after rewrites (new_uri) or the received one."""
        return self.new_uri if self.new_uri is not None else self.ruri_str

    @property
    def current_uri(self):
        if self.new_uri is None:
            return self.ruri
        return parse_uri(self.new_uri, where="new R-URI")

    @property
    def first_line(self):
        return self.text[self.fl_start:self.hdr_start].rstrip("\r\n")

    # ---- headers ------------------------------------------------------------------------------
    def headers(self, name=None):
        """All headers with that name (compact/long form, any case), in order; all when name=None."""
        if name is None:
            return [HeaderField(self, i, e) for i, e in enumerate(self._h)]
        low = name.lower()
        pos = self._idx.get(KEY.get(low, low))
        if not pos:
            return []
        return [HeaderField(self, i, self._entry(i)) for i in pos]

    def iter_headers(self):
        """headers() one at a time, for a scan that stops early (no list of every header)."""
        for i, e in enumerate(self._h):
            yield HeaderField(self, i, e)

    def header(self, name):
        """First header with that name, or None."""
        pos = self._idx.get(name)           # already an index key (lower-case long name)
        if pos is None:
            low = name.lower()
            pos = self._idx.get(KEY.get(low, low))
        if not pos:
            return None
        i = pos[0]
        return HeaderField(self, i, self._entry(i))

    def first_index(self, name):
        """Position (in header order) of the first header with that name, or None: with _h and
        _parsed_at it reads a header without building a HeaderField."""
        pos = self._idx.get(name)
        if pos is None:
            low = name.lower()
            pos = self._idx.get(KEY.get(low, low))
        return pos[0] if pos else None

    def has_header(self, name):
        """Is there a header with that name (compact/long form, any case)?"""
        if name in self._idx:
            return True
        low = name.lower()
        return KEY.get(low, low) in self._idx

    def header_count(self, name):
        low = name.lower()
        return len(self._idx.get(KEY.get(low, low), ()))

    def hdr(self, name, index=0):
        """$hdr(name)[index] semantics: body text or None; index -1 = last; '*' joins all with ','."""
        low = name.lower()
        pos = self._idx.get(KEY.get(low, low))
        if not pos:
            return None
        if index == "*":
            return ",".join(self._body_at(i) for i in pos)
        try:
            i = pos[index]
        except IndexError:
            return None
        return self._body_at(i)

    def parsed(self, name, index=0):
        """Parsed body of the index-th header with that name (None when absent)."""
        hf = self.headers(name)
        if not hf:
            return None
        try:
            return hf[index].parsed
        except IndexError:
            return None

    # ---- shortcuts used on the proxy path -----------------------------------------------------
    def _parsed_at(self, i):
        """Parsed body of header number i, cached (HeaderField.parsed without the object)."""
        got = self._parsed.get(i)
        if got is None:
            h = self._hl
            if h is None:
                key = self._keys[i]
            else:
                key = h[i][0]
            f = _PARSERS.get(key)                   # headers.parse_body, one call less
            got = f(self._body_at(i)) if f is not None else self._body_at(i)
            self._parsed[i] = got
        return got

    def _first_parsed(self, key):
        """Parsed body of the first header with that key (None when absent), without building a
        HeaderField: the accessors below are on every message's path."""
        pos = self._idx.get(key)
        if not pos:
            return None
        i = pos[0]
        got = self._parsed.get(i)
        if got is None:
            h = self._hl                            # _body_at(i), inlined
            if h is None:
                body = self._lines[i].partition(":")[2].lstrip(" \t")
            else:
                e = h[i]
                body = self.text[e[3]:e[4]]
            f = _PARSERS.get(key)
            got = self._parsed[i] = f(body) if f is not None else body
        return got

    @property
    def via1(self):
        """Top-most Via body (ViaBody)."""
        p = self._first_parsed("via")
        if p is None:
            raise SipParseError("Via", "no Via header")
        return p[0]

    def vias(self):
        """Every Via body, in order (a header may carry several)."""
        out = []
        for h in self.headers("via"):
            out.extend(h.parsed)
        return out

    @property
    def call_id(self):
        pos = self._idx.get("call-id")          # hdr("call-id") without the name lookup
        return self._body_at(pos[0]) if pos else None

    @property
    def cseq(self):
        return self._first_parsed("cseq")

    @property
    def from_(self):
        return self._first_parsed("from")

    @property
    def to(self):
        return self._first_parsed("to")

    @property
    def max_forwards(self):
        return self._first_parsed("max-forwards")

    def routes(self, name="route"):
        """Every Route (or Record-Route) entry as NameAddr, across headers, in order."""
        key = name if name in _PARSERS else KEY.get(name.lower(), name.lower())
        out = []
        parsed = self._parsed
        for i in self._idx.get(key, ()):
            got = parsed.get(i)
            if got is None:
                body = self._body_at(i)
                f = _PARSERS.get(key)
                got = parsed[i] = f(body) if f is not None else body
            out.extend(got)
        return out

    def contacts(self):
        """Every Contact entry (NameAddr); a Contact: * gives the string '*'."""
        out = []
        for h in self.headers("contact"):
            p = h.parsed
            if p == "*":
                out.append("*")
            else:
                out.extend(p)
        return out

    # ---- body ---------------------------------------------------------------------------------
    @property
    def body(self):
        """Message body bytes (everything after the empty line; b'' when there is none)."""
        return self.buf[self.body_start:] if self.body_start is not None else b""

    @property
    def body_str(self):
        return self.text[self.body_start:] if self.body_start is not None else ""

    @property
    def content_length(self):
        return self._first_parsed("content-length")

    @property
    def content_type(self):
        return self._first_parsed("content-type")

    def sdp(self):
        """The SDP of the body (a multipart body's application/sdp part), or None."""
        from .sdp import parse_sdp
        from .multipart import parse_multipart
        ct = self.content_type
        if ct is None:
            return parse_sdp(self.body_str) if self.body_str.startswith("v=") else None
        if ct.mime == "application/sdp":
            return parse_sdp(self.body_str)
        if ct.mime.startswith("multipart/"):
            for part in parse_multipart(self.body_str, ct.params.get("boundary")):
                pct = part.content_type
                if pct is not None and pct.mime == "application/sdp":
                    return parse_sdp(part.body)
        return None

    # ---- serialisation ------------------------------------------------------------------------
    def __len__(self):
        return len(self.buf)

    def to_bytes(self, send_socket=None, recv_socket=None, **advertised):
        """The message with pending lumps and R-URI rewrite applied (the original when none).
        send_socket/recv_socket (lumps.SocketInfo) resolve send-time lumps such as rr's double
        Record-Route; advertised: global_address/global_port (set_advertised_*)."""
        if self._lumps is None and self.new_uri is None:
            return self.buf
        if self.is_request and self.__dict__.get("body_multipart"):
            from .multipart import check_boundaries      # FL_BODY_MULTIPART (textops)
            check_boundaries(self)
        return self.lumps.apply(send_socket, recv_socket, **advertised)

    def apply_changes(self):
        """msg_apply_changes(): rebuild with the lumps, re-parse, clear lumps; returns the new
        Message state in place (reads now see the changes)."""
        new = Message.parse(self.to_bytes(), lenient=self.header_error is not None)
        dst = self.dst_uri
        self.__dict__.update(new.__dict__)
        self._lumps = None
        self.dst_uri = dst
        return self
