"""Lumps: pending changes to a message, applied when it is serialised (Kamailio's data_lump.c).

Model (as in Kamailio):
- the message keeps two ordered lists of *main* lumps, one for the headers and first line and one for
  the body (a lump whose offset is past the end of the headers goes to the body list);
- a main lump is an anchor (NOP, a position) or a deletion (DEL, offset + length); a new main lump
  is placed after every DEL/NOP whose offset is <= its own (stable for equal offsets);
- text is added through a main lump: before() / after() chain ADD lumps on it. The newest before()
  text is written first (farthest from the anchor), the newest after() text right after the anchor;
- serialisation copies the original up to each main lump, writes its before-chain, skips the deleted
  bytes, writes its after-chain. A DEL overlapping an earlier deletion is trimmed to what is left; a
  lump whose offset falls inside an earlier deletion is moved to that deletion's end (lumps_len()).
- replace(offset, len, text) = delete + after(text), as Kamailio's modules do.

Send-time lumps (data_lump.h LUMP_ADD_OPT / LUMP_ADD_SUBST), resolved by apply(send, recv):
- a Cond item in a before/after chain is checked when the message is built for a given outgoing
  socket; when false, the rest of that chain (everything written after it) is skipped;
- a Subst item writes an address of the receiving or the sending socket (SUBST_RCV_* / SUBST_SND_*);
- Tagged text and a main lump's .tag carry Kamailio's lump type (HDR_RECORDROUTE_T for rr), so a
  module can find or remove what it added.
A socket is any object with proto, ip, port, adv_host, adv_port (cfgvm.transport.sockets.SocketInfo);
the receiving one may also be the ReceiveInfo ($Ri/$Rp: dst_ip, dst_port). Without a send socket a
condition is true, as Kamailio's lump_check_opt() presumes with a null send socket; a substitution
without the socket it names is refused (ValueError), never written empty.
"""

import re

NOP, DEL, ADD = "nop", "del", "add"
SIP_PORT = 5060

# Conditions (data_lump.h enum lump_conditions) and substitutions (enum lump_subst).
COND_TRUE, COND_FALSE = "true", "false"
COND_IF_DIFF_REALMS, COND_IF_DIFF_AF, COND_IF_DIFF_PROTO = "diff_realms", "diff_af", "diff_proto"
COND_IF_DIFF_PORT, COND_IF_DIFF_IP = "diff_port", "diff_ip"
SUBST_RCV_IP, SUBST_RCV_PORT, SUBST_RCV_PROTO, SUBST_RCV_ALL = "rcv_ip", "rcv_port", "rcv_proto", "rcv_all"
SUBST_SND_IP, SUBST_SND_PORT, SUBST_SND_PROTO, SUBST_SND_ALL = "snd_ip", "snd_port", "snd_proto", "snd_all"


class Cond:
    """LUMP_ADD_OPT: when false at send time, the rest of its chain is skipped."""
    __slots__ = ("cond",)

    def __init__(self, cond):
        self.cond = cond

    def __repr__(self):
        return f"<Cond {self.cond}>"


class Subst:
    """LUMP_ADD_SUBST: an address of the receiving or sending socket, written at send time."""
    __slots__ = ("what",)

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<Subst {self.what}>"


class Tagged(str):
    """Added text that remembers its lump type (e.g. "rr" for HDR_RECORDROUTE_T)."""
    __slots__ = ("tag",)

    def __new__(cls, text, tag):
        s = super().__new__(cls, text)
        s.tag = tag
        return s


class Lump:
    __slots__ = ("op", "offset", "length", "value", "before_list", "after_list", "tag")

    def __init__(self, op, offset=0, length=0, value="", tag=None):
        self.op, self.offset, self.length, self.value = op, offset, length, value
        self.tag = tag          # Kamailio's lump type (hdr type), e.g. "rr"
        self.before_list = []   # newest first, as Kamailio's ->before chain
        self.after_list = []    # newest first, as Kamailio's ->after chain

    def before(self, text):
        """insert_new_lump_before(): text written before this lump's position."""
        self.before_list.insert(0, text)
        return self

    def after(self, text):
        """insert_new_lump_after(): text written after this lump's position (or deleted bytes)."""
        self.after_list.insert(0, text)
        return self

    def __repr__(self):
        return f"<Lump {self.op} @{self.offset}+{self.length} b={self.before_list} a={self.after_list}>"


class LumpList:
    """The lumps of one message (Message.lumps)."""

    def __init__(self, msg):
        self.msg = msg
        self.headers = []   # msg->add_rm
        self.body = []      # msg->body_lumps

    def __bool__(self):
        return bool(self.headers or self.body)

    def __iter__(self):
        return iter(self.headers + self.body)

    def _add(self, lump):
        n = len(self.msg.text)
        if not 0 <= lump.offset <= n:
            raise ValueError(f"lump offset {lump.offset} outside the message (0..{n})")
        eoh = self.msg.eoh
        lst = self.body if eoh is not None and lump.offset > eoh else self.headers
        i = 0
        while i < len(lst) and lst[i].offset <= lump.offset:
            i += 1
        lst.insert(i, lump)
        return lump

    # -- primitives (data_lump.c) --
    def anchor(self, offset, tag=None):
        """anchor_lump(): a position to hang text on."""
        return self._add(Lump(NOP, offset, tag=tag))

    def discard(self, tag):
        """Drop the main lumps of that type with their chains (rr's free_rr_lump())."""
        self.headers = [t for t in self.headers if t.tag != tag]
        self.body = [t for t in self.body if t.tag != tag]

    def delete(self, offset, length):
        """del_lump(): remove length bytes at offset."""
        if length < 0 or offset + length > len(self.msg.text):
            raise ValueError("deletion outside the message")
        return self._add(Lump(DEL, offset, length))

    # -- conveniences built from them --
    def insert_before(self, offset, text):
        return self.anchor(offset).before(text)

    def insert_after(self, offset, text):
        return self.anchor(offset).after(text)

    def replace(self, offset, length, text):
        return self.delete(offset, length).after(text)

    def remove_header(self, hf):
        """remove_hf(): delete the whole header line (name to CRLF)."""
        return self.delete(hf.start, hf.end - hf.start)

    def append_header(self, text):
        """append_hf(): text (with its CRLF) added after the last header."""
        m = self.msg
        pos = m.eoh if m.eoh is not None else (m._h[-1][5] if m._h else m.hdr_start)
        return self.anchor(pos).before(text)

    def insert_header(self, text):
        """insert_hf(): text (with its CRLF) added before the first header."""
        return self.anchor(self.msg.hdr_start).before(text)

    def replace_body(self, text):
        """Replace the whole body (set_body/replace_body style); Content-Length follows."""
        m = self.msg
        if m.body_start is None:
            raise ValueError("message has no end of headers; cannot set a body")
        return self.replace(m.body_start, len(m.text) - m.body_start, text)

    # -- serialisation (lumps_len + process_lumps) --
    def apply(self, send=None, recv=None, global_address=None, global_port=None):
        """The message with the lumps applied. send/recv: SocketInfo of the outgoing and receiving
        sockets for conditional and substitution lumps; global_address/port: the message's
        set_advertised_address()/set_advertised_port()."""
        m = self.msg
        env = _SendEnv(send, recv, global_address, global_port)
        if not self and m.new_uri is None:
            return m.buf
        heads = list(self.headers)
        if m.new_uri is not None and m.is_request and m.new_uri != m.ruri_str:
            # build_req_buf_from_sip_req(): the new R-URI is a del + add at the R-URI
            ru = Lump(DEL, m.ruri_start, len(m.ruri_str))
            ru.after_list = [m.new_uri]
            i = 0
            while i < len(heads) and heads[i].offset <= ru.offset:
                i += 1
            heads.insert(i, ru)
        text = m.text
        out = []
        s = _process(text, heads, out, 0, env)
        if not self.body:
            out.append(text[s:])
            return "".join(out).encode("latin-1")
        bs = m.body_start
        if s < bs:
            out.append(text[s:bs])
            s = bs
        head = "".join(out)
        bout = []
        s = _process(text, self.body, bout, s, env)
        bout.append(text[s:])
        body = "".join(bout)
        return (_fix_content_length(head, len(body)) + body).encode("latin-1")


def _process(text, lumps, out, s, env):
    """Write text from s through the lumps into out; return the new source offset."""
    for t in lumps:
        off, length = t.offset, t.length
        if off < s:                      # lumps_len(): inside an earlier deletion
            if t.op == DEL:
                length = max(0, length - (s - off))
            off = s
        out.append(text[s:off])
        s = off
        _emit(out, t.before_list, env)
        if t.op == DEL:
            s = off + length
        _emit(out, t.after_list, env)
    return s


def _emit(out, chain, env):
    """Write one before/after chain; a false Cond ends it (process_lumps' skip_before/after)."""
    for it in chain:
        if isinstance(it, str):
            out.append(it)
        elif isinstance(it, Cond):
            if not env.check(it.cond):
                return
        else:
            out.append(env.subst(it.what))


_TRANSPORT = {"udp": "", "tcp": ";transport=tcp", "tls": ";transport=tls", "sctp": ";transport=sctp",
              "ws": ";transport=ws", "wss": ";transport=ws"}
_PROTO_NAME = {"ws": "ws", "wss": "ws"}


def _bracket(host):
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class _SendEnv:
    """The sockets a message is built for: lump_check_opt() and SUBST_LUMP() of msg_translator.c."""
    __slots__ = ("send", "recv", "gaddr", "gport")

    def __init__(self, send, recv, gaddr, gport):
        self.send, self.recv, self.gaddr, self.gport = send, _socket(recv), gaddr, gport

    def _recv(self, what):
        if self.recv is None:
            raise ValueError(f"lump {what} needs the receiving socket (to_bytes(recv_socket=...))")
        return self.recv

    def check(self, cond):
        if cond == COND_TRUE:
            return True
        if cond == COND_FALSE:
            return False
        snd = self.send
        if snd is None:          # "null send socket": presumed different
            return True
        rcv = self._recv(cond)
        if cond == COND_IF_DIFF_REALMS:
            return not (rcv.port == snd.port and rcv.proto == snd.proto and _same_ip(rcv.ip, snd.ip))
        if cond == COND_IF_DIFF_AF:
            return (":" in rcv.ip) != (":" in snd.ip)
        if cond == COND_IF_DIFF_PROTO:
            return rcv.proto != snd.proto
        if cond == COND_IF_DIFF_PORT:
            return rcv.port != snd.port
        if cond == COND_IF_DIFF_IP:
            return not _same_ip(rcv.ip, snd.ip)
        raise ValueError(f"unknown lump condition {cond!r}")

    def subst(self, what):
        if what.startswith("rcv_"):
            r = self._recv(what)
            host = r.adv_host or r.ip
            if r.adv_host:
                port = r.adv_port or None
            else:
                port = r.port
            proto = r.proto
            all_port = f":{port}" if port and port != SIP_PORT else ""
        else:
            r = self.send
            if r is None:
                raise ValueError(f"lump {what} needs the sending socket (to_bytes(send_socket=...))")
            if r.adv_host:
                host, port = r.adv_host, r.adv_port or None
            else:
                host = self.gaddr or r.ip
                port = self.gport or (r.port if r.port != SIP_PORT else None)
            proto = r.proto
            all_port = f":{port}" if port else ""
        kind = what[4:]
        if kind == "ip":
            return _bracket(host)
        if kind == "port":
            return str(port) if port else ""
        if kind == "proto":
            return _PROTO_NAME.get(proto, proto)
        if kind == "all":
            return _bracket(host) + all_port + _TRANSPORT.get(proto, f";transport={proto}")
        raise ValueError(f"unknown lump substitution {what!r}")


class _Rcv:
    __slots__ = ("proto", "ip", "port", "adv_host", "adv_port")

    def __init__(self, proto, ip, port):
        self.proto, self.ip, self.port, self.adv_host, self.adv_port = proto, ip, port, None, None


def _socket(s):
    """A ReceiveInfo stands for the socket it arrived on (its dst_ip/dst_port)."""
    if s is None or hasattr(s, "ip"):
        return s
    return _Rcv(s.proto, s.dst_ip, s.dst_port)


def _same_ip(a, b):
    import ipaddress
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return a.strip("[]").lower() == b.strip("[]").lower()


_CL_RE = re.compile(r"(?im)^((?:content-length|l)[ \t]*:[ \t]*)\d+")


def _fix_content_length(head, body_len):
    """A changed body updates Content-Length (Kamailio adds a lump for it when body lumps exist)."""
    return _CL_RE.sub(lambda mm: mm.group(1) + str(body_len), head, count=1)
