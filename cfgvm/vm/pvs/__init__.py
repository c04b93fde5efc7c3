"""Core PVs and the pv module's PVs (kamailio-language.md §6.2-6.3), one family per file; this file
assembles the tables cfgvm.vm.pv builds its registry from.

Getters are `g(ctx, p)`; those without a fixup are declared `g(ctx, p=None)` so a PVRef calls them
directly. A read Kamailio cannot do (no message, unparsable header) is null, as in Kamailio. Values
Kamailio types "str+i" ($rp, $rm, $pr, $cs) are strings here: `+` and `==` treat them as strings [V].
The PV set is exactly what 5.6.3 resolves (probed with `kamailio -c`, one PV per run).
"""
from __future__ import annotations

from cfgvm.vm.pvs import auth, branch, flags, headers, misc, msg, nameaddr, time, transport, uri, vars

# Always registered, with or without loadmodule "pv.so".
CORE_PVS = misc.CORE_ROWS

# The pv module's PVs.
PV_MODULE_PVS = [*uri.ROWS, *nameaddr.ROWS, *msg.ROWS, *auth.ROWS, *headers.ROWS, *transport.ROWS,
                 *flags.ROWS, *branch.ROWS, *vars.ROWS, *misc.ROWS, *time.ROWS]

# tmx's PVs when tmx itself declares none.
TMX_PVS = misc.TMX_ROWS
