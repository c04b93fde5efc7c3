"""AST of a Kamailio 5.6 configuration: node kinds declared once in SPEC, classes generated from it.

Every node has `coord` (cfgvm.diagnostics.Coord: original file:line:column). Field names ending in
`*` in SPEC are lists (default empty); the others default to None. Add fields freely; do not rename.

PVs, AVPs and selects keep their RAW token text (e.g. "$(ru{s.substr,1,2})"): the PV spec parser
works on that text later. `to_source(node)` renders a node back to config text (round-trip tests).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from cfgvm.diagnostics import SYNTHETIC, Coord

# kind: fields  -- meaning.  One line per node kind; `*` marks a list field.
SPEC = """
Config:      items* compat source          -- top level; items in file order; see the properties below
CoreParam:   name value written            -- `name = value`; name canonical (alias resolved), written as in the file
SocketSpec:  proto addrs* port             -- [proto:]addr[:port]; addrs has >1 entry for a multi-homed `(a, b)`
Listen:      socks* advertise adv_port sockname virtual  -- value of `listen=`/`alias=`
SocketBlock: attrs*                        -- `socket = { name = value; ... }` (5.7+); attrs are CoreParam
CfgVar:      group name value desc instance -- `group.name = value [desc "..."]`, `group[instance].name = value`
LoadModule:  path opts extended            -- loadmodule "x" / loadmodulex "x" / loadmodule("x", "opts")
LoadPath:    path                          -- loadpath "dir" / mpath = "dir"
ModParam:    module param value extended   -- modparam("mod", "param", int|str) ; extended: modparamx (value may be PV)
FlagDecl:    kind names*                   -- `flags a, b:3` / `avpflags x`; names are (name, bit-or-None)
Route:       kind name body*               -- a route block; kind in ROUTE_KINDS; name None for unnamed blocks
If:          cond then else_               -- then/else_ are Block (or None)
Block:       stmts*                        -- `{ ... }` or a single statement after if/else/while
Switch:      expr cases*                   -- switch(expr) { case ...: ... default: ... }
Case:        value is_regex is_default body* -- value is a Const (None for default)
While:       cond body                     -- body is a Block
Return:      kind value                    -- kind in return/exit/drop; value None when absent
Break:                                     -- break
Assign:      target op value               -- target is PV or AVP; op is always "="
ExprStmt:    expr                          -- a call or an expression used as a statement
Const:       value raw                     -- int or str literal; raw = source spelling when it matters (yes, 0x1F, udp)
PV:          text maybe_avp                -- pseudo-variable, raw token text: "$var(x)", "$(hdr(Via)[1])", "$rc";
             maybe_avp: bare `$name` in MAX compat mode (an AVP if no such PV exists)
AVP:         text                          -- SER-style AVP: "$f.x", "%x", "$avp[1]", bare "$name" in SER mode
Select:      text                          -- select: "@via[1].host"
Name:        name                          -- a bare identifier where Kamailio allows one (flag, route, host word)
IP:          text                          -- IPv4/IPv6 address literal (IPv6 without brackets)
Network:     addr mask                     -- `addr/bits` or `addr/mask` (mask an int or an IP node)
Myself:                                    -- `myself`
Host:        text                          -- a host name made of words joined by . and -
Call:        name args*                    -- module function call f(args...); args are expressions
CoreAction:  name args* written            -- core action (forward, strip, setflag...); name canonical
RouteCall:   target                        -- route(NAME) (target a str) or route(expr)
UnOp:        op operand                    -- ! ~ - defined strlen strempty (int) (str)
BinOp:       op left right                 -- || && | & ^ << >> == != =~ eq ne ieq ine < > <= >= + - * / mod
Selval:      cond a b                      -- selval(cond, a, b)
KeywordCmp:  left op right                 -- legacy comparison (method == "X", src_ip == 10.0.0.0/8, af == INET)
"""

ROUTE_KINDS = ("request", "failure", "onreply", "reply", "branch", "onsend", "event")


class Node:
    """Base of every AST node (the dataclass fields are generated from SPEC)."""
    __slots__ = ()

    def children(self):
        for f in dataclasses.fields(self):
            if f.name in ("coord", "source"):
                continue
            v = getattr(self, f.name)
            if isinstance(v, Node):
                yield v
            elif isinstance(v, (list, tuple)):
                yield from (x for x in v if isinstance(x, Node))

    def walk(self):
        yield self
        for c in self.children():
            yield from c.walk()


def _parse_spec(spec: str) -> dict[str, list[str]]:
    kinds = {}
    for line in spec.strip("\n").splitlines():
        if not line.strip() or line[0].isspace():  # continuation of the previous line's comment
            continue
        head = line.split("--")[0]
        name, _, fields = head.partition(":")
        kinds[name.strip()] = fields.split()
    return kinds


KINDS = _parse_spec(SPEC)


def _make(name: str, fields: list[str]) -> type:
    defs: list[tuple[str, Any, Any]] = []
    for f in fields:
        if f.endswith("*"):
            defs.append((f[:-1], list, dataclasses.field(default_factory=list)))
        else:
            defs.append((f, Any, dataclasses.field(default=None)))
    defs.append(("coord", Coord, dataclasses.field(default=SYNTHETIC, compare=False, repr=False)))
    cls = dataclasses.make_dataclass(name, defs, bases=(Node,), eq=True, repr=True)
    cls.__module__ = __name__
    cls.__doc__ = f"{name}({', '.join(fields)}) -- see SPEC in cfgvm.ast"
    return cls


for _name, _fields in KINDS.items():
    globals()[_name] = _make(_name, _fields)
del _name, _fields


# --- Config conveniences (views over `items`, so the file order stays the one truth) -------------

def _of(kind):
    return property(lambda self: [i for i in self.items if isinstance(i, kind)])


Config.params = _of(CoreParam)            # noqa: F821  (generated above)
Config.modules = _of(LoadModule)          # noqa: F821
Config.modparams = _of(ModParam)          # noqa: F821
Config.flags = _of(FlagDecl)              # noqa: F821
Config.cfg_vars = _of(CfgVar)             # noqa: F821


def _routes(self) -> dict[str, dict]:
    """{kind: {name: Route}}; unnamed blocks are under name None (already concatenated by the parser)."""
    out: dict[str, dict] = {k: {} for k in ROUTE_KINDS}
    for i in self.items:
        if isinstance(i, Route):  # noqa: F821
            out[i.kind][i.name] = i
    return out


Config.routes = property(_routes)


# --- printer ------------------------------------------------------------------------------------

_ROUTE_KEYWORD = {"request": "request_route", "failure": "failure_route", "onreply": "onreply_route",
                  "reply": "reply_route", "branch": "branch_route", "onsend": "onsend_route",
                  "event": "event_route"}

# binding strength for the printer (higher binds tighter); same order as the parser's precedence
_PREC = {"||": 2, "&&": 3, "|": 4, "&": 5, "^": 6, "<<": 7, ">>": 8,
         "==": 9, "!=": 9, "=~": 9, "eq": 9, "ne": 9, "ieq": 9, "ine": 9,
         "<": 10, ">": 10, "<=": 10, ">=": 10, "+": 11, "-": 11, "*": 12, "/": 12, "mod": 12}


def quote(s: str) -> str:
    """A double-quoted literal that the lexer reads back as `s` (octal escapes for control bytes)."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _const(c) -> str:
    if isinstance(c.value, int):
        return str(c.value) if c.value >= 0 else f"-{-c.value}"
    return quote(c.value)


def expr_src(e, parent_prec: int = 0) -> str:
    k = type(e).__name__
    if k == "Const":
        return _const(e) if not (isinstance(e.value, int) and e.value < 0 and parent_prec) else f"({_const(e)})"
    if k in ("PV", "AVP", "Select", "IP", "Host"):
        return e.text
    if k == "Name":
        return e.name
    if k == "Myself":
        return "myself"
    if k == "Network":
        return f"{expr_src(e.addr)}/{e.mask if isinstance(e.mask, int) else expr_src(e.mask)}"
    if k in ("Call", "CoreAction"):
        return f"{e.name}({', '.join(_arg_src(a) for a in e.args)})"
    if k == "RouteCall":
        return f"route({e.target if isinstance(e.target, str) else expr_src(e.target)})"
    if k == "Selval":
        return f"selval({expr_src(e.cond)}, {expr_src(e.a)}, {expr_src(e.b)})"
    if k == "UnOp":
        if e.op in ("strlen", "strempty"):
            return f"{e.op}({expr_src(e.operand)})"
        sep = " " if e.op in ("defined", "not") else ""
        return f"({e.op}{sep}{expr_src(e.operand, 13)})"
    if k == "BinOp":
        p = _PREC[e.op]
        s = f"{expr_src(e.left, p)} {e.op} {expr_src(e.right, p + 1)}"
        return f"({s})" if p < parent_prec else s
    if k == "KeywordCmp":
        return f"({e.left} {e.op} {expr_src(e.right, 20)})"
    raise TypeError(f"cannot print expression node {k}")


def _arg_src(a) -> str:
    if isinstance(a, str):
        return a
    if isinstance(a, SocketSpec):  # noqa: F821
        return _sock_src(a)
    return expr_src(a)


def _sock_src(s) -> str:
    addrs = [expr_src(a) if isinstance(a, Node) else a for a in s.addrs]
    addr = addrs[0] if len(addrs) == 1 else "(" + ", ".join(addrs) + ")"
    if addr.count(":") > 1 and not addr.startswith("(") and not addr.startswith('"'):
        addr = f"[{addr}]"
    out = f"{s.proto}:{addr}" if s.proto else addr
    return f"{out}:{s.port}" if s.port is not None else out


def stmt_src(s, ind: str = "") -> list[str]:
    k = type(s).__name__
    if k == "Block":
        out = []
        for x in s.stmts:
            out += stmt_src(x, ind)
        return out
    if k == "If":
        out = [f"{ind}if ({expr_src(s.cond)}) {{"] + stmt_src(s.then, ind + "\t")
        if s.else_ is not None:
            out += [f"{ind}}} else {{"] + stmt_src(s.else_, ind + "\t")
        return out + [f"{ind}}}"]
    if k == "While":
        return [f"{ind}while ({expr_src(s.cond)}) {{"] + stmt_src(s.body, ind + "\t") + [f"{ind}}}"]
    if k == "Switch":
        out = [f"{ind}switch ({expr_src(s.expr)}) {{"]
        for c in s.cases:
            if c.is_default:
                out.append(f"{ind}\tdefault:")
            else:
                out.append(f"{ind}\tcase {'/' if c.is_regex else ''}{_const(c.value)}:")
            for x in c.body:
                out += stmt_src(x, ind + "\t\t")
        return out + [f"{ind}}}"]
    if k == "Return":
        return [f"{ind}{s.kind}" + (f" {expr_src(s.value, 20)}" if s.value is not None else "") + ";"]
    if k == "Break":
        return [f"{ind}break;"]
    if k == "Assign":
        return [f"{ind}{expr_src(s.target)} {s.op} {expr_src(s.value)};"]
    if k == "ExprStmt":
        return [f"{ind}{expr_src(s.expr)};"]
    raise TypeError(f"cannot print statement node {k}")


def _value_src(v) -> str:
    if isinstance(v, Node):
        if isinstance(v, Listen):  # noqa: F821
            return _listen_src(v)
        return expr_src(v)
    if isinstance(v, str):
        return v
    return str(v)


def _listen_src(l) -> str:
    out = " ".join(_sock_src(s) for s in l.socks)
    if l.advertise is not None:
        out += f" advertise {_value_src(l.advertise)}" + (f":{l.adv_port}" if l.adv_port is not None else "")
    if l.sockname is not None:
        out += f" name {quote(l.sockname)}"
    if l.virtual:
        out += " virtual"
    return out


def item_src(i) -> list[str]:
    k = type(i).__name__
    if k == "CoreParam":
        return [f"{i.written or i.name} = {_value_src(i.value)}"]
    if k == "SocketBlock":
        return ["socket = {"] + [f"\t{a.name} = {_value_src(a.value)};" for a in i.attrs] + ["}"]
    if k == "CfgVar":
        g = i.group if i.instance is None else f"{i.group}[{i.instance}]"
        v = quote(i.value) if isinstance(i.value, str) else str(i.value)
        return [f"{g}.{i.name} = {v}" + (f" desc {quote(i.desc)}" if i.desc is not None else "")]
    if k == "LoadModule":
        kw = "loadmodulex" if i.extended else "loadmodule"
        if i.opts is not None:
            return [f"{kw}({quote(i.path)}, {quote(i.opts)})"]
        return [f"{kw} {quote(i.path)}"]
    if k == "LoadPath":
        return [f"loadpath {quote(i.path)}"]
    if k == "ModParam":
        v = i.value if isinstance(i.value, Node) else Const(i.value)  # noqa: F821
        return [f"modparam{'x' if i.extended else ''}({quote(i.module)}, {quote(i.param)}, {expr_src(v)})"]
    if k == "FlagDecl":
        return [f"{i.kind} " + ", ".join(n if b is None else f"{n}:{b}" for n, b in i.names)]
    if k == "Route":
        kw = "route" if i.kind == "request" and i.name is not None else _ROUTE_KEYWORD[i.kind]
        head = kw if i.name is None else (f"{kw}[{i.name}]" if i.kind == "event" else f"{kw}[{quote(i.name)}]")
        out = [head + " {"]
        for s in i.body:
            out += stmt_src(s, "\t")
        return out + ["}"]
    raise TypeError(f"cannot print top-level node {k}")


def to_source(node) -> str:
    """Render a Config (or any top-level item / statement / expression) back to config text."""
    if isinstance(node, Config):  # noqa: F821
        lines = ["#!KAMAILIO"] if node.compat == "kamailio" else []
        for i in node.items:
            lines += item_src(i)
        return "\n".join(lines) + "\n"
    if type(node).__name__ in ("CoreParam", "SocketBlock", "CfgVar", "LoadModule", "LoadPath",
                               "ModParam", "FlagDecl", "Route"):
        return "\n".join(item_src(node)) + "\n"
    try:
        return "\n".join(stmt_src(node)) + "\n"
    except TypeError:
        return expr_src(node)
