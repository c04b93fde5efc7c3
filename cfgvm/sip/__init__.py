"""cfgvm.sip -- the sans-IO SIP message core (no sockets, threads or clocks in here).

Entry points
------------
Message.parse(buf, lenient=False) -> Message        (message.py; SipParseError on malformed input)
    .is_request / .is_reply, .method, .method_known, .version, .status (int), .reason
    .ruri_str, .ruri (SipUri), .new_uri (R-URI rewrite, $ru writes), .current_uri_str ($ru),
    .dst_uri ($du)
    .headers(name=None) -> [HeaderField]   all with that name, in order (compact/long, any case)
    .header(name) -> HeaderField | None    first; .header_count(name); .hdr(name, idx) = $hdr()
    hot-path readers without HeaderField objects: .has_header(name), .first_index(name),
    .iter_headers() (lazy); .overwrite(offset, text) = same-length in-place change (maxfwd)
    HeaderField: .name, .key, .body_raw, .text, .parsed (lazy, cached), .start/.end offsets
    shortcuts: .via1, .vias(), .call_id, .cseq, .from_, .to, .max_forwards, .routes(name),
               .contacts(), .content_length, .content_type, .sdp()
    .body (bytes), .body_str (str), .text (whole buffer as latin-1 str), .buf (bytes)
    .lumps (LumpList: anchor/delete/insert_before/insert_after/replace/append_header/
            insert_header/remove_header/replace_body), .to_bytes(), .apply_changes()
parse_uri(text, opaque_ok=False) -> SipUri | OpaqueUri  (uri.py; unescape, escape_user)
parse_via / parse_nameaddr / parse_nameaddr_list / parse_contact / auth.parse_credentials /
    headers.parse_* (per header), sdp.parse_sdp, multipart.parse_multipart
reply.build_reply(msg, code, reason, ...) -> bytes; reply.reply_destination(msg, src) (RFC 3261
    18.2.2 / RFC 3581)
forward.prepare_forward(msg, ...) (Via on top with Kamailio's branch, Max-Forwards decrement);
    forward.received_edits(msg, ip, port) = the received=/rport= changes, shared with replies
sanity.check(msg, msg_checks, uri_checks) -> None | Failure(bit, code, reason, headers)
probe.verdict(buf) -> status line or "SILENT" (real Kamailio's answer under tools/probe.cfg)
stream.split_stream(data) -> (messages, rest): Content-Length framing for TCP-like streams

Text convention: SIP bytes are decoded as latin-1 (one char = one byte); every value handed out is
such a str.
"""
from .errors import SipParseError
from .message import Message, HeaderField, MAX_MESSAGE
from .uri import parse_uri, SipUri, OpaqueUri, unescape, escape_user, escape_param

__all__ = ["SipParseError", "Message", "HeaderField", "MAX_MESSAGE", "parse_uri", "SipUri",
           "OpaqueUri", "unescape", "escape_user", "escape_param"]
