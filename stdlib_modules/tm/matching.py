"""Matching messages to transactions (RFC 3261 §17.1.3 / §17.2.3; Kamailio t_lookup.c).

Requests, RFC 3261 style (top Via branch starts with the magic cookie z9hG4bK): the same branch and
sent-by (host, port) and the same method, where an ACK matches its INVITE and a CANCEL is its own
transaction (t_lookupOriginalT finds the INVITE with the same key).
Requests, RFC 2543 style (no cookie): Call-ID, CSeq number, From tag, top Via (sent-by and branch)
and the R-URI must be equal; a request other than ACK also needs the same To; an ACK needs the
to-tag of the reply tm sent.
Replies: the top Via branch tm wrote, "z9hG4bK<hash>.<label>.<branch>" (reverse hex), and the CSeq
method (the transaction's method, or CANCEL for the reply to a CANCEL tm sent on that branch).
"""
from __future__ import annotations

MAGIC = "z9hG4bK"


def _method_class(msg) -> str:
    m = msg.method_known or msg.method
    return "INVITE" if m == "ACK" else m


def _via_key(msg):
    v = msg.via1
    return (v.host.lower(), v.port_no or 5060)


def request_keys(msg):
    """(3261 key or None, 2543 key) of a request."""
    v = msg.via1
    cls = _method_class(msg)
    if v.branch and v.branch.startswith(MAGIC):
        return (v.branch, *_via_key(msg), cls), None
    fr = msg.from_
    return None, (msg.call_id, msg.cseq.number, fr.tag if fr else None, *_via_key(msg), v.branch or "", cls)


def lookup_request(table, msg, method_class=None):
    """The transaction msg belongs to, or None. method_class forces the class (CANCEL -> INVITE)."""
    k3261, k2543 = request_keys(msg)
    if k3261 is not None:
        if method_class:
            k3261 = k3261[:-1] + (method_class,)
        return table.by3261.get(k3261)
    if method_class:
        k2543 = k2543[:-1] + (method_class,)
    for t in table.by2543.get(k2543, ()):
        req = t.request
        if req.ruri_str != msg.ruri_str:
            continue
        m = msg.method_known or msg.method
        if m == "ACK" and method_class is None:
            to = msg.to
            if to is not None and to.tag == t.to_tag:
                return t
            continue
        if _to_text(req) == _to_text(msg):
            return t
    return None


def lookup_cancel(table, msg):
    """t_lookupOriginalT(): the INVITE transaction a CANCEL cancels."""
    return lookup_request(table, msg, "INVITE")


def _to_text(msg):
    hf = msg.header("to")
    return hf.body_raw.strip() if hf is not None else None


def parse_tm_branch(branch: str):
    """'z9hG4bK<hash>.<label>.<branch>' -> (hash_index, label, branch_no) or None."""
    if not branch or not branch.startswith(MAGIC):
        return None
    parts = branch[len(MAGIC):].split(".")
    if len(parts) != 3:
        return None
    try:
        return tuple(_rev_hex(p) for p in parts)
    except ValueError:
        return None


def _rev_hex(s: str) -> int:
    if not s or len(s) > 8:
        raise ValueError(s)
    return int(s[::-1], 16)


def match_reply(table, msg):
    """(transaction, branch index, is_reply_to_cancel) for a reply, or None."""
    v = msg.via1
    ids = parse_tm_branch(v.branch if v is not None else None)
    if ids is None:
        return None
    hidx, label, b = ids
    t = table.by_label.get((hidx, label))
    if t is None or b >= len(t.uacs):
        return None
    cs = msg.cseq
    if cs is None:
        return None
    method = cs.method.upper()
    if method == "CANCEL" and t.is_invite:
        return t, b, True
    if method != t.method:
        return None
    return t, b, False
