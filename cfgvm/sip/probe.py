"""What real Kamailio 5.6 answers to one UDP datagram under ../shared/tools/probe.cfg
(force_rport(); if (!sanity_check()) exit; sl_send_reply("200", "Probe OK")): a status line or
"SILENT". This is the core's half of the msg-oracle comparison (tests/sip/test_verdicts.py).

Kamailio's receive path, reproduced:
1. parse_msg(): first line, then headers up to the first Via; its parser parses Via, CSeq, To,
   Content-Length and Retry-After eagerly and refuses duplicate Call-ID/To/CSeq/From/Content-Length/
   Max-Forwards, so any of these going wrong is a header error;
2. replies are not sanity-checked and go to the second Via (nowhere here): SILENT;
3. a request whose version is not SIP/2.0 (IS_SIP) is handed to non-SIP hooks: SILENT;
4. no Via, or no Call-ID/CSeq/From/To: dropped;
5. every reply (sanity's or the 200) is built by build_res_buf_from_sip_req(), which parses all
   headers: a header error anywhere means no reply at all; ACK is never answered.
"""
from .errors import SipParseError
from .message import Message
from . import sanity

_EAGER = {"via", "cseq", "to", "content-length", "retry-after"}
_UNIQUE = {"call-id", "to", "cseq", "from", "content-length", "max-forwards"}


def kamailio_header_error(msg):
    """The first header Kamailio's parse_headers() refuses: (index, SipParseError) or None."""
    seen = set()
    for i, hf in enumerate(msg.headers()):
        k = hf.key
        if k in _UNIQUE:
            if k in seen:
                return i, SipParseError(hf.name, "duplicate header")
            seen.add(k)
        if k in _EAGER:
            try:
                if k == "retry-after":
                    _retry_after(hf.body_raw)
                else:
                    hf.parsed
            except SipParseError as e:
                return i, e
    if msg.header_error is not None:
        return len(msg._h), msg.header_error
    return None


def _retry_after(body):
    t = body.strip(" \t\r\n")
    d = 0
    while d < len(t) and t[d].isdigit():
        d += 1
    if d == 0 or d > 10 or int(t[:d]) > 0xFFFFFFFF:
        raise SipParseError("Retry-After", "bad value")
    rest = t[d:].lstrip(" \t\r\n")
    if rest and rest[0] not in "(;":
        raise SipParseError("Retry-After", "junk after value")


def verdict(buf, msg_checks=sanity.DEFAULT_CHECKS, uri_checks=sanity.DEFAULT_URI_CHECKS,
            proxy_require=(), ok_status="200", ok_reason="Probe OK"):
    """Status line Kamailio sends back for buf under probe.cfg, or "SILENT"."""
    try:
        msg = Message.parse(buf, lenient=True)
    except SipParseError:
        return "SILENT"
    if not msg.is_request or not msg.is_sip:
        return "SILENT"
    if kamailio_header_error(msg) is not None:
        return "SILENT"
    _cut_after_bare_cr_to(msg)
    for name in ("via", "call-id", "cseq", "from", "to"):
        if msg.header(name) is None:
            return "SILENT"
    if msg.method_known == "ACK":
        return "SILENT"
    f = sanity.check(msg, msg_checks, uri_checks, proxy_require)
    if f is not None:
        return "SILENT" if f.code is None else f"SIP/2.0 {f.code} {f.reason}"
    return f"SIP/2.0 {ok_status} {ok_reason}"


def _cut_after_bare_cr_to(msg):
    """Kamailio's parse_to() stops at a CR not followed by LF ("To: x\r\r\n"): the "\r\n" left
    over reads as the empty line, so the headers after it and the real body are never seen."""
    t = msg.text
    for i, e in enumerate(msg._h):
        if e[0] == "to" and t.startswith("\r\r", e[4]):
            msg._h = msg._h[:i + 1]
            msg._idx = {}
            for j, ee in enumerate(msg._h):
                msg._idx.setdefault(ee[0], []).append(j)
            msg.eoh = e[4] + 1
            msg.body_start = e[4] + 3
            return
