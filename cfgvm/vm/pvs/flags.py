"""Message, script and branch flags: the whole set ($mf $sf $bf), in hex ($mF $sF $bF), one flag
($Mf(n) $Sf(n) $Bf(n))."""
from __future__ import annotations

from cfgvm.vm.pv import PVDef, PVError
from cfgvm.vm.pvs.common import INT_HEX, NEED
from cfgvm.vm.values import to_int


def _fix_flag(spec, program):
    t = spec.inner.strip()
    if not t.isdigit() or int(t) > 31:
        raise PVError(f"${spec.cls}: flag must be a number 0..31")
    return int(t)


def _flag_rows(attr, whole, hexname, single):
    """The three PVs over the context's flag set `attr`."""
    def get(ctx, p=None):
        return getattr(ctx, attr)

    def get_hex(ctx, p=None):
        return "%08x" % (getattr(ctx, attr) & 0xFFFFFFFF)

    def set_(ctx, p, value):
        setattr(ctx, attr, to_int(value) & 0xFFFFFFFF)

    def get_one(ctx, n):
        return 1 if getattr(ctx, attr) & (1 << n) else 0

    def set_one(ctx, n, value):
        cur = getattr(ctx, attr)
        setattr(ctx, attr, (cur | (1 << n)) if to_int(value) else (cur & ~(1 << n)))
    return [PVDef(whole, get, set_), PVDef(hexname, get_hex, set_, int_form=INT_HEX),
            PVDef(single, get_one, set_one, inner=NEED, fixup=_fix_flag)]


ROWS = [
    *_flag_rows("flags", "mf", "mF", "Mf"),
    *_flag_rows("sflags", "sf", "sF", "Sf"),
    *_flag_rows("bflags", "bf", "bF", "Bf"),
]
