"""Replies built from a request as sl/tm do (build_res_buf_from_sip_req), and where they go.

Layout: status line; the request's Via headers in order (the top one with received= and rport= as
the receiving side fills them); Record-Route when 180 <= code < 300; From, Call-ID, CSeq and To in
their original order (To gets ;tag= when it has none and code > 100); extra headers (e.g. sanity's
Unsupported:); Server:; Content-Length; empty line; body.
"""
from .forward import add_received

# headers copied into a reply
_COPIED = {"via", "from", "call-id", "cseq", "to"}


def build_reply(msg, code, reason, to_tag=None, src_ip=None, src_port=None, force_rport=False,
                server=None, extra_headers=(), body=b"", content_type=None):
    """The reply bytes. src_ip/src_port: where the request came from (for received/rport)."""
    if not msg.is_request:
        raise ValueError("cannot reply to a reply")
    t = msg.text
    out = [f"SIP/2.0 {code} {reason}\r\n"]
    first_via = True
    for hf in msg.headers():
        k = hf.key
        if k == "record-route" and 180 <= code < 300:
            out.append(hf.text)
        if k not in _COPIED:
            continue
        if k == "via" and first_via:
            first_via = False
            line = hf.text
            if src_ip is not None:
                tmp = type(msg).parse(msg.buf)
                add_received(tmp, src_ip, src_port, force_rport)
                h2 = tmp.header("via")
                new = tmp.to_bytes().decode("latin-1")
                # the rebuilt first Via spans from its start to where the next header begins
                delta = len(new) - len(t)
                line = new[h2.start:h2.end + delta]
            out.append(line)
        elif k == "to" and code > 100 and msg.to is not None and msg.to.tag is None:
            tag = to_tag or "cfgvm-to-tag"
            out.append(t[hf.start:hf.body_start] + hf.body_raw.rstrip(" \t") + f";tag={tag}\r\n")
        else:
            out.append(hf.text)
    for h in extra_headers:
        out.append(h if h.endswith("\r\n") else h + "\r\n")
    if server:
        out.append(f"Server: {server}\r\n")
    if content_type and body:
        out.append(f"Content-Type: {content_type}\r\n")
    out.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(out).encode("latin-1") + (body if isinstance(body, bytes) else body.encode("latin-1"))


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
