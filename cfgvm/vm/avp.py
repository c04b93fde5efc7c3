"""AVP and XAVP stores with Kamailio 5.6's semantics (kamailio-language.md §6.3, §10.13-15).

AVPs live in ctx.avps: {name: [values, newest first]}; a name is an int (`i:5`) or a str, compared
case-sensitively. XAVPs live in ctx.xavps: {root name: [entries, newest first]}, an entry being a
Record (field name -> [values, newest first]) or a plain value (`$xavp(r) = v`). $xavu and $xavi
are separate lists (Kamailio keeps them apart: `$cnt($xavp(u))` does not count `$xavu(u=>f)`);
xavi names are case-insensitive, so its keys are lower-cased.
"""
from __future__ import annotations

from cfgvm.vm.values import Value

ALL = "*"            # the [*] index
AVP_JOIN = ", "      # $(avp(x)[*]) joins values with a comma and a space [V]


class Record(dict):
    """One XAVP record: field name -> [values, newest first]; insertion order kept for printing."""
    __slots__ = ()


# ---- AVPs -----------------------------------------------------------------------------------

def avp_get(store: dict, name, index=None) -> Value:
    """index None/int/ALL. Negative indexes are broken as in Kamailio: only -count works (= newest)."""
    vals = store.get(name)
    if not vals:
        return None
    if index is None:
        return vals[0]
    if index == ALL:
        return AVP_JOIN.join(str(v) for v in vals)
    if index < 0:
        return vals[0] if -index == len(vals) else None
    return vals[index] if index < len(vals) else None


def avp_set(store: dict, name, value: Value, all_: bool = False) -> None:
    """`$avp(x) = v` pushes; `$(avp(x)[*]) = v` replaces all; `= $null` deletes the newest (or all
    with [*]). An int index on the left is ignored (Kamailio pushes) [V]."""
    if value is None:
        if all_:
            store.pop(name, None)
        else:
            vals = store.get(name)
            if vals:
                del vals[0]
                if not vals:
                    del store[name]
        return
    if all_:
        store[name] = [value]
        return
    vals = store.get(name)
    if vals is None:
        store[name] = [value]
    else:
        vals.insert(0, value)


def avp_count(store: dict, name) -> int:
    return len(store.get(name) or ())


# ---- XAVPs ----------------------------------------------------------------------------------

def _pick(lst: list, index):
    """Element of a newest-first list by PV index (None = first; negative counts from the end)."""
    if not lst:
        return None
    if index is None:
        return lst[0]
    if index < 0:
        index += len(lst)
        if index < 0:
            return None
    return lst[index] if index < len(lst) else None


def xavp_get(store: dict, root: str, rindex=None, field: str | None = None, findex=None):
    """Value of $xavp(root[rindex]=>field[findex]); a Record when no field is named."""
    ent = _pick(store.get(root), rindex)
    if ent is None or field is None:
        return ent
    if not isinstance(ent, Record):
        return None
    return _pick(ent.get(field), findex)


def xavp_count(store: dict, root: str, rindex=None, field: str | None = None) -> int:
    if field is None:
        return len(store.get(root) or ())
    ent = _pick(store.get(root), rindex)
    if not isinstance(ent, Record):
        return 0
    return len(ent.get(field) or ())


def _del_index(lst: list, index) -> None:
    if index is None:
        index = 0
    if index < 0:
        index += len(lst)
    if 0 <= index < len(lst):
        del lst[index]


def xavp_set(store: dict, root: str, rindex, field: str | None, findex, value: Value) -> None:
    """Assignment to $xavp(...) (pv_set_xavp):
    - `$xavp(r) = v` pushes a plain-value root; `$xavp(r=>a) = v` pushes a NEW record {a: v} [V];
    - `$xavp(r[i]=>a) = v` adds a field value on record i (newest first); `r[i]=>a[j]` replaces it;
    - `= $null` removes the root entry (all with [*]) or the field value (all with [*])."""
    roots = store.get(root)
    if value is None:
        if not roots:
            return
        if field is None:
            if rindex == ALL:
                del store[root]
            else:
                _del_index(roots, rindex)
                if not roots:
                    del store[root]
            return
        ent = _pick(roots, None if rindex == ALL else rindex)
        if not isinstance(ent, Record) or field not in ent:
            return
        if findex == ALL:
            del ent[field]
        else:
            _del_index(ent[field], findex)
            if not ent[field]:
                del ent[field]
        return
    if field is None:
        store.setdefault(root, []).insert(0, value)
        return
    if rindex is None:
        store.setdefault(root, []).insert(0, Record({field: [value]}))
        return
    ent = _pick(roots or [], 0 if rindex == ALL else rindex)
    if not isinstance(ent, Record):
        return                      # Kamailio fails the assignment: no such record
    vals = ent.get(field)
    if findex == ALL:
        ent[field] = [value]
    elif findex is None or not vals:
        ent.setdefault(field, []).insert(0, value)
    else:
        i = findex + len(vals) if findex < 0 else findex
        if 0 <= i < len(vals):
            vals[i] = value


def xavu_set(store: dict, root: str, field: str | None, value: Value) -> None:
    """$xavu: one value per name, no stacking; `= $null` removes it."""
    if field is None:
        if value is None:
            store.pop(root, None)
        else:
            store[root] = [value]
        return
    roots = store.get(root)
    ent = roots[0] if roots else None
    if value is None:
        if isinstance(ent, Record):
            ent.pop(field, None)
        return
    if not isinstance(ent, Record):
        ent = Record()
        store[root] = [ent]
    ent[field] = [value]


def xavp_print(store: dict, title: str = "XAVP") -> list[str]:
    """Lines like pv_xavp_print's dump (for pv_xavp_print() and friends)."""
    out = []
    for root, entries in store.items():
        for ent in entries:
            out.append(f"*** {title} name: {root}")
            if isinstance(ent, Record):
                for k, vals in ent.items():
                    for v in vals:
                        t = "int" if isinstance(v, int) else "str"
                        out.append(f"    *** {title} name: {k}  type: {t}  value: {v}")
            else:
                out.append(f"    value: {ent}")
    return out
