"""Replies built from a request as sl/tm do (build_res_buf_from_sip_req), and where they go.

Layout: status line; the request's Via headers in order (the top one with received= and rport= as
the receiving side fills them); Record-Route when 180 <= code < 300; From, Call-ID, CSeq and To in
their original order (To gets ;tag= when it has none and code > 100); extra headers (e.g. sanity's
Unsupported:); Server:; Content-Length; empty line; body.
"""
from .errors import SipParseError
from .forward import via_edits

# headers copied into a reply (Record-Route too when 180 <= code < 300)
_COPIED = frozenset({"via", "from", "call-id", "cseq", "to"})
_COPIED_RR = _COPIED | {"record-route"}
_BLANKS = " \t"


def build_reply(msg, code, reason, to_tag=None, src_ip=None, src_port=None, force_rport=False,
                server=None, extra_headers=(), body=b"", content_type=None):
    """The reply bytes. src_ip/src_port: where the request came from (for received/rport)."""
    if not msg.is_request:
        raise ValueError("cannot reply to a reply")
    t = msg.text
    out = [f"SIP/2.0 {code} {reason}\r\n"]
    first_via = src_ip is not None     # the top Via gets received=/rport= (when src_ip is known)
    tag_to = code > 100                # To gets the tag when it has none (decided at the To header:
    h = msg._hl                        # parsing it may raise)
    lines = msg._lines if h is None else None     # the usual block: each line is its header's text
    taken = _COPIED_RR if 180 <= code < 300 else _COPIED
    for i, k in enumerate(msg._keys if h is None else [e[0] for e in h]):
        if k not in taken:
            continue
        if first_via and k == "via":
            first_via = False
            if msg.header_error is not None:
                # received= needs every header parsed, as Kamailio's reply builder: none
                e = msg.header_error
                raise SipParseError(e.where, e.why, e.status)
            if lines is not None:
                text = lines[i]
                hbody = text.partition(":")[2].lstrip(" \t")
                at = len(text) - len(hbody)
                text += "\r\n"
            else:
                e = h[i]
                text, hbody, at = t[e[1]:e[5]], t[e[3]:e[4]], e[3] - e[1]
            out.append(_edited(text, at, via_edits(msg._parsed_at(i)[0], hbody, src_ip, src_port,
                                                   force_rport)))
        elif tag_to and k == "to" and (to := msg.to) is not None and to.tag is None:
            tag_to = False
            if lines is not None:
                line = lines[i]
                hbody = line.partition(":")[2].lstrip(" \t")
                head = line[:len(line) - len(hbody)]
            else:
                e = h[i]
                head, hbody = t[e[1]:e[3]], t[e[3]:e[4]]
            out.append(f"{head}{hbody.rstrip(_BLANKS)};tag={to_tag or 'cfgvm-to-tag'}\r\n")
        else:
            if k == "via":
                first_via = False
            elif k == "to":
                tag_to = False         # only the first To (the one msg.to parses) gets a tag
            if lines is not None:
                out += (lines[i], "\r\n")
            else:
                e = h[i]
                out.append(t[e[1]:e[5]])
    for extra in extra_headers:
        out.append(extra if extra.endswith("\r\n") else extra + "\r\n")
    if server:
        out.append(f"Server: {server}\r\n")
    if content_type and body:
        out.append(f"Content-Type: {content_type}\r\n")
    out.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(out).encode("latin-1") + (body if isinstance(body, bytes) else body.encode("latin-1"))


def _edited(text, base, edits):
    """text with edits [(offset from base, length, new text)] applied as lumps would be (stable
    order by offset; an edit inside an earlier deletion moves to its end)."""
    out = []
    s = 0
    if len(edits) > 2 or (len(edits) == 2 and edits[0][0] > edits[1][0]):
        edits = sorted(edits, key=lambda e: e[0])
    for off, length, new in edits:
        off += base
        if off < s:
            length = max(0, length - (s - off))
            off = s
        out.append(text[s:off])
        out.append(new)
        s = off + length
    out.append(text[s:])
    return "".join(out)


def reply_destination(msg, src_ip, src_port, reliable=False, kamailio=True):
    """(host, port) the reply goes to.

    RFC 3261 18.2.2 / RFC 3581: reliable transport -> the connection's source; maddr -> maddr and
    sent-by port (default 5060); otherwise the source IP ("received") and, when the Via carries
    rport, the source port, else the sent-by port (default 5060).
    kamailio=True follows Kamailio's default (reply_to_via=0): always the source IP, maddr ignored.
    """
    v = msg.via1
    if reliable:
        return src_ip, src_port
    port = src_port if v.has_rport else (v.port_no or 5060)
    if not kamailio and v.maddr:
        return v.maddr, v.port_no or 5060
    return src_ip, port
