"""Replies built from a request as sl/tm do (build_res_buf_from_sip_req), and where they go.

Layout: status line; the request's Via headers in order (the top one with received= and rport= as
the receiving side fills them); Record-Route when 180 <= code < 300; From, Call-ID, CSeq and To in
their original order (To gets ;tag= when it has none and code > 100); extra headers (e.g. sanity's
Unsupported:); Server:; Content-Length; empty line; body.
"""
from .errors import SipParseError
from .forward import received_edits

# headers copied into a reply (Record-Route too when 180 <= code < 300)
_COPIED = frozenset({"via", "from", "call-id", "cseq", "to"})
_COPIED_RR = _COPIED | {"record-route"}


def build_reply(msg, code, reason, to_tag=None, src_ip=None, src_port=None, force_rport=False,
                server=None, extra_headers=(), body=b"", content_type=None):
    """The reply bytes. src_ip/src_port: where the request came from (for received/rport)."""
    if not msg.is_request:
        raise ValueError("cannot reply to a reply")
    t = msg.text
    out = [f"SIP/2.0 {code} {reason}\r\n"]
    first_via = True
    tag_to = None                  # decided at the To header (parsing it may raise)
    taken = _COPIED_RR if 180 <= code < 300 else _COPIED
    run_start = run_end = 0        # headers copied as they are, back to back, go as one slice
    for k, start, _, body_start, body_end, end in msg._h:
        if k not in taken:
            continue
        if k == "via" and first_via and src_ip is not None:
            first_via = False
            if msg.header_error is not None:
                # received= needs every header parsed, as Kamailio's reply builder: none
                e = msg.header_error
                raise SipParseError(e.where, e.why, e.status)
            text = _edited(t, start, end, received_edits(msg, src_ip, src_port, force_rport))
        elif k == "to" and code > 100 and (tag_to if tag_to is not None else
                                           (tag_to := msg.to is not None and msg.to.tag is None)):
            tag = to_tag or "cfgvm-to-tag"
            text = t[start:body_start] + t[body_start:body_end].rstrip(" \t") + f";tag={tag}\r\n"
        else:
            if k == "via":
                first_via = False
            if start == run_end:
                run_end = end
            else:
                if run_end:
                    out.append(t[run_start:run_end])
                run_start, run_end = start, end
            continue
        if run_end:
            out.append(t[run_start:run_end])
            run_end = 0
        out.append(text)
    if run_end:
        out.append(t[run_start:run_end])
    for h in extra_headers:
        out.append(h if h.endswith("\r\n") else h + "\r\n")
    if server:
        out.append(f"Server: {server}\r\n")
    if content_type and body:
        out.append(f"Content-Type: {content_type}\r\n")
    out.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(out).encode("latin-1") + (body if isinstance(body, bytes) else body.encode("latin-1"))


def _edited(t, start, end, edits):
    """t[start:end] with edits [(offset, length, text)] applied as lumps would be (stable order by
    offset; an edit inside an earlier deletion moves to its end)."""
    out = []
    s = start
    if len(edits) > 2 or (len(edits) == 2 and edits[0][0] > edits[1][0]):
        edits = sorted(edits, key=lambda e: e[0])
    for off, length, text in edits:
        if off < s:
            length = max(0, length - (s - off))
            off = s
        out.append(t[s:off])
        out.append(text)
        s = off + length
    out.append(t[s:end])
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
