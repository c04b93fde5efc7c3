"""CANCEL and hop-by-hop ACK built from the INVITE tm sent on a branch (Kamailio's
build_local_reparse, used with reparse_invite=1, the default).

From the sent INVITE: the request line with the method replaced; only the first Via; From,
Call-ID, Route and Max-Forwards copied; To copied (or, for the ACK of a negative reply, the reply's
To header, which carries the to-tag); CSeq with the method replaced; Require and Proxy-Require
dropped; Content-Length copied with value 0; any other header dropped unless it starts with the
`ac_extra_hdrs` prefix. A CANCEL gets the Reason header(s) of the CANCEL it propagates (e2e), or
"Reason: SIP;cause=N[;text="..."]" when tm cancels by itself (local_cancel_reason).
"""
from __future__ import annotations

from cfgvm.sip import Message

_COPY = {"from", "call-id", "route", "max-forwards"}
_DROP = {"require", "proxy-require"}


def build_local(invite: bytes, method: str, to_header: str | None = None, reasons: tuple = (),
                extra_prefix: str = "") -> bytes:
    """The CANCEL/ACK for a sent INVITE buffer. to_header: the whole To header line (CRLF
    included) of the reply, for the ACK; reasons: Reason header lines to add."""
    msg = Message.parse(invite, lenient=True)
    text = msg.text
    line_end = text.index("\n") + 1
    first = text[:line_end]
    sp = first.index(" ")
    out = [method + first[sp:]]
    first_via = True
    for hf in msg.headers():
        k = hf.key
        line = hf.text
        if k == "via":
            if first_via:
                out.append(line)
                first_via = False
        elif k == "to":
            out.append(to_header if to_header else line)
        elif k == "cseq":
            out.append(f"{text[hf.start:hf.body_start]}{hf.parsed.number} {method}\r\n")
        elif k == "content-length":
            out.append(f"{hf.name}: 0\r\n")
        elif k in _COPY:
            out.append(line)
        elif k in _DROP:
            continue
        elif extra_prefix and line[:len(extra_prefix)].lower() == extra_prefix.lower():
            out.append(line)
    out.extend(reasons)
    out.append("\r\n")
    return "".join(out).encode("latin-1")


def reason_header(cause: int, text: str | None = None) -> str:
    r = f"Reason: SIP;cause={cause}"
    if text:
        r += f';text="{text}"'
    return r + "\r\n"
