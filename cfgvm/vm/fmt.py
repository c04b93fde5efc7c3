"""Format strings with PVs (pv_parse_format / pv_printf in pvapi.c): xlog, sl_send_reply, append_hf ...

Grammar:
    format ::= { text | pv }          -- text runs to the next '$'
    pv     ::= see cfgvm.vm.pvspec; where a bare PV ends is pv_locate_name's rule:
               '$$' (2 chars) | '$(' ... balanced ')' | '$' NAME [ '(' ... balanced ')' ]
               with NAME = [A-Za-z0-9_.?]*, so "$ru." is the PV named "ru." (unknown: an error
               at fixup in Kamailio), "$T_reply_code" and "$ruri.user" are single names.
A '$' that starts no valid PV ("$" at the end, "$ x") makes the whole format invalid, as in Kamailio.
'$$' renders '$'.
"""
from __future__ import annotations

from dataclasses import dataclass

from cfgvm.vm import pvspec
from cfgvm.vm.pvspec import PVSpec, PVSyntaxError
from cfgvm.vm.values import Value

NULL_TEXT = "<null>"     # what pv_printf prints for a null value (xlog and every pv_printf user)


@dataclass(frozen=True, slots=True)
class Format:
    items: tuple          # str (literal text) | PVSpec, adjacent literals merged
    text: str

    @property
    def pvs(self) -> list[PVSpec]:
        return [i for i in self.items if isinstance(i, PVSpec)]

    @property
    def has_pvs(self) -> bool:
        return any(isinstance(i, PVSpec) for i in self.items)

    @property
    def literal(self) -> str | None:
        """The text when the format has no PVs (lets callers skip rendering)."""
        return None if self.has_pvs else "".join(self.items)


def parse(text: str) -> Format:
    """Split a format string into literal text and PV specs; PVSyntaxError(message, offset)."""
    items: list = []
    buf: list[str] = []
    p = 0
    n = len(text)
    while p < n:
        q = text.find("$", p)
        if q < 0:
            buf.append(text[p:])
            break
        buf.append(text[p:q])
        length = pvspec.locate(text, q)
        try:
            spec = pvspec.parse(text[q:q + length])
        except PVSyntaxError as e:
            raise PVSyntaxError(e.message, q + e.offset) from None
        if spec.is_marker:
            buf.append("$")
        else:
            if buf:
                items.append("".join(buf))
                buf = []
            items.append(spec)
        p = q + length
    if buf and "".join(buf):
        items.append("".join(buf))
    return Format(tuple(i for i in items if i != ""), text)


def render(f: Format, get_pv, null_text: str = NULL_TEXT) -> str:
    """Print a format like pv_printf.  get_pv(spec) -> None|int|str is the VM's raw PV getter
    (no transformations); transformations are applied here.  A null value prints null_text, a
    failed transformation prints nothing (pv_get_spec_value fails, the item is skipped)."""
    from cfgvm.vm.transformations import evaluate
    out = []
    for item in f.items:
        if isinstance(item, str):
            out.append(item)
            continue
        v: Value = evaluate(item, get_pv)
        if v is None:
            if not item.trans:
                out.append(null_text)
        elif isinstance(v, int):
            out.append(str(v))
        else:
            out.append(v)
    return "".join(out)
