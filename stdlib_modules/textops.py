"""textops: text operations on the message (Kamailio 5.6 src/modules/textops).

Searches read the received buffer (ctx.msg.text), changes are lumps (cfgvm.sip.lumps): reads keep
seeing the original until msg_apply_changes(), as in Kamailio. Regex arguments arrive compiled (REGEX
kind: POSIX ERE, case-insensitive, newline-sensitive as textops' fixup_regexp). Return codes as the C
functions: 1 ok / found, -1 not found or failure; cmp_str/cmp_istr/starts_with/ends_with -1 when the
first is greater, -2 when smaller; str_find/str_ifind the 1-based position; remove_hf* the number removed.
Headers queued for the reply (append_to_reply, append_time, set_reply_body) live in ctx.mod_state and
are used by sl when it builds a reply.
Multipart bodies (filter_body, get_body_part*, remove_body_part, set_body_multipart,
append_body_part*) follow 5.6.3's quirks: the part is found by a prefix match of its Content-Type
line (CRLF line ends only), filter_body keeps the part's other headers and leaves the message's
Content-Type, set_body_multipart quotes the boundary and its last delimiter stays bare, and
boundaries are normalised when the request is built (cfgvm.sip.multipart.check_boundaries).
subst* replacements may hold PVs (read per replacement, as re.c's REPLACE_SPEC).
"""
from __future__ import annotations

import re
import time

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, ONREPLY_ROUTE, PVAR, REGEX,
                           REQUEST_ROUTE, STR, Function, Module)
from cfgvm.compiler.regex import RegexError, translate
from cfgvm.sip import multipart as mp
from cfgvm.sip import sdp as sdp_mod
from cfgvm.sip.errors import SipParseError
from cfgvm.stdlib._common import pv_getter
from cfgvm.vm.transformations import tr_re

_RFB = REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE
_RFBO = _RFB | ONREPLY_ROUTE


# ---- helpers ----------------------------------------------------------------------------------
def _hdr_end(msg):
    """End of the header section (offset of the empty line) or the end of the message."""
    return msg.eoh if msg.eoh is not None else len(msg.text)


def _body_span(msg):
    return (msg.body_start, len(msg.text)) if msg.body_start is not None else (len(msg.text),
                                                                               len(msg.text))


def _compile(text, flags=re.IGNORECASE | re.MULTILINE):
    return re.compile(text, flags)


def _rx(x):
    return x if isinstance(x, re.Pattern) else _compile(x)


def _headers_named(msg, name):
    return msg.headers(name)


# ---- search / replace ------------------------------------------------------------------------
def search(ctx, mod, rx):
    return 1 if _rx(rx).search(ctx.msg.text) else -1


def search_body(ctx, mod, rx):
    s, e = _body_span(ctx.msg)
    return 1 if s < e and _rx(rx).search(ctx.msg.text, s, e) else -1


def search_str(ctx, mod, text, regex):
    try:
        rx = _compile(regex, re.IGNORECASE)
    except re.error:
        return -2
    return 1 if rx.search(text) else -1


def search_hf(ctx, mod, name, regex, flags):
    rx = _rx(regex)
    hs = _headers_named(ctx.msg, name)
    if flags == "f":
        hs = hs[:1]
    elif flags == "l":
        hs = hs[-1:]
    return 1 if any(rx.search(h.body_raw) for h in hs) else -1


def search_append(ctx, mod, rx, text, body=False):
    msg = ctx.msg
    s, e = _body_span(msg) if body else (0, len(msg.text))
    m = _rx(rx).search(msg.text, s, e)
    if not m:
        return -1
    msg.lumps.insert_after(m.end(), text)
    return 1


def search_append_body(ctx, mod, rx, text):
    return search_append(ctx, mod, rx, text, body=True)


def _replace(ctx, rx, text, span, all_=False):
    msg = ctx.msg
    s, e = span
    n = 0
    pos = s
    rx = _rx(rx)
    while pos <= e:
        m = rx.search(msg.text, pos, e)
        if not m:
            break
        if m.end() == m.start():        # empty match: Kamailio stops (no progress)
            break
        msg.lumps.replace(m.start(), m.end() - m.start(), text)
        n += 1
        pos = m.end()
        if not all_:
            break
    return 1 if n else -1


def replace(ctx, mod, rx, text):
    return _replace(ctx, rx, text, (0, len(ctx.msg.text)))


def replace_all(ctx, mod, rx, text):
    return _replace(ctx, rx, text, (0, len(ctx.msg.text)), True)


def replace_body(ctx, mod, rx, text):
    return _replace(ctx, rx, text, _body_span(ctx.msg))


def replace_body_all(ctx, mod, rx, text):
    return _replace(ctx, rx, text, _body_span(ctx.msg), True)


def replace_body_atonce(ctx, mod, rx, text):
    r = _rx(rx)
    return _replace(ctx, re.compile(r.pattern, r.flags & ~re.MULTILINE), text, _body_span(ctx.msg), True)


def replace_hdrs(ctx, mod, rx, text):
    return _replace(ctx, rx, text, (ctx.msg.hdr_start, _hdr_end(ctx.msg)))


def _replace_str(ctx, match, repl, mode, span):
    if mode not in ("f", "a") or not match:
        return -1
    msg = ctx.msg
    s, e = span
    n = 0
    pos = msg.text.find(match, s, e)
    while pos >= 0 and pos + len(match) <= e:
        msg.lumps.replace(pos, len(match), repl)
        n += 1
        if mode == "f":
            break
        pos = msg.text.find(match, pos + len(match), e)
    return 1 if n else -1


def replace_str(ctx, mod, match, repl, mode):
    return _replace_str(ctx, match, repl, mode, (0, len(ctx.msg.text)))


def replace_body_str(ctx, mod, match, repl, mode):
    return _replace_str(ctx, match, repl, mode, _body_span(ctx.msg))


def replace_hdrs_str(ctx, mod, match, repl, mode):
    return _replace_str(ctx, match, repl, mode, (ctx.msg.hdr_start, _hdr_end(ctx.msg)))


# ---- subst -------------------------------------------------------------------------------------
def fixup_subst(args, coord, program):
    """'/re/repl/flags' compiled once (re.subst's parser); errors are config errors."""
    out = []
    for a in args:
        text = a.value if hasattr(a, "value") else a
        out.append(tr_re.compile_subst(text))
    return out


def _getter(ctx, pieces):
    return pv_getter(ctx) if tr_re.has_pvs(pieces) else None


def _subst_text(ctx, sub, text):
    rx, pieces, glob = sub
    get_pv = _getter(ctx, pieces)
    n = 0
    out = []
    pos = 0
    for m in rx.finditer(text):
        out.append(text[pos:m.start()])
        out.append(tr_re._expand(pieces, m, get_pv))
        pos = m.end()
        n += 1
        if not glob:
            break
    out.append(text[pos:])
    return n, "".join(out)


def _subst_span(ctx, sub, span):
    rx, pieces, glob = sub
    get_pv = _getter(ctx, pieces)
    msg = ctx.msg
    s, e = span
    n = 0
    for m in rx.finditer(msg.text, s, e):
        msg.lumps.replace(m.start(), m.end() - m.start(), tr_re._expand(pieces, m, get_pv))
        n += 1
        if not glob:
            break
    return 1 if n else -1


def subst(ctx, mod, sub):
    """From the headers on: like Kamailio's subst_f, the first line is not searched [V]."""
    return _subst_span(ctx, sub, (ctx.msg.hdr_start, len(ctx.msg.text)))


def subst_body(ctx, mod, sub):
    return _subst_span(ctx, sub, _body_span(ctx.msg))


def subst_uri(ctx, mod, sub):
    msg = ctx.msg
    if not msg.is_request:
        return -1
    n, new = _subst_text(ctx, sub, msg.current_uri_str)
    if not n:
        return -1
    msg.new_uri = new
    return 1


def subst_user(ctx, mod, sub):
    from cfgvm.sip import SipParseError
    msg = ctx.msg
    if not msg.is_request:
        return -1
    try:
        u = msg.current_uri
    except SipParseError:
        return -1
    n, user = _subst_text(ctx, sub, u.user)
    if not n:
        return -1
    msg.new_uri = str(u.replace(user=user))
    return 1


def fixup_subst_hf(args, coord, program):
    name, expr, flags = (a.value if hasattr(a, "value") else a for a in args)
    return [name, tr_re.compile_subst(expr), flags]


def subst_hf(ctx, mod, name, sub, flags):
    hs = _headers_named(ctx.msg, name)
    if flags == "f":
        hs = hs[:1]
    elif flags == "l":
        hs = hs[-1:]
    done = -1
    for h in hs:
        if _subst_span(ctx, sub, (h.body_start, h.body_end)) > 0:
            done = 1
    return done


# ---- headers -----------------------------------------------------------------------------------
def append_hf(ctx, mod, text, after=None):
    msg = ctx.msg
    if after is None:
        msg.lumps.append_header(text)
        return 1
    hs = _headers_named(msg, after)
    if not hs:
        return -1
    msg.lumps.insert_after(hs[0].end, text)
    return 1


def insert_hf(ctx, mod, text, before=None):
    msg = ctx.msg
    if before is None:
        msg.lumps.insert_header(text)
        return 1
    hs = _headers_named(msg, before)
    if not hs:
        return -1
    msg.lumps.insert_before(hs[0].start, text)
    return 1


def append_urihf(ctx, mod, prefix, suffix):
    msg = ctx.msg
    msg.lumps.append_header(f"{prefix}{msg.current_uri_str}{suffix}")
    return 1


def _remove(ctx, hs):
    for h in hs:
        ctx.msg.lumps.remove_header(h)
    return len(hs) if hs else -1


def remove_hf(ctx, mod, name):
    return _remove(ctx, _headers_named(ctx.msg, name))


def remove_hf_re(ctx, mod, rx):
    rx = _rx(rx)
    return _remove(ctx, [h for h in ctx.msg.headers() if rx.search(h.name)])


def remove_hf_re_pv(ctx, mod, regex):
    try:
        return remove_hf_re(ctx, mod, _compile(regex, re.IGNORECASE))
    except re.error:
        return -1


def remove_hf_exp(ctx, mod, rx_match, rx_skip):
    m, s = _rx(rx_match), _rx(rx_skip)
    return _remove(ctx, [h for h in ctx.msg.headers() if m.search(h.name) and not s.search(h.name)])


def remove_hf_exp_pv(ctx, mod, match, skip):
    try:
        return remove_hf_exp(ctx, mod, _compile(match, re.IGNORECASE), _compile(skip, re.IGNORECASE))
    except re.error:
        return -1


def remove_hf_idx(ctx, mod, name, idx):
    hs = _headers_named(ctx.msg, name)
    try:
        h = hs[idx]
    except IndexError:
        return -1
    return _remove(ctx, [h])


_MATCH_OPS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
              "sw": lambda a, b: a.startswith(b), "re": lambda a, b: re.search(b, a, re.I) is not None,
              "fm": None}


def remove_hf_match(ctx, mod, name, op, expr):
    import fnmatch
    if op not in _MATCH_OPS:
        return -1
    if op == "fm":
        test = lambda v: fnmatch.fnmatchcase(v, expr)   # noqa: E731
    else:
        test = lambda v: _MATCH_OPS[op](v, expr)         # noqa: E731
    return _remove(ctx, [h for h in _headers_named(ctx.msg, name) if test(h.body_raw)])


def is_present_hf(ctx, mod, name):
    return 1 if ctx.msg.header(name) is not None else -1


def is_present_hf_re(ctx, mod, rx):
    rx = _rx(rx)
    return 1 if any(rx.search(h.name) for h in ctx.msg.headers()) else -1


def is_present_hf_re_pv(ctx, mod, regex):
    try:
        return is_present_hf_re(ctx, mod, _compile(regex, re.IGNORECASE))
    except re.error:
        return -1


# ---- reply side --------------------------------------------------------------------------------
def append_to_reply(ctx, mod, text):
    ctx.mod_state.setdefault("reply_lumps", []).append(text)
    return 1


def _date(ctx):
    return time.strftime("Date: %a, %d %b %Y %H:%M:%S GMT\r\n", time.gmtime(ctx.clock()))


def append_time(ctx, mod):
    return append_to_reply(ctx, mod, _date(ctx))


def append_time_to_request(ctx, mod):
    ctx.msg.lumps.append_header(_date(ctx))
    return 1


def set_reply_body(ctx, mod, body, ctype):
    if not body:
        return -1
    ctx.mod_state["reply_body"] = (body.encode("latin-1"), ctype or None)
    return 1


def set_body(ctx, mod, body, ctype):
    msg = ctx.msg
    if not body:
        return -1
    if msg.body_start is None:
        return -1
    msg.lumps.replace_body(body)
    ct = msg.header("content-type")
    # textops.c keeps the Content-Type header in place when its value is already the new type
    # (exact compare); otherwise the old one goes and the new one is appended at the end.
    if ctype and (ct is None or ct.body_raw.strip() != ctype):
        if ct is not None:
            msg.lumps.remove_header(ct)
        msg.lumps.append_header(f"Content-Type: {ctype}\r\n")
    if msg.header("content-length") is None:
        msg.lumps.append_header(f"Content-Length: {len(body)}\r\n")
    return 1


# ---- multipart bodies and SDP hold (textops.c filter_body .. is_audio_on_hold) ----------------
# All of them read the received body; the delimiter scans are cfgvm.sip.multipart's copies of the C
# line scanners. The ones that change the body set msg.body_multipart (FL_BODY_MULTIPART): the
# boundaries are normalised when the request is built (multipart.check_boundaries).
def _ct_value(msg):
    hf = msg.header("content-type")
    return hf.body_raw if hf is not None else None


def _is_multipart_mixed(msg):
    try:
        ct = msg.content_type
    except SipParseError:
        return False
    return ct is not None and ct.mime.lower() == "multipart/mixed"


def _find_part(text, start, end, ctype):
    """The C loop over part Content-Type lines: (line start, offset after the value's CRLF) of the
    first part whose type starts with ctype, or None. A matching prefix not followed by CRLF, or a
    value too short to compare, ends the search (the C code's `goto err`)."""
    p = start
    while True:
        hit = mp.find_ct_line(text, p, end)
        if hit is None:
            return None
        line, v = hit
        if end - v <= len(ctype) + 2:
            return None
        if text[v:v + len(ctype)].lower() == ctype.lower():
            e = v + len(ctype)
            return (line, e + 2) if text[e:e + 2] == "\r\n" else None
        p = v


def filter_body(ctx, mod, ctype):
    """Keep only the first part of that type: the part's own headers after its Content-Type stay,
    the message's Content-Type is not changed (as 5.6.3)."""
    msg = ctx.msg
    s, e = _body_span(msg)
    if s >= e or not _is_multipart_mixed(msg):
        return -1
    b = mp.ct_boundary(_ct_value(msg))
    if b is None:
        return -1
    hit = _find_part(msg.text, s, e, ctype)
    if hit is None:
        return -1
    p = hit[1]
    while p < e and msg.text[p] in "\r\n":
        p += 1
    q = mp.find_line_start(msg.text, b, p, e)
    if q is None:
        return -1
    msg.lumps.delete(s, p - s)
    msg.lumps.delete(q - 2, e - q + 2)
    return 1


def get_body_part(ctx, mod, ctype, ref, raw=False):
    """The part of that type (raw: with its Content-Type line and the closing delimiter line; else
    from after the Content-Type line to the delimiter); the whole body when the Content-Type has
    no parameters."""
    msg = ctx.msg
    s, e = _body_span(msg)
    if s >= e:
        return -1
    b = mp.ct_boundary(_ct_value(msg))
    if b is None:
        ref.set(ctx, msg.text[s:e])
        return 1
    hit = _find_part(msg.text, s, e, ctype)
    if hit is None:
        return -1
    line, hdr_end = hit
    q = mp.find_line_start(msg.text, b, hdr_end, e)
    if q is None:
        return -1
    t = mp.line_len(msg.text, q + len(b), e)
    if not t:
        return -1
    ref.set(ctx, msg.text[line:q + len(b) + t] if raw else msg.text[hdr_end:q])
    return 1


def get_body_part_raw(ctx, mod, ctype, ref):
    return get_body_part(ctx, mod, ctype, ref, raw=True)


def remove_body_part(ctx, mod, ctype):
    """Delete the first part of that type, from its Content-Type line through the next delimiter
    line (the delimiter before it stays)."""
    msg = ctx.msg
    s, e = _body_span(msg)
    if s >= e:
        return -1
    b = mp.ct_boundary(_ct_value(msg))
    if b is None:
        return -1
    hit = _find_part(msg.text, s, e, ctype)
    if hit is None:
        return -1
    line, hdr_end = hit
    q = mp.find_line_start(msg.text, b, hdr_end, e)
    if q is None:
        return -1
    t = mp.line_len(msg.text, q + len(b), e)
    if not t:
        return -1
    msg.lumps.delete(line, q + len(b) + t - line)
    msg.body_multipart = True
    return 1


_DEFAULT_BOUNDARY = "unique-boundary-1"


def _sbm_boundary(ctx, mod, boundary):
    """set_body_multipart(boundary): the one-parameter form names the boundary."""
    return set_body_multipart(ctx, mod, None, None, boundary)


def set_body_multipart(ctx, mod, body=None, ctype=None, boundary=None):
    """Turn the body into multipart/mixed (the old body, or the given one, as the first part);
    a body already multipart/mixed is left alone unless a new body is given."""
    msg = ctx.msg
    convert = not _is_multipart_mixed(msg)
    if not convert and not body:
        return 1
    delim = boundary or _DEFAULT_BOUNDARY
    if msg.body_start is None:
        return -1
    s, e = msg.body_start, len(msg.text)
    msg.lumps.body = []                     # del_nonshm_lump(&msg->body_lumps)
    old, old_ct = "", None
    if e > s:
        if convert and not body:
            old, old_ct = msg.text[s:e], _ct_value(msg)
        msg.lumps.delete(s, e - s)
    if not body and not old:
        return -1                           # "no body to be set in the message"
    if delim.startswith("-"):
        return -1
    if body:
        block = mp.part_block(delim, ctype or "text/plain", body, initial=True)
    else:
        block = mp.part_block(delim, old_ct or ctype or "text/plain", old, initial=True)
    anchor = msg.lumps.anchor(msg.eoh if msg.eoh is not None else s)
    if msg.header("content-length") is None:
        anchor.after(f"Content-Length: {len(block)}\r\n")
    if convert:
        ct = msg.header("content-type")
        if ct is not None:
            msg.lumps.remove_header(ct)
        anchor.after(f'Content-Type: multipart/mixed;boundary="{delim}"\r\n')
        msg.lumps.append_header("Mime-Version: 1.0\r\n")
    msg.lumps.anchor(s).after(block)
    msg.body_multipart = True
    return 1


def append_body_part(ctx, mod, text, ctype, disposition=""):
    """Add a part at the end of a multipart body (boundary from the Content-Type's first param)."""
    msg = ctx.msg
    if not text or not ctype:
        return -1
    s, e = _body_span(msg)
    if s >= e:
        return -1
    delim = mp.mixed_part_delimiter(_ct_value(msg))
    if delim is None or delim.startswith("-"):
        return -1
    msg.lumps.anchor(e).after(mp.part_block(delim, ctype, text, disposition or ""))
    msg.body_multipart = True
    return 1


def append_body_part_hex(ctx, mod, hextext, ctype, disposition=""):
    """append_body_part() of the bytes written in hex (spaces and tabs between digit pairs)."""
    digits = "".join(c for c in hextext if c not in " \t")
    if not digits or len(digits) % 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return -1
    return append_body_part(ctx, mod, bytes.fromhex(digits).decode("latin-1"), ctype, disposition)


def _sdp_sessions(msg):
    """parse_sdp(): one session per application/sdp body or multipart/mixed part; None on failure."""
    try:
        ct = msg.content_type
        if ct is None or not msg.body_str:
            return None
        mime = ct.mime.lower()
        if mime == "application/sdp":
            return [sdp_mod.parse_sdp(msg.body_str)]
        if mime == "multipart/mixed":
            out = []
            for part in mp.parse_multipart(msg.body_str, ct.params.get("boundary")):
                pct = part.content_type
                if pct is not None and pct.mime.lower() == "application/sdp":
                    out.append(sdp_mod.parse_sdp(part.body))
            return out
    except SipParseError:
        return None
    return None


_MODES = ("sendrecv", "recvonly", "inactive", "sendonly")


def _zero_ip(conn):
    return conn is not None and conn[1].upper() == "IP4" and conn[2] == "0.0.0.0"


def _stream_hold(media, session):
    """sdp.c: a=sendonly/inactive in the stream -> 2 (RFC 3264); else c=0.0.0.0 (the stream's,
    or the session's when the stream has none) -> 1 (RFC 2543), not for an ICE trickle port 9."""
    if any(k.lower() in ("sendonly", "inactive") for k, _ in media.attributes):
        return 2
    trickle = any(k.lower() == "ice-options" and "trickle" in (v or "").split()
                  for k, v in media.attributes)
    conn = media.connection if media.connection is not None else session.connection
    if _zero_ip(conn) and not (trickle and media.port == "9"):
        return 1
    return 0


def _session_hold(session):
    for k, _ in session.attributes:
        if k.lower() in _MODES:
            return 2 if k.lower() in ("inactive", "sendonly") else 0
    return 0


def is_audio_on_hold(ctx, mod):
    """The hold type of the first audio stream on hold: 1 (c=0.0.0.0) or 2 (sendonly/inactive)."""
    sessions = _sdp_sessions(ctx.msg)
    for sess in sessions or ():
        shold = _session_hold(sess)
        for media in sess.media:
            if media.type != "audio":
                continue
            h = _stream_hold(media, sess)
            if h:
                return h
            if shold:
                return shold
    return -1


# ---- message tests -----------------------------------------------------------------------------
def fixup_method(args, coord, program):
    text = args[0].value if hasattr(args[0], "value") else args[0]
    names = [t for t in text.split("|")]
    if not all(names):
        raise ValueError(f"invalid method list '{text}'")
    return [tuple(n.upper() for n in names)]


def is_method(ctx, mod, names):
    if isinstance(names, str):
        names = tuple(n.upper() for n in names.split("|"))
    msg = ctx.msg
    if msg.is_request:
        m = msg.method.upper()
    else:
        cs = msg.cseq
        if cs is None:
            return -1
        m = cs.method.upper()
    return 1 if m in names else -1


def has_body(ctx, mod, mime=None):
    msg = ctx.msg
    cl = msg.header("content-length")
    if cl is not None:
        try:
            if cl.parsed == 0:
                return -1
        except ValueError:
            return -1
    elif not msg.body:
        return -1
    if mime is None:
        return 1 if msg.body else -1
    ct = msg.content_type
    have = ct.mime if ct is not None else "application/sdp"
    return 1 if have.lower() == mime.lower() else -1


_PRIVACY = ("header", "session", "user", "none", "critical", "id", "history")


def is_privacy(ctx, mod, ptype):
    types = [t.lower() for t in ptype.split("|")]
    if not all(t in _PRIVACY for t in types):
        return -1
    h = ctx.msg.header("privacy")
    if h is None:
        return -1
    have = [t.strip(" \t").lower() for t in h.body_raw.split(";")]
    return 1 if any(t in have for t in types) else -1


def _list_items(lst, sep):
    return [i.strip(" \t") for i in lst.split(sep[0] if sep else ",")]


def in_list(ctx, mod, subject, lst, sep):
    if not sep:
        return -1
    return 1 if subject in _list_items(lst, sep) else -1


def in_list_prefix(ctx, mod, subject, lst, sep):
    if not sep:
        return -1
    return 1 if any(i and subject.startswith(i) for i in _list_items(lst, sep)) else -1


def _cmp(a, b):
    return 1 if a == b else (-1 if a > b else -2)


def cmp_str(ctx, mod, a, b):
    return _cmp(a, b)


def cmp_istr(ctx, mod, a, b):
    return _cmp(a.lower(), b.lower())


def starts_with(ctx, mod, a, b):
    if len(a) < len(b):
        return -1
    return _cmp(a[:len(b)], b)


def ends_with(ctx, mod, a, b):
    if len(a) < len(b):
        return -1
    return _cmp(a[len(a) - len(b):], b)


def str_find(ctx, mod, text, needle):
    p = text.find(needle) if len(needle) <= len(text) else -1
    return p + 1 if p >= 0 else -1


def str_ifind(ctx, mod, text, needle):
    return str_find(ctx, mod, text.lower(), needle.lower())


def regex_substring(ctx, mod, text, regex, mindex, nmatch, ref):
    """One regexec with `nmatch` slots (slot 0 = whole match, then the groups), slot `mindex` stored.

    As textops 5.6: mindex > nmatch-1 -> -1; no match -> -2; an empty or unset slot -> -1. Kamailio
    passes REG_EXTENDED as the *eflags* of regexec, which is REG_NOTBOL: `^` never matches."""
    if mindex > nmatch - 1:
        return -1
    try:
        rx = re.compile(translate(regex))
    except (re.error, RegexError):
        return -1
    # searching from pos 1 of a padded text keeps `^` from matching at the start (REG_NOTBOL)
    m = rx.search("\0" + text, 1)
    if m is None:
        return -2
    if mindex > rx.groups:
        return -1
    part = m.group(mindex)
    if not part:
        return -1
    ref.set(ctx, part)
    return 1


def _trans():
    return {"re": tr_re.TABLE}


EXPORTS = Module(
    name="textops",
    functions=[
        Function("search", search, (REGEX,), ANY_ROUTE),
        Function("search_body", search_body, (REGEX,), ANY_ROUTE),
        Function("search_hf", search_hf, (STR, REGEX, STR), ANY_ROUTE),
        Function("search_append", search_append, (REGEX, STR), ANY_ROUTE),
        Function("search_append_body", search_append_body, (REGEX, STR), ANY_ROUTE),
        Function("replace", replace, (REGEX, STR), ANY_ROUTE),
        Function("replace_str", replace_str, (FMT, FMT, FMT), ANY_ROUTE),
        Function("replace_body", replace_body, (REGEX, STR), ANY_ROUTE),
        Function("replace_body_str", replace_body_str, (FMT, FMT, FMT), ANY_ROUTE),
        Function("replace_hdrs", replace_hdrs, (REGEX, STR), ANY_ROUTE),
        Function("replace_hdrs_str", replace_hdrs_str, (FMT, FMT, FMT), ANY_ROUTE),
        Function("replace_all", replace_all, (REGEX, STR), ANY_ROUTE),
        Function("replace_body_all", replace_body_all, (REGEX, STR), ANY_ROUTE),
        Function("replace_body_atonce", replace_body_atonce, (REGEX, STR), ANY_ROUTE),
        Function("append_to_reply", append_to_reply, (FMT,), _RFB),
        Function("append_hf", append_hf, (FMT,), ANY_ROUTE),
        Function("append_hf", append_hf, (FMT, STR), ANY_ROUTE),
        Function("insert_hf", insert_hf, (FMT,), ANY_ROUTE),
        Function("insert_hf", insert_hf, (FMT, STR), ANY_ROUTE),
        Function("append_urihf", append_urihf, (STR, STR), _RFB),
        Function("remove_hf", remove_hf, (STR,), ANY_ROUTE),
        Function("remove_hf_idx", remove_hf_idx, (FMT, IGP), ANY_ROUTE),
        Function("remove_hf_re", remove_hf_re, (REGEX,), ANY_ROUTE),
        Function("remove_hf_exp", remove_hf_exp, (REGEX, REGEX), ANY_ROUTE),
        Function("is_present_hf", is_present_hf, (STR,), ANY_ROUTE),
        Function("is_present_hf_re", is_present_hf_re, (REGEX,), ANY_ROUTE),
        Function("remove_hf_pv", remove_hf, (FMT,), ANY_ROUTE),
        Function("remove_hf_re_pv", remove_hf_re_pv, (FMT,), ANY_ROUTE),
        Function("remove_hf_exp_pv", remove_hf_exp_pv, (FMT, FMT), ANY_ROUTE),
        Function("remove_hf_match", remove_hf_match, (FMT, FMT, FMT), ANY_ROUTE),
        Function("is_present_hf_pv", is_present_hf, (FMT,), ANY_ROUTE),
        Function("is_present_hf_re_pv", is_present_hf_re_pv, (FMT,), ANY_ROUTE),
        Function("subst", subst, (STR,), ANY_ROUTE, fixup=fixup_subst),
        Function("subst_uri", subst_uri, (STR,), _RFBO, fixup=fixup_subst),
        Function("subst_user", subst_user, (STR,), _RFBO, fixup=fixup_subst),
        Function("subst_body", subst_body, (STR,), ANY_ROUTE, fixup=fixup_subst),
        Function("subst_hf", subst_hf, (STR, STR, STR), ANY_ROUTE, fixup=fixup_subst_hf),
        Function("append_time", append_time, (), _RFB),
        Function("set_body", set_body, (FMT, FMT), _RFBO),
        Function("set_reply_body", set_reply_body, (FMT, FMT), _RFB),
        Function("is_method", is_method, (STR,), ANY_ROUTE, fixup=fixup_method),
        Function("has_body", has_body, (), ANY_ROUTE),
        Function("has_body", has_body, (STR,), ANY_ROUTE),
        Function("is_privacy", is_privacy, (STR,), ANY_ROUTE),
        Function("in_list", in_list, (FMT, FMT, STR), ANY_ROUTE),
        Function("in_list_prefix", in_list_prefix, (FMT, FMT, STR), ANY_ROUTE),
        Function("cmp_str", cmp_str, (FMT, FMT), ANY_ROUTE),
        Function("cmp_istr", cmp_istr, (FMT, FMT), ANY_ROUTE),
        Function("search_str", search_str, (FMT, FMT), ANY_ROUTE),
        Function("starts_with", starts_with, (FMT, FMT), ANY_ROUTE),
        Function("ends_with", ends_with, (FMT, FMT), ANY_ROUTE),
        Function("str_find", str_find, (FMT, FMT), ANY_ROUTE),
        Function("str_ifind", str_ifind, (FMT, FMT), ANY_ROUTE),
        Function("append_time_to_request", append_time_to_request, (), ANY_ROUTE),
        Function("regex_substring", regex_substring, (FMT, FMT, IGP, IGP, PVAR), _RFBO),
        Function("filter_body", filter_body, (STR,), ANY_ROUTE),
        Function("is_audio_on_hold", is_audio_on_hold, (), ANY_ROUTE),
        Function("set_body_multipart", set_body_multipart, (), _RFB),
        Function("set_body_multipart", _sbm_boundary, (FMT,), _RFB),
        Function("set_body_multipart", set_body_multipart, (FMT, FMT), _RFB),
        Function("set_body_multipart", set_body_multipart, (FMT, FMT, FMT), _RFB),
        Function("append_body_part", append_body_part, (FMT, FMT), _RFB),
        Function("append_body_part", append_body_part, (FMT, FMT, FMT), _RFB),
        Function("append_body_part_hex", append_body_part_hex, (FMT, FMT), _RFB),
        Function("append_body_part_hex", append_body_part_hex, (FMT, FMT, FMT), _RFB),
        Function("remove_body_part", remove_body_part, (FMT,), _RFB),
        Function("get_body_part_raw", get_body_part_raw, (FMT, PVAR), _RFBO),
        Function("get_body_part", get_body_part, (FMT, PVAR), _RFBO),
    ],
    transformations={"re": tr_re.TABLE},
)
