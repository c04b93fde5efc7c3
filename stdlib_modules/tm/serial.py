"""tm serial/parallel forking by q value: t_load_contacts([mode]), t_next_contacts(),
t_next_contact_flow() (Kamailio 5.6 src/modules/tm/t_serial.c, the tm README §1.3 and §4.39-4.41).

t_load_contacts() takes the destination set (the R-URI when it is still usable for forking, then the
append_branch branches), sorts it by ascending q (an equal q goes after the ones already there,
before them when it has a Path), and pushes one record per contact onto the XAVP named by the
contacts_avp modparam, so the list reads highest q first. Each record carries uri, dst_uri, path,
sock, flags and q_flag; q_flag marks the last contact of its priority class. The destination set is
then cleared. Mode 1 orders the contacts at random, weighted by q (q <= 0 last), each in a class of
its own.

t_next_contacts() pops the highest class: the first record becomes the R-URI ($du, Path, forced
socket and branch flags with it), the others of the class become branches (q 0). -2 when the XAVP is
empty. cfgvm has no Path vector: a record with a path is refused clearly.

+sip.instance (outbound flows) needs registrar-set branch attributes that cfgvm does not have:
records carrying an instance are refused clearly, so t_next_contact_flow() always finds a branch
without an instance and returns -2, as Kamailio does for such a branch.
"""
from __future__ import annotations

import random

from cfgvm.stdlib._common import ModuleError
from cfgvm.vm.avp import Record

L_ERR = -1
Q_FLAG = 1 << 2
Q_UNSPECIFIED = -1


# ---- the R-URI's forking state (Kamailio's ruri_is_new) ------------------------------------------
def ruri_consume(ctx) -> None:
    """ruri_mark_consumed(): the R-URI is not forked to again until it or $du is written. cfgvm has
    no hook on every R-URI writer, so the values present now are remembered: writing R-URI or $du
    stores a new string object, which makes the R-URI usable again (ruri_mark_new())."""
    msg = ctx.msg
    ctx.mod_state["tm_ruri_consumed"] = (msg.new_uri, msg.dst_uri, ctx.dst_uri)


def ruri_mark_new(ctx) -> None:
    ctx.mod_state.pop("tm_ruri_consumed", None)


def ruri_is_new(ctx) -> bool:
    """A reset ($du = $null) does not count: Kamailio's reset_dst_uri() leaves the state alone."""
    seen = ctx.mod_state.get("tm_ruri_consumed")
    if seen is None:
        return True
    msg = ctx.msg
    if msg.new_uri is not seen[0]:
        return True
    du = msg.dst_uri if msg.dst_uri is not None else ctx.dst_uri
    return du is not None and du is not (seen[1] if seen[1] is not None else seen[2])


# ---- t_load_contacts -------------------------------------------------------------------------------
class _Contact:
    __slots__ = ("uri", "dst_uri", "path", "sock", "flags", "q", "q_flag", "q_index")

    def __init__(self, uri, dst_uri, path, sock, flags, q):
        self.uri, self.dst_uri, self.path, self.sock = uri, dst_uri or "", path or "", sock or ""
        self.flags, self.q, self.q_flag, self.q_index = int(flags or 0), int(q), 0, int(q)


def _sock_str(sock) -> str:
    """A forced socket (proto, host(s), port) as socket2str() writes it: proto:addr:port."""
    if not sock:
        return ""
    proto, host, port = sock
    host = host[0] if isinstance(host, tuple) else host
    host = str(host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{proto or 'udp'}:{host}:{port or 5060}"


def _params(mod):
    return mod.params.get("contacts_avp") or "", mod.params.get("contact_flows_avp") or ""


def _ulattrs_refused(ctx, mod):
    name = mod.params.get("xavp_contact") or ""
    if name and ctx.xavps.get(name):
        raise ModuleError(f"tm: t_load_contacts with $xavp({name}) set (registrar contact attributes "
                          f"carried per branch) is not implemented in cfgvm")


def t_load_contacts(ctx, mod, mode=0):
    contacts_avp, _ = _params(mod)
    if not contacts_avp:
        ctx.log(L_ERR, "ERROR: tm [t_serial.c]: ki_t_load_contacts_mode(): feature has been disabled - "
                       "to enable define contacts_avp module parameter")
        return -1
    mode = int(mode or 0)
    if mode not in (0, 1):
        ctx.log(L_ERR, f"ERROR: tm [t_serial.c]: t_load_contacts(): invalid load_contact mode: {mode}, "
                       f"please use 0 (standard) or 1 (proportional)\n")
        return -1
    branches = list(ctx.branches)
    new = ruri_is_new(ctx)
    if not branches or (len(branches) == 1 and not new):
        return 1                                   # nothing to do: one contact only
    _ulattrs_refused(ctx, mod)
    msg = ctx.msg
    found = []
    if new:
        found.append(_Contact(msg.current_uri_str, msg.dst_uri or ctx.dst_uri, None,
                              _sock_str(ctx.force_socket), ctx.bflags, Q_UNSPECIFIED))
    else:
        b = branches.pop(0)
        found.append(_Contact(b.uri, b.dst_uri, b.path, _sock_str(b.socket), b.bflags, b.q))
    found += [_Contact(b.uri, b.dst_uri, b.path, _sock_str(b.socket), b.bflags, b.q) for b in branches]
    q_total = n = 0
    if mode == 1:                                  # cumulative q of the positive ones: the draw's ranges
        for c in found:
            if c.q > 0:
                q_total += c.q
                n += 1
            c.q_index = q_total
    ordered = [found[0]]
    for c in found[1:]:                            # ascending; equal goes after unless it has a Path
        key = (lambda x: x.q_index) if mode == 1 else (lambda x: x.q)
        i = 0
        while i < len(ordered) and (key(ordered[i]) < key(c) or (key(ordered[i]) == key(c) and not c.path)):
            i += 1
        ordered.insert(i, c)
    store = ctx.xavps.setdefault(contacts_avp, [])
    if mode == 1:
        picked = _proportional(ordered, n, q_total)
        store[0:0] = [_record(c) for c in picked]   # in draw order, ahead of older records
    else:
        ordered[0].q_flag = 0
        for prev, c in zip(ordered, ordered[1:]):
            c.q_flag = Q_FLAG if prev.q < c.q else 0
        for c in ordered:                           # each pushed in front: highest q ends up first
            store.insert(0, _record(c))
    ctx.branches = []                               # clear_branches(): the R-URI is consumed too
    ctx.bflags = 0
    ruri_consume(ctx)
    return 1


def _proportional(contacts, n, q_total, rand=random.randrange):
    """t_load_contacts_proportional(): n weighted draws without replacement, then the q <= 0 ones."""
    out = []
    for _ in range(n):
        removed = 0
        draw = rand(q_total) if q_total > 0 else 0
        for c in contacts:
            if c.q <= 0:
                continue
            if removed:
                c.q_index -= removed
            elif c.q_index > draw:
                removed = c.q
                q_total -= removed
                c.q_index -= removed
                c.q_flag = Q_FLAG
                out.append(c)
    for c in contacts:
        if c.q <= 0:
            c.q_flag = Q_FLAG
            out.append(c)
    return out


def _record(c: _Contact) -> Record:
    """The contact's XAVP record, fields in Kamailio's list order (each add goes in front)."""
    fields = [("uri", c.uri)]
    if c.dst_uri:
        fields.append(("dst_uri", c.dst_uri))
    if c.path:
        fields.append(("path", c.path))
    if c.sock:
        fields.append(("sock", c.sock))
    fields += [("flags", c.flags), ("q_flag", c.q_flag)]
    return Record((k, [v]) for k, v in reversed(fields))


# ---- t_next_contacts ---------------------------------------------------------------------------------
def _field(rec, name):
    if not isinstance(rec, Record):
        return None
    vals = rec.get(name)
    return vals[0] if vals else None


def _socket(ctx, text):
    """grep_sock_info() on a record's sock string: (proto, host, port), or None when we do not listen there."""
    proto, _, rest = str(text).partition(":")
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    try:
        port = int(port)
    except ValueError:
        return None
    table = getattr(ctx.program, "sockets", None)
    if table is not None and hasattr(table, "find") and table.find(proto, host, port) is None:
        return None
    return (proto, host, port)


def t_next_contacts(ctx, mod):
    from cfgvm.stdlib.corex import Branch
    contacts_avp, flows_avp = _params(mod)
    if not contacts_avp:
        ctx.log(L_ERR, "ERROR: tm [t_serial.c]: ki_t_next_contacts(): feature has been disabled - "
                       "to enable define contacts_avp module parameter")
        return -1
    store = ctx.xavps.get(contacts_avp)
    if not store:
        return -2
    for rec in store:
        if _field(rec, "instance") is not None:
            raise ModuleError("tm: t_next_contacts on a contact with +sip.instance (outbound flows, "
                              "contact_flows_avp) is not implemented in cfgvm")
        if _field(rec, "path") is not None:
            raise ModuleError("tm: t_next_contacts on a contact with a Path is not implemented in cfgvm "
                              "(no path vector)")
    first = store[0]
    sock = _field(first, "sock")
    force = None
    if sock is not None:
        force = _socket(ctx, sock)
        if force is None:
            del store[:]
            ctx.xavps.pop(contacts_avp, None)
            return -1
    uri = _field(first, "uri")
    if uri is not None:
        ctx.msg.new_uri = str(uri)
    du = _field(first, "dst_uri")
    ctx.dst_uri = ctx.msg.dst_uri = str(du) if du else None
    ctx.force_socket = force
    ctx.bflags = int(_field(first, "flags") or 0)
    ruri_mark_new(ctx)
    del store[0]
    if not int(_field(first, "q_flag") or 0):
        ctx.xavps.pop(flows_avp, None)
        while store:
            rec = store.pop(0)
            sock = _field(rec, "sock")
            bsock = None
            if sock is not None:
                bsock = _socket(ctx, sock)
                if bsock is None:
                    ctx.xavps.pop(contacts_avp, None)
                    return -1
            max_branches = (getattr(ctx.program, "params", None) or {}).get("max_branches", 12)
            if len(ctx.branches) + 1 >= max_branches:
                ctx.log(L_ERR, "ERROR: tm [t_serial.c]: ki_t_next_contacts(): appending branch failed\n")
                del store[:]
                break
            du = _field(rec, "dst_uri")
            ctx.branches.append(Branch(str(_field(rec, "uri") or ""), str(du) if du else None, 0,
                                       int(_field(rec, "flags") or 0), None, bsock))
            if int(_field(rec, "q_flag") or 0):
                break
    if not store:
        ctx.xavps.pop(contacts_avp, None)
    return 1


def t_next_contact_flow(ctx, mod):
    """The current branch never carries a +sip.instance in cfgvm (see the module docstring), which is
    Kamailio's "No instance on this branch" case: -2."""
    _, flows_avp = _params(mod)
    if not flows_avp:
        ctx.log(L_ERR, "ERROR: tm [t_serial.c]: ki_t_next_contact_flow(): feature has been disabled - "
                       "to enable define contact_flows_avp module parameter")
        return -1
    return -2
