"""Preparing a request for forwarding: Via on top with Kamailio's branch, received/rport on the
received top Via, Max-Forwards decrement -- all as lumps on the message.

Stateless branch (forward_request + char_msg_val + branch_builder):
    "z9hG4bK" + reverse_hex(hash(Call-ID, CSeq number)) + "." + md5hex(key) + "." + "0"
with key = From tag, To tag (not for INVITE/ACK/CANCEL), Call-ID, R-URI, CSeq number, top Via host,
top Via port, top Via branch (each trimmed; empty parts skipped).
Stateful (tm) branch: "z9hG4bK" + reverse_hex(hash_index) + "." + reverse_hex(label) + "." +
reverse_hex(branch number).
"""
import hashlib

from .errors import SipParseError

MCOOKIE = "z9hG4bK"
TABLE_ENTRIES = 1 << 16      # tm's hash table size (T_TABLE_POWER = 16)
_U32 = 0xFFFFFFFF


def _sc(c):
    """A C (signed) char of the latin-1 text."""
    v = ord(c)
    return v - 256 if v > 127 else v


def _hash_update(s, h):
    n = len(s)
    p = 0
    while p <= n - 4:
        v = ((_sc(s[p]) << 24) + (_sc(s[p + 1]) << 16) + (_sc(s[p + 2]) << 8) + _sc(s[p + 3])) & _U32
        h = (h + (v ^ (v >> 3))) & _U32
        p += 4
    rest = n - p
    if rest == 3:
        v = (_sc(s[p]) << 16) + (_sc(s[p + 1]) << 8) + _sc(s[p + 2])
    elif rest == 2:
        v = (_sc(s[p]) << 8) + _sc(s[p + 1])
    elif rest == 1:
        v = _sc(s[p])
    else:
        v = 0
    v &= _U32
    return (h + (v ^ (v >> 3))) & _U32


def hash_index(call_id, cseq_number):
    """tm/core transaction hash: get_hash2_raw(Call-ID, CSeq number) & (TABLE_ENTRIES-1)."""
    h = _hash_update(cseq_number, _hash_update(call_id, 0))
    h = ((h + (h >> 11)) + ((h >> 13) + (h >> 23))) & _U32
    return h & (TABLE_ENTRIES - 1)


def reverse_hex(n):
    """int2reverse_hex(): hex digits, least significant first."""
    if n == 0:
        return "0"
    out = []
    while n:
        d = n & 0xF
        out.append("0123456789abcdef"[d])
        n >>= 4
    return "".join(out)


def char_msg_val(msg):
    """MD5 (hex) of the request's transaction key, as char_msg_val()."""
    fr, to, cs, v1 = msg.from_, msg.to, msg.cseq, msg.via1
    if fr is None or to is None or cs is None or msg.call_id is None:
        raise SipParseError("transaction key", "missing From/To/CSeq/Call-ID")
    parts = [fr.tag or ""]
    parts.append("" if msg.method_known in ("INVITE", "ACK", "CANCEL") else (to.tag or ""))
    parts += [msg.call_id or "", msg.ruri_str, cs.number, v1.host, v1.port]
    if v1.branch is not None:
        parts.append(v1.branch)
    md5 = hashlib.md5()
    for p in parts:
        p = p.strip(" \t\r\n")
        if p:
            md5.update(p.encode("latin-1"))
    return md5.hexdigest()


def stateless_branch(msg):
    cs = msg.cseq
    if cs is None:
        raise SipParseError("transaction key", "missing CSeq")
    return f"{MCOOKIE}{reverse_hex(hash_index(msg.call_id or '', cs.number))}.{char_msg_val(msg)}.0"


def tm_branch(hash_idx, label, branch_no=0):
    return f"{MCOOKIE}{reverse_hex(hash_idx)}.{reverse_hex(label)}.{reverse_hex(branch_no)}"


def via_line(host, port, transport="UDP", branch="", rport=False, extra=""):
    """The Via header Kamailio inserts (port omitted when 5060 on UDP/TCP... it always writes it
    when not the default)."""
    hp = host if ":" not in host or host.startswith("[") else f"[{host}]"
    if port and int(port) != 5060:
        hp += f":{port}"
    s = f"Via: SIP/2.0/{transport.upper()} {hp};branch={branch}"
    if rport:
        s += ";rport"
    return s + extra + "\r\n"


# ---- extra params of the Via we add (create_via_hf), after the branch ----------------------------
VIA_SRVID, VIA_XAVP_PARAMS, VIA_XAVP_FIELDS = "via_srvid", "via_xavp_params", "via_xavp_fields"


def via_xavp_names(program) -> tuple:
    """(params xavp, fields xavp) as Kamailio 5.6.3 ends up with them. Its grammar stores
    xavp_via_fields into the *params* name (keeping the params length) and leaves the fields name
    unset, so via_use_xavp_fields() never applies and, when both are set, the params come from
    whichever name was assigned last, cut to (or overrunning) the xavp_via_params length."""
    cached = program.__dict__.get("_via_xavp_names")
    if cached is not None:
        return cached
    name, length = None, 0
    for p in getattr(getattr(program, "cfg", None), "params", ()):
        if p.name in ("xavp_via_params", "xavp_via_fields"):
            v = getattr(p.value, "value", p.value)
            name = str(v)
            if p.name == "xavp_via_params":
                length = len(name)
    params = name[:length] if length and name is not None and length <= len(name) else None
    cached = program.__dict__["_via_xavp_names"] = (params, None)
    return cached


def _xavp_serialize(record) -> str:
    """xavp_serialize_fields(): name=value; per field, newest first (Kamailio's child list order);
    ints unsigned, empty strings as a bare name. cfgvm's Record groups values by field name, so
    one name set several times interleaved with others keeps its values together."""
    out = []
    for fname in reversed(list(record)):
        for v in record[fname]:
            if isinstance(v, int):
                out.append(f";{fname}={v & 0xFFFFFFFF}")
            elif v == "":
                out.append(f";{fname}")
            elif v is not None:
                out.append(f";{fname}={v}")
    return "".join(out)


def local_via_params(ctx) -> str:
    """The params create_via_hf() puts after the branch (and ;i=): ;rport (local_rport or
    add_local_rport()), ;srvid=N (corex via_add_srvid() with a non-zero server_id), then the fields
    of the xavp named by xavp_via_params (corex via_add_xavp_params())."""
    from cfgvm.vm.avp import Record
    program = ctx.program
    params = getattr(program, "params", None) or {}
    state = ctx.mod_state
    out = ""
    if params.get("local_rport") or getattr(ctx, "add_local_rport", False):
        out += ";rport"
    sid = params.get("server_id", 0)
    if state.get(VIA_SRVID) and isinstance(sid, int) and sid:
        out += f";srvid={sid & 0xFFFFFFFF}"
    if state.get(VIA_XAVP_PARAMS):
        name = via_xavp_names(program)[0]
        entries = ctx.xavps.get(name) if name else None
        if entries and isinstance(entries[0], Record):
            out += _xavp_serialize(entries[0])
    return out


def received_edits(msg, src_ip, src_port=None, force_rport=False, after_sent_by=False):
    """The received=/rport= changes of the top Via, in Kamailio's order (build_res_buf_from_sip_req /
    build_req_buf_from_sip_req), as [(offset in msg.text, bytes replaced, text)] in creation order
    (via_edits() says which)."""
    pos = msg._idx.get("via")
    if not pos:
        raise AttributeError("received_edits: the message has no Via header")
    i = pos[0]
    base, body_end = msg.body_span(i)
    edits = via_edits(msg._parsed_at(i)[0], msg.text[base:body_end], src_ip, src_port, force_rport,
                      after_sent_by)
    return [(base + off, n, text) for off, n, text in edits]


def via_edits(v, body, src_ip, src_port=None, force_rport=False, after_sent_by=False):
    """received_edits() of the via-parm v of the Via header body `body`, with offsets in that body:
    an existing ;rport gets its value in place (else ;rport=port is appended when forced), then
    ;received=ip is appended when the sent-by host is not the source IP (RFC 3261 18.2.1) or the Via
    carries ;rport (RFC 3581; Kamailio's received_test).
    after_sent_by: received goes right after host[:port], before the other params, as Kamailio
    writes it into a forwarded request (replies get it at the end)."""
    edits = []
    has_rport = v.has_rport
    if src_port is not None and (has_rport or force_rport):
        if has_rport:
            i = body.lower().find(";rport", v.start, v.params_end)
            j = i + 6
            while j < v.params_end and body[j] != ";":
                j += 1
            edits.append((i, j - i, f";rport={src_port}"))
        else:
            edits.append((v.params_end, 0, f";rport={src_port}"))
    host = v.host[1:-1] if v.host.startswith("[") else v.host
    # received_test(): a Via asking for rport gets received= too, even from the sent-by address
    if host != src_ip or has_rport:
        ip = f"[{src_ip}]" if ":" in src_ip else src_ip
        at = v.params_end
        if after_sent_by and v.params_str:
            at -= len(v.params_str) + 1
        edits.append((at, 0, f";received={ip}"))
    return edits


def add_received(msg, src_ip, src_port=None, force_rport=False, after_sent_by=False):
    """received_edits() as lumps on msg. Returns True when something was added."""
    edits = received_edits(msg, src_ip, src_port, force_rport, after_sent_by)
    for off, length, text in edits:
        if length:
            msg.lumps.replace(off, length, text)
        else:
            msg.lumps.insert_after(off, text)
    return bool(edits)


def decrement_max_forwards(msg, default=70):
    """mf_process_maxfwd_header(): returns the value after decrement (lump), the default written
    as a new header when absent, or -1 when it is already 0 (caller replies 483)."""
    hf = msg.header("max-forwards")
    if hf is None:
        msg.lumps.insert_header(f"Max-Forwards: {default}\r\n")
        return default
    v = hf.parsed
    if v == 0:
        return -1
    msg.lumps.replace(hf.body_start, hf.body_end - hf.body_start, str(v - 1))
    return v - 1


def prepare_forward(msg, host, port, transport="UDP", branch=None, src_ip=None, src_port=None,
                    force_rport=False, extra=""):
    """Lumps for a stateless forward: received/rport on the old top Via, a new top Via (extra: params
    after the branch, e.g. `;i=N`). Returns the branch used."""
    if branch is None:
        branch = stateless_branch(msg)
    if src_ip is not None:
        add_received(msg, src_ip, src_port, force_rport, after_sent_by=True)
    first_via = msg.header("via")
    msg.lumps.insert_before(first_via.start, via_line(host, port, transport, branch, extra=extra))
    return branch
