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
"""

import re

NOP, DEL, ADD = "nop", "del", "add"


class Lump:
    __slots__ = ("op", "offset", "length", "value", "before_list", "after_list")

    def __init__(self, op, offset=0, length=0, value=""):
        self.op, self.offset, self.length, self.value = op, offset, length, value
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
    def anchor(self, offset):
        """anchor_lump(): a position to hang text on."""
        return self._add(Lump(NOP, offset))

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
    def apply(self):
        m = self.msg
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
        s = _process(text, heads, out, 0)
        if not self.body:
            out.append(text[s:])
            return "".join(out).encode("latin-1")
        bs = m.body_start
        if s < bs:
            out.append(text[s:bs])
            s = bs
        head = "".join(out)
        bout = []
        s = _process(text, self.body, bout, s)
        bout.append(text[s:])
        body = "".join(bout)
        return (_fix_content_length(head, len(body)) + body).encode("latin-1")


def _process(text, lumps, out, s):
    """Write text from s through the lumps into out; return the new source offset."""
    for t in lumps:
        off, length = t.offset, t.length
        if off < s:                      # lumps_len(): inside an earlier deletion
            if t.op == DEL:
                length = max(0, length - (s - off))
            off = s
        out.append(text[s:off])
        s = off
        out.extend(t.before_list)
        if t.op == DEL:
            s = off + length
        out.extend(t.after_list)
    return s


_CL_RE = re.compile(r"(?im)^((?:content-length|l)[ \t]*:[ \t]*)\d+")


def _fix_content_length(head, body_len):
    """A changed body updates Content-Length (Kamailio adds a lump for it when body lumps exist)."""
    return _CL_RE.sub(lambda mm: mm.group(1) + str(body_len), head, count=1)
