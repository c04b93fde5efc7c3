"""PLY (LALR) parser for the Kamailio 5.6 configuration language, producing cfgvm.ast nodes.

The rules follow src/core/cfg.y closely (same nonterminal names where possible), so that the same
inputs are accepted and the first error is found at the same token. Kamailio stops at the first
error; with all_errors=True we recover at statement level (PLY `error` token) and report them all.
Semantic checks that `kamailio -c` does inside grammar actions (duplicate routes, static expression
types, constant case labels, nested calls, lvalue form, core-param value types) are done here too.
"""
from __future__ import annotations

import ply.yacc

from cfgvm import ast as A
from cfgvm.diagnostics import CfgError, Coord, Diagnostic
from cfgvm.grammar import lrcache
from cfgvm.grammar.lexer import CfgLexer, LexError, get_lexer
from cfgvm.grammar.tokens import ACTION_NAMES, CORE_PARAMS, PARAM_SPELLINGS, PROTO_NUMBERS, RESERVED

_ONSEND_OK = {"drop", "log", "setflag", "resetflag", "isflagset", "set_forward_no_connect",
              "set_reply_no_connect", "set_forward_close", "set_reply_close"}
_INT_OPS = {"-", "*", "/", "mod", "|", "&", "^", "<<", ">>", "<", ">", "<=", ">=", "ieq", "ine",
            "&&", "||"}
_OP_TEXT = {"LOG_OR": "||", "LOG_AND": "&&", "BIN_OR": "|", "BIN_AND": "&", "BIN_XOR": "^",
            "BIN_LSHIFT": "<<", "BIN_RSHIFT": ">>", "PLUS": "+", "MINUS": "-", "STAR": "*",
            "SLASH": "/", "MODULO": "mod", "EQUAL_T": "==", "DIFF": "!=", "MATCH": "=~",
            "INTEQ": "ieq", "INTDIFF": "ine", "STREQ": "eq", "STRDIFF": "ne", "GT": ">", "LT": "<",
            "GTE": ">=", "LTE": "<="}
_ROUTE_KIND = {"ROUTE": "request", "ROUTE_REQUEST": "request", "ROUTE_FAILURE": "failure",
               "ROUTE_ONREPLY": "onreply", "ROUTE_REPLY": "reply", "ROUTE_BRANCH": "branch",
               "ROUTE_SEND": "onsend", "ROUTE_EVENT": "event"}


class ParseAbort(Exception):
    """First error in stop-at-first-error mode (the diagnostic is already recorded)."""


class CfgParser:
    tokens = CfgLexer.tokens

    # Operator precedence, lowest first: the SAME ORDER as the %left/%right lines of Kamailio's
    # src/core/cfg.y (5.6), so expressions group exactly as Kamailio groups them.
    precedence = (
        ("right", "EQUAL"),
        ("left", "LOG_OR"),
        ("left", "LOG_AND"),
        ("left", "BIN_OR"),
        ("left", "BIN_AND"),
        ("left", "BIN_XOR"),
        ("left", "BIN_LSHIFT"),
        ("left", "BIN_RSHIFT"),
        ("left", "EQUAL_T", "DIFF", "MATCH", "INTEQ", "INTDIFF", "STREQ", "STRDIFF"),
        ("left", "GT", "LT", "GTE", "LTE"),
        ("left", "PLUS", "MINUS"),
        ("left", "STAR", "SLASH", "MODULO"),
        ("right", "NOT", "UNARY", "BIN_NOT"),
        ("right", "DEFINED"),
        ("right", "INTCAST", "STRCAST"),
        ("left", "DOT"),
    )

    def __init__(self):
        # LALR tables from the on-disk cache (grammar/lrcache.py): building them costs ~2 s of CPU
        self.yacc = lrcache.build(self, start="cfg", debug=False, errorlog=ply.yacc.NullLogger())

    # ------------------------------------------------------------------ driver
    def parse(self, source, all_errors: bool = False) -> tuple[A.Config, list[Diagnostic]]:
        self.source, self.all_errors = source, all_errors
        self.diags: list[Diagnostic] = []
        self.rt = "request"
        self.routes: dict[tuple, A.Route] = {}
        self.items: list = []
        self.flag_names: set[str] = set()   # declared by `flags` so far (setflag(NAME) needs one)
        self.lexer = get_lexer()
        self.lexer.input(source.text)
        self.prev2_tok = self.prev_tok = self.cur_tok = None
        try:
            self.yacc.parse(lexer=self, tracking=False)
        except ParseAbort:
            pass
        except LexError as e:
            self._diag(self.coord_at(e.lexpos), "syntax", e.message)
        cfg = A.Config(items=self.items, compat=self.lexer.compat, source=source,
                       coord=Coord(getattr(source, "file", "<string>"), 1, 1))
        return cfg, self.diags

    def token(self):  # the parser pulls tokens through here to remember the previous one
        try:
            tok = self.lexer.token()
        except LexError as e:
            if not self.all_errors:
                raise
            self._diag(self.coord_at(e.lexpos), "syntax", e.message)
            self.lexer.lexer.lexpos = e.lexpos + 1
            return self.token()
        self.prev2_tok, self.prev_tok, self.cur_tok = self.prev_tok, self.cur_tok, tok
        return tok

    def coord_at(self, lexpos: int) -> Coord:
        return self.source.locate(lexpos)

    def _diag(self, coord: Coord, code: str, msg: str):
        self.diags.append(Diagnostic(coord, "error", code, msg))

    def fail(self, coord: Coord, msg: str, code: str = "syntax"):
        """A semantic error found while parsing: stop (like Kamailio) unless collecting all."""
        self._diag(coord, code, msg)
        if not self.all_errors:
            raise ParseAbort()

    def c(self, p, i: int) -> Coord:
        """Coord of the i-th symbol of a production (token position, or the node's coord)."""
        sym = p.slice[i]
        if hasattr(sym, "lexpos") and sym.type in self.tokens:
            return self.coord_at(sym.lexpos)
        v = p[i]
        if isinstance(v, A.Node):
            return v.coord
        if isinstance(v, list) and v and isinstance(v[0], A.Node):
            return v[0].coord
        if isinstance(v, tuple) and len(v) > 1 and isinstance(v[-1], Coord):
            return v[-1]
        return self.coord_at(self.cur_tok.lexpos) if self.cur_tok else Coord(self.source.file, 1, 1)

    # ------------------------------------------------------------------ errors
    def p_error(self, tok):
        if tok is None:
            end = len(self.source.text)
            self._diag(self.coord_at(max(end - 1, 0)), "syntax", "syntax error, unexpected end of file")
            if not self.all_errors:
                raise ParseAbort()
            return
        self._diag(self.coord_at(tok.lexpos), "syntax", self._explain(tok))
        if not self.all_errors:
            raise ParseAbort()

    def _explain(self, tok) -> str:
        prev = self.prev_tok
        if tok.type == "ADDEQ":
            return "syntax error, unexpected '+=': Kamailio has no '+=' (write $x = $x + value)"
        if prev is not None and prev.type == "LBRACK" and tok.raw in RESERVED and self._after_route_kw():
            return f"syntax error, '{tok.raw}' is a reserved word and cannot be used as a route name"
        if prev is not None and prev.type == "ID" and tok.type == "EQUAL":
            return f"syntax error, unexpected '=': unknown config variable '{prev.value}'"
        p2 = self.prev2_tok
        if prev is not None and prev.type == "EQUAL" and p2 is not None and p2.type == "ID" \
                and tok.type != "LBRACE":
            return f"syntax error, unknown config variable '{p2.value}'"
        if prev is not None and prev.type == "ID" and tok.type in ("SEMICOLON", "RBRACE"):
            return (f"syntax error, unexpected {self._describe(tok)}: '{prev.value}' is not a known "
                    f"statement; module functions need parentheses: {prev.value}()")
        return f"syntax error, unexpected {self._describe(tok)}"

    def _after_route_kw(self) -> bool:
        text = self.source.text[:self.prev_tok.lexpos].rstrip()
        return any(text.endswith(k) for k in ("route", "failure_route", "onreply_route",
                                               "branch_route", "onsend_route", "reply_route"))

    @staticmethod
    def _describe(tok) -> str:
        if tok.type == "STRING":
            return f"string \"{tok.value[:40]}\""
        if tok.type in ("ID", "NUM_ID"):
            return f"identifier '{tok.value}'"
        if tok.type == "NUMBER":
            return f"number {tok.raw}"
        if tok.type in ("PVAR", "AVP", "AVP_OR_PVAR"):
            return f"variable {tok.value}"
        if tok.raw in RESERVED:
            return f"keyword '{tok.raw}'"
        return f"'{tok.raw}'"

    # ------------------------------------------------------------------ top level
    def p_cfg(self, p):
        """cfg : statements"""

    def p_statements(self, p):
        """statements : statements statement
                      | statement"""

    def p_statement(self, p):
        """statement : assign_stm
                     | flags_decl
                     | avpflags_decl
                     | module_stm
                     | route_stm
                     | SEMICOLON"""
        if isinstance(p[1], A.Node):
            self.items.append(p[1])

    def p_statement_error(self, p):
        """statement : error SEMICOLON
                     | error RBRACE"""

    # --- core parameters
    def p_assign_param(self, p):
        """assign_stm : param_name EQUAL param_value"""
        name, written, coord = p[1]
        kind, value, vcoord, negative = p[3]
        want = CORE_PARAMS[name][1]
        ok = {"int": kind == "int" and value >= 0, "int-": kind == "int", "str": kind == "str",
              "id": kind == "id", "id/str": kind in ("id", "str"), "id/int": kind in ("id", "int"),
              "ipv4": kind == "ipv4", "ipv6": kind == "ipv6", "proto": kind == "proto",
              "tls_method": kind == "tls_method",
              "addr": kind in ("ipv4", "ipv6", "str", "id", "host", "int")}[want]
        if kind == "int" and negative and want == "int":
            ok = False  # `-N` only where cfg.y uses intno
        if not ok:
            expected = {"int": "number", "int-": "number", "str": "string", "id": "identifier",
                        "id/str": "string or identifier", "id/int": "number or identifier",
                        "ipv4": "IPv4 address", "ipv6": "IPv6 address", "proto": "protocol (udp, tcp, tls, sctp)",
                        "tls_method": "TLS method (SSLv23, SSLv2, SSLv3, TLSv1)",
                        "addr": "address"}[want]
            self.fail(vcoord, f"syntax error, {expected} expected as value of '{written}'")
        node_value = value if isinstance(value, A.Node) else A.Const(value=value, coord=vcoord)
        p[0] = A.CoreParam(name=name, value=node_value, written=written, coord=coord)

    def p_param_name(self, p):
        """param_name : CORE_PARAM
                      | FORCE_RPORT
                      | UDP_MTU_TRY_PROTO"""
        p[0] = (PARAM_SPELLINGS[p[1]], p[1], self.c(p, 1))

    def p_param_value(self, p):
        """param_value : STRING
                       | MINUS NUMBER %prec UNARY
                       | proto
                       | SSLv23
                       | SSLv2
                       | SSLv3
                       | TLSv1
                       | ip
                       | host_or_if"""
        coord, t = self.c(p, 1), p.slice[1].type
        if t == "STRING":
            p[0] = ("str", p[1], coord, False)
        elif t == "MINUS":
            p[0] = ("int", -p[2], coord, True)
        elif t in ("SSLv23", "SSLv2", "SSLv3", "TLSv1"):
            p[0] = ("tls_method", t, coord, False)
        elif t == "proto":
            p[0] = ("proto", p[1], coord, False)
        elif t == "ip":
            p[0] = ("ipv6" if ":" in p[1].text else "ipv4", p[1], coord, False)
        else:
            words, kinds = p[1]
            coord = words[0][2]
            if len(words) == 1 and kinds[0] == "NUMBER":
                p[0] = ("int", words[0][1], coord, False)
            elif len(words) == 1 and kinds[0] == "ID":
                p[0] = ("id", words[0][0], coord, False)
            else:
                p[0] = ("host", A.Host(text=_join_host(words), coord=coord), coord, False)

    def p_assign_kemi(self, p):
        """assign_stm : KEMI DOT KEMI_CB EQUAL STRING"""
        p[0] = A.CoreParam(name=f"kemi.{p[3]}", value=A.Const(value=p[5], coord=self.c(p, 5)),
                           written=f"kemi.{p[3]}", coord=self.c(p, 1))

    def p_assign_listen(self, p):
        """assign_stm : LISTEN EQUAL id_lst listen_opts
                      | ALIAS EQUAL id_lst"""
        adv, adv_port, name, virtual = p[4] if len(p) > 4 else (None, None, None, False)
        p[0] = A.CoreParam(name=p[1], written=p[1], coord=self.c(p, 1),
                           value=A.Listen(socks=p[3], advertise=adv, adv_port=adv_port, sockname=name,
                                          virtual=virtual, coord=self.c(p, 3)))

    def p_listen_opts(self, p):
        """listen_opts : advertise_opt name_opt virtual_opt"""
        p[0] = (p[1][0], p[1][1], p[2], p[3])

    def p_advertise_opt(self, p):
        """advertise_opt : empty
                         | ADVERTISE listen_id
                         | ADVERTISE listen_id COLON NUMBER"""
        p[0] = (None, None) if len(p) == 2 else (p[2], p[4] if len(p) == 5 else None)

    def p_name_opt(self, p):
        """name_opt : empty
                    | STRNAME STRING"""
        p[0] = p[2] if len(p) == 3 else None

    def p_virtual_opt(self, p):
        """virtual_opt : empty
                       | VIRTUAL"""
        p[0] = len(p) == 2 and p[1] is not None

    def p_empty(self, p):
        """empty :"""
        p[0] = None

    def p_id_lst(self, p):
        """id_lst : listen_phostport
                  | listen_phostport id_lst"""
        p[0] = [p[1]] + (p[2] if len(p) == 3 else [])

    def p_listen_phostport(self, p):
        """listen_phostport : listen_id2
                            | listen_id2 COLON port
                            | proto COLON listen_id2
                            | proto COLON listen_id2 COLON port"""
        if p.slice[1].type == "proto":
            p[0] = A.SocketSpec(proto=p[1], addrs=p[3], port=p[5] if len(p) == 6 else None, coord=self.c(p, 1))
        else:
            p[0] = A.SocketSpec(proto=None, addrs=p[1], port=p[3] if len(p) == 4 else None,
                                coord=p[1][0].coord)

    def p_phostport(self, p):
        """phostport : listen_id
                     | listen_id COLON port
                     | proto COLON listen_id
                     | proto COLON listen_id COLON port"""
        if p.slice[1].type == "proto":
            p[0] = A.SocketSpec(proto=p[1], addrs=[p[3]], port=p[5] if len(p) == 6 else None, coord=self.c(p, 1))
        else:
            p[0] = A.SocketSpec(proto=None, addrs=[p[1]], port=p[3] if len(p) == 4 else None, coord=p[1].coord)

    def p_listen_id2(self, p):
        """listen_id2 : LPAREN listen_id_lst RPAREN
                      | listen_id"""
        p[0] = p[2] if len(p) == 4 else [p[1]]

    def p_listen_id_lst(self, p):
        """listen_id_lst : listen_id
                         | listen_id COMMA listen_id_lst"""
        p[0] = [p[1]] + (p[3] if len(p) == 4 else [])

    def p_listen_id(self, p):
        """listen_id : ip
                     | STRING
                     | host_or_if"""
        t = p.slice[1].type
        if t == "ip":
            p[0] = p[1]
        elif t == "STRING":
            p[0] = A.Const(value=p[1], coord=self.c(p, 1))
        else:
            words, _ = p[1]
            p[0] = A.Host(text=_join_host(words), coord=words[0][2])

    def p_proto(self, p):
        """proto : UDP
                 | TCP
                 | TLS
                 | SCTP
                 | STAR"""
        p[0] = p[1].lower() if p[1] != "*" else "*"

    def p_eqproto(self, p):
        """eqproto : UDP
                   | TCP
                   | TLS
                   | SCTP
                   | WS
                   | WSS
                   | STAR"""
        p[0] = A.Const(value=PROTO_NUMBERS.get(p[1].lower(), 0), raw=p[1], coord=self.c(p, 1))

    def p_port(self, p):
        """port : NUMBER
                | STAR"""
        p[0] = p[1]

    def p_host_or_if(self, p):
        """host_or_if : host_if_id
                      | host_or_if DOT host_if_id
                      | host_or_if MINUS host_if_id"""
        if len(p) == 2:
            p[0] = ([p[1][:3]], [p[1][3]])
        else:
            words, kinds = p[1]
            p[0] = (words + [(p[2], None, None), p[3][:3]], kinds + [p[3][3]])

    def p_host_if_id(self, p):
        """host_if_id : ID
                      | NUM_ID
                      | NUMBER"""
        t = p.slice[1]
        p[0] = (t.raw if t.type == "NUMBER" else t.value, t.value, self.c(p, 1), t.type)

    def p_ip(self, p):
        """ip : ipv4
              | ipv6"""
        p[0] = p[1]

    def p_ipv4(self, p):
        """ipv4 : NUMBER DOT NUMBER DOT NUMBER DOT NUMBER"""
        parts = [p[1], p[3], p[5], p[7]]
        if any(not 0 <= x <= 255 for x in parts):
            self.fail(self.c(p, 1), "invalid ipv4 address")
        p[0] = A.IP(text=".".join(str(x) for x in parts), coord=self.c(p, 1))

    def p_ipv6(self, p):
        """ipv6 : IPV6ADDR
                | LBRACK IPV6ADDR RBRACK"""
        i = 1 if len(p) == 2 else 2
        import ipaddress
        try:
            ipaddress.IPv6Address(p[i])
        except ValueError:
            self.fail(self.c(p, i), "bad ipv6 address")
        p[0] = A.IP(text=p[i], coord=self.c(p, i))

    def p_socket_block(self, p):
        """assign_stm : ID EQUAL LBRACE socket_attrs RBRACE"""
        if p[1] != "socket":
            self.fail(self.c(p, 2), f"syntax error, unexpected '=': unknown config variable '{p[1]}'")
        p[0] = A.SocketBlock(attrs=p[4], coord=self.c(p, 1))

    def p_socket_attrs(self, p):
        """socket_attrs : socket_attr
                        | socket_attrs socket_attr"""
        p[0] = [p[1]] if len(p) == 2 else p[1] + [p[2]]

    def p_socket_attr(self, p):
        """socket_attr : sock_attr_name EQUAL phostport SEMICOLON
                       | sock_attr_name EQUAL phostport MINUS NUMBER SEMICOLON
                       | sock_attr_name EQUAL MINUS NUMBER SEMICOLON"""
        value = p[3]
        if p.slice[3].type == "MINUS":
            value = A.Const(value=-p[4], coord=self.c(p, 3))
        elif len(p) == 7:
            value.port = f"{value.port}-{p[5]}"
        elif isinstance(value, A.SocketSpec) and value.proto is None and value.port is None:
            value = value.addrs[0]
            if isinstance(value, A.Host) and value.text.isdigit():
                value = A.Const(value=int(value.text), coord=value.coord)
        p[0] = A.CoreParam(name=p[1][0], written=p[1][0], value=value, coord=p[1][1])

    def p_sock_attr_name(self, p):
        """sock_attr_name : ID
                          | STRNAME
                          | ADVERTISE
                          | VIRTUAL"""
        p[0] = (p[1].lower(), self.c(p, 1))

    # --- cfg framework variables
    def p_cfg_var(self, p):
        """assign_stm : cfg_var_id DOT cfg_var_idn EQUAL NUMBER
                      | cfg_var_id DOT cfg_var_idn EQUAL STRING
                      | cfg_var_id DOT cfg_var_idn EQUAL NUMBER CFG_DESCRIPTION STRING
                      | cfg_var_id DOT cfg_var_idn EQUAL STRING CFG_DESCRIPTION STRING"""
        p[0] = A.CfgVar(group=p[1], name=p[3], value=p[5], desc=p[7] if len(p) == 8 else None,
                        coord=self.c(p, 1))

    def p_cfg_var_inst(self, p):
        """assign_stm : cfg_var_id LBRACK NUMBER RBRACK DOT cfg_var_idn EQUAL NUMBER
                      | cfg_var_id LBRACK NUMBER RBRACK DOT cfg_var_idn EQUAL STRING"""
        p[0] = A.CfgVar(group=p[1], name=p[6], value=p[8], instance=p[3], coord=self.c(p, 1))

    def p_cfg_var_id(self, p):
        """cfg_var_id : ID
                      | DEFAULT"""
        p[0] = p[1]

    def p_cfg_var_idn(self, p):
        """cfg_var_idn : ID
                       | DEFAULT
                       | NUMBER"""
        if p.slice[1].type == "NUMBER":
            self.fail(self.c(p, 1), f"cfg var field name - use of number or reserved token not allowed: "
                                    f"{p.slice[1].raw}")
        p[0] = p[1]

    # --- flags
    def p_flags_decl(self, p):
        """flags_decl : FLAGS_DECL flag_list"""
        p[0] = A.FlagDecl(kind="flags", names=p[2], coord=self.c(p, 1))
        self.flag_names.update(name for name, _ in p[2])

    def p_avpflags_decl(self, p):
        """avpflags_decl : AVPFLAGS_DECL avpflag_list"""
        p[0] = A.FlagDecl(kind="avpflags", names=p[2], coord=self.c(p, 1))

    def p_flag_list(self, p):
        """flag_list : flag_spec
                     | flag_spec COMMA flag_list"""
        p[0] = [p[1]] + (p[3] if len(p) == 4 else [])

    def p_avpflag_list(self, p):
        """avpflag_list : flag_name
                        | flag_name COMMA avpflag_list"""
        p[0] = [(p[1], None)] + (p[3] if len(p) == 4 else [])

    def p_flag_spec(self, p):
        """flag_spec : flag_name
                     | flag_name COLON NUMBER"""
        p[0] = (p[1], p[3] if len(p) == 4 else None)

    def p_flag_name(self, p):
        """flag_name : STRING
                     | ID"""
        p[0] = p[1]

    # --- modules
    def p_module_load(self, p):
        """module_stm : LOADMODULE STRING
                      | LOADMODULEX STRING
                      | LOADMODULE LPAREN STRING RPAREN
                      | LOADMODULE LPAREN STRING COMMA STRING RPAREN"""
        path = p[2] if len(p) == 3 else p[3]
        opts = p[5] if len(p) == 7 else None
        p[0] = A.LoadModule(path=path, opts=opts, extended=p[1] == "loadmodulex", coord=self.c(p, 1))

    def p_module_path(self, p):
        """module_stm : LOADPATH STRING
                      | LOADPATH EQUAL STRING"""
        p[0] = A.LoadPath(path=p[len(p) - 1], coord=self.c(p, 1))

    def p_module_engine(self, p):
        """module_stm : CFGENGINE STRING
                       | CFGENGINE EQUAL STRING"""
        p[0] = A.CoreParam(name="cfgengine", written="cfgengine", coord=self.c(p, 1),
                           value=A.Const(value=p[len(p) - 1], coord=self.c(p, len(p) - 1)))

    def p_modparam(self, p):
        """module_stm : MODPARAM LPAREN STRING COMMA STRING COMMA STRING RPAREN
                      | MODPARAM LPAREN STRING COMMA STRING COMMA intno RPAREN
                      | MODPARAMX LPAREN STRING COMMA STRING COMMA STRING RPAREN
                      | MODPARAMX LPAREN STRING COMMA STRING COMMA intno RPAREN
                      | MODPARAMX LPAREN STRING COMMA STRING COMMA PVAR RPAREN"""
        v = p[7]
        if p.slice[7].type == "PVAR":
            v = A.PV(text=v, coord=self.c(p, 7))
        p[0] = A.ModParam(module=p[3], param=p[5], value=v, extended=p[1] == "modparamx", coord=self.c(p, 1))

    def p_intno(self, p):
        """intno : NUMBER
                 | MINUS NUMBER %prec UNARY"""
        p[0] = p[1] if len(p) == 2 else -p[2]

    # --- route blocks
    def p_route_stm(self, p):
        """route_stm : route_main LBRACE actions RBRACE
                     | route_named LBRACE actions RBRACE"""
        kind, name, coord = p[1]
        self._add_route(kind, name, p[3], coord)

    def p_route_main(self, p):
        """route_main : ROUTE
                      | ROUTE_REQUEST
                      | ROUTE_FAILURE
                      | ROUTE_ONREPLY
                      | ROUTE_REPLY
                      | ROUTE_BRANCH
                      | ROUTE_SEND"""
        kind = _ROUTE_KIND[p.slice[1].type]
        self.rt = kind
        p[0] = (kind, None, self.c(p, 1))

    def p_route_named(self, p):
        """route_named : ROUTE LBRACK route_name RBRACK
                       | ROUTE_FAILURE LBRACK route_name RBRACK
                       | ROUTE_ONREPLY LBRACK route_name RBRACK
                       | ROUTE_BRANCH LBRACK route_name RBRACK
                       | ROUTE_SEND LBRACK route_name RBRACK
                       | ROUTE_EVENT LBRACK EVENT_RT_NAME RBRACK"""
        kind, name = _ROUTE_KIND[p.slice[1].type], p[3]
        if kind == "onreply" and name == "0":
            name, kind = None, "reply"  # onreply_route[0] is the core reply route
        self.rt = kind
        p[0] = (kind, name, self.c(p, 1))

    def p_route_name(self, p):
        """route_name : NUMBER
                      | ID
                      | STRING"""
        p[0] = str(p[1])

    def _add_route(self, kind, name, body, coord):
        if kind == "onreply" and name is None:
            kind = "reply"
        key = (kind, name)
        if key in self.routes:
            if name is not None:
                self.fail(coord, f"duplicate route: {kind} route '{name}' is already defined at "
                                 f"{self.routes[key].coord}")
                return
            self.routes[key].body.extend(body)  # unnamed blocks are concatenated in file order
            return
        r = A.Route(kind=kind, name=name, body=body, coord=coord)
        self.routes[key] = r
        self.items.append(r)

    # ------------------------------------------------------------------ statements
    def p_actions(self, p):
        """actions : actions action
                   | action"""
        if len(p) == 2:
            p[0] = [p[1]] if p[1] is not None else []
        else:
            p[0] = p[1] + ([p[2]] if p[2] is not None else [])

    def p_action(self, p):
        """action : fcmd SEMICOLON
                  | if_cmd
                  | switch_cmd
                  | while_cmd
                  | ret_cmd SEMICOLON
                  | assign_action SEMICOLON
                  | SEMICOLON"""
        t = p.slice[1].type
        if t == "SEMICOLON":
            p[0] = None
        elif t == "fcmd":
            p[0] = A.ExprStmt(expr=p[1], coord=p[1].coord)
        else:
            p[0] = p[1]

    def p_action_error(self, p):
        """action : error SEMICOLON"""
        p[0] = None

    def p_stm(self, p):
        """stm : action
               | LBRACE actions RBRACE"""
        if len(p) == 2:
            p[0] = A.Block(stmts=[p[1]] if p[1] is not None else [], coord=p[1].coord if p[1] else self.c(p, 1))
        else:
            p[0] = A.Block(stmts=p[2], coord=self.c(p, 1))

    def p_if_cmd(self, p):
        """if_cmd : IF rval_expr stm
                  | IF rval_expr stm ELSE stm"""
        p[0] = A.If(cond=p[2], then=p[3], else_=p[5] if len(p) == 6 else None, coord=self.c(p, 1))

    def p_while_cmd(self, p):
        """while_cmd : WHILE rval_expr stm"""
        p[0] = A.While(cond=p[2], body=p[3], coord=self.c(p, 1))

    def p_switch_cmd(self, p):
        """switch_cmd : SWITCH rval_expr LBRACE case_stms RBRACE
                      | SWITCH rval_expr LBRACE RBRACE"""
        cases = p[4] if len(p) == 6 else []
        if sum(1 for c in cases if c.is_default) > 1:
            self.fail(p[2].coord, 'bad switch(): too many "default:" labels')
        kinds = {("int" if isinstance(c.value.value, int) and not c.is_regex else "str")
                 for c in cases if not c.is_default}
        if len(kinds) > 1:
            self.fail(p[2].coord, "bad switch(): mixed integer and string/RE cases not allowed")
        p[0] = A.Switch(expr=p[2], cases=cases, coord=self.c(p, 1))

    def p_case_stms(self, p):
        """case_stms : case_stms single_case
                     | single_case"""
        p[0] = [p[1]] if len(p) == 2 else p[1] + [p[2]]

    def p_single_case(self, p):
        """single_case : CASE ct_rval COLON actions
                       | CASE ct_rval COLON
                       | CASE SLASH ct_rval COLON actions
                       | CASE SLASH ct_rval COLON
                       | DEFAULT COLON actions
                       | DEFAULT COLON"""
        if p.slice[1].type == "DEFAULT":
            p[0] = A.Case(is_default=True, is_regex=False, body=p[3] if len(p) == 4 else [], coord=self.c(p, 1))
            return
        regex = p.slice[2].type == "SLASH"
        value = p[3] if regex else p[2]
        body_i = 5 if regex else 4
        body = p[body_i] if len(p) > body_i else []
        if regex and not isinstance(value.value, str):
            self.fail(value.coord, "bad regex case label: a string is expected")
        p[0] = A.Case(value=value, is_regex=regex, is_default=False, body=body, coord=self.c(p, 1))

    def p_ct_rval(self, p):
        """ct_rval : rval_expr"""
        v = _fold_const(p[1])
        if v is None:
            self.fail(p[1].coord, "constant expected")
            v = A.Const(value=0, coord=p[1].coord)
        p[0] = v

    def p_ret_cmd(self, p):
        """ret_cmd : DROP LPAREN RPAREN
                   | DROP rval_expr
                   | DROP
                   | EXIT LPAREN RPAREN
                   | EXIT rval_expr
                   | EXIT
                   | RETURN LPAREN RPAREN
                   | RETURN rval_expr
                   | RETURN"""
        value = p[2] if len(p) == 3 else None
        p[0] = A.Return(kind=p[1], value=value, coord=self.c(p, 1))

    def p_ret_break(self, p):
        """ret_cmd : BREAK"""
        p[0] = A.Break(coord=self.c(p, 1))

    def p_assign_action(self, p):
        """assign_action : lval EQUAL rval_expr"""
        p[0] = A.Assign(target=p[1], op="=", value=p[3], coord=p[1].coord)

    def p_lval(self, p):
        """lval : AVP
                | PVAR
                | AVP_OR_PVAR"""
        t, coord = p.slice[1].type, self.c(p, 1)
        if t == "AVP":
            if _avp_has_number_index(p[1]):
                self.fail(coord, "syntax error, an AVP with an index cannot be assigned")
            p[0] = A.AVP(text=p[1], coord=coord)
            return
        if t == "PVAR" and p[1].startswith("$(") and "{" in _outer_tail(p[1]):
            self.fail(coord, "pvar with transformations in assignment left side")
        p[0] = _pv_node(p[1], t, coord)

    # ------------------------------------------------------------------ commands
    def p_fcmd(self, p):
        """fcmd : cmd"""
        node = p[1]
        if self.rt == "onsend" and node is not None:
            ok = isinstance(node, A.Call) or (isinstance(node, A.CoreAction) and node.name in _ONSEND_OK)
            if not ok:
                self.fail(node.coord, "command not allowed in onsend_route")
        p[0] = node

    def p_cmd_func(self, p):
        """cmd : ID LPAREN func_params RPAREN"""
        for a in p[3]:
            for n in a.walk():
                if isinstance(n, (A.Call, A.CoreAction, A.RouteCall)):
                    self.fail(n.coord, "use of function execution inside params not allowed")
        p[0] = A.Call(name=p[1], args=p[3], coord=self.c(p, 1))

    def p_func_params(self, p):
        """func_params : empty
                       | func_params COMMA func_param
                       | func_param"""
        if len(p) == 4:
            p[0] = (p[1] or []) + [p[3]]
        else:
            p[0] = [] if p[1] is None else [p[1]]

    def p_func_param(self, p):
        """func_param : rval_expr"""
        p[0] = p[1]

    def _core(self, p, args):
        t = p.slice[1].type
        return A.CoreAction(name=ACTION_NAMES[t], args=args, written=p[1], coord=self.c(p, 1))

    def p_cmd_forward(self, p):
        """cmd : forward_kw LPAREN RPAREN
               | forward_kw LPAREN fwd_target RPAREN
               | forward_kw LPAREN fwd_target COMMA NUMBER RPAREN
               | forward_kw LPAREN URIHOST COMMA URIPORT RPAREN
               | forward_kw LPAREN URIHOST COMMA NUMBER RPAREN
               | forward_kw LPAREN URIHOST RPAREN"""
        name, written, coord = p[1]
        if len(p) == 4 and name != "forward":
            self.fail(self.c(p, 3), f"syntax error, unexpected ')': {written}() needs a destination")
        args = []
        for i in range(3, len(p) - 1, 2):
            v, st = p[i], p.slice[i].type
            if st == "URIHOST":
                v = A.Name(name="uri:host", coord=self.c(p, i))
            elif st == "URIPORT":
                v = A.Name(name="uri:port", coord=self.c(p, i))
            elif st == "NUMBER":
                v = A.Const(value=v, coord=self.c(p, i))
            args.append(v)
        p[0] = A.CoreAction(name=name, args=args, written=written, coord=coord)

    def p_forward_kw(self, p):
        """forward_kw : FORWARD
                      | FORWARD_UDP
                      | FORWARD_TCP
                      | FORWARD_TLS
                      | FORWARD_SCTP"""
        p[0] = (ACTION_NAMES[p.slice[1].type], p[1], self.c(p, 1))

    def p_fwd_target(self, p):
        """fwd_target : host
                      | STRING
                      | ip"""
        t = p.slice[1].type
        if t == "STRING":
            p[0] = A.Const(value=p[1], coord=self.c(p, 1))
        else:
            p[0] = p[1]

    def p_cmd_log(self, p):
        """cmd : LOG_TOK LPAREN STRING RPAREN
               | LOG_TOK LPAREN NUMBER COMMA STRING RPAREN
               | ERROR LPAREN STRING COMMA STRING RPAREN
               | EXEC LPAREN STRING RPAREN
               | SET_HOST LPAREN STRING RPAREN
               | PREFIX LPAREN STRING RPAREN
               | SET_HOSTPORT LPAREN STRING RPAREN
               | SET_HOSTPORTTRANS LPAREN STRING RPAREN
               | SET_PORT LPAREN STRING RPAREN
               | SET_USER LPAREN STRING RPAREN
               | SET_USERPASS LPAREN STRING RPAREN
               | SET_URI LPAREN STRING RPAREN
               | STRIP_TAIL LPAREN NUMBER RPAREN
               | STRIP LPAREN NUMBER RPAREN
               | SET_ADV_PORT LPAREN NUMBER RPAREN
               | CFG_RESET LPAREN STRING RPAREN"""
        args = [A.Const(value=p[i], coord=self.c(p, i)) for i in range(3, len(p) - 1, 2)]
        p[0] = self._core(p, args)

    def p_cmd_flag(self, p):
        """cmd : SETFLAG LPAREN NUMBER RPAREN
               | SETFLAG LPAREN flag_name RPAREN
               | RESETFLAG LPAREN NUMBER RPAREN
               | RESETFLAG LPAREN flag_name RPAREN
               | ISFLAGSET LPAREN NUMBER RPAREN
               | ISFLAGSET LPAREN flag_name RPAREN"""
        st = p.slice[3].type
        if st != "NUMBER" and p[3] not in self.flag_names:   # cfg.y looks the name up right away
            self.fail(self.c(p, 4), "flag not declared")
        arg = A.Const(value=p[3], coord=self.c(p, 3)) if st == "NUMBER" else A.Name(name=p[3], coord=self.c(p, 3))
        p[0] = self._core(p, [arg])

    def p_cmd_avpflag(self, p):
        """cmd : avpflag_oper LPAREN avp_arg COMMA flag_name RPAREN"""
        name, written, coord = p[1]
        p[0] = A.CoreAction(name=name, written=written, args=[p[3], A.Name(name=p[5], coord=self.c(p, 5))],
                            coord=coord)

    def p_avpflag_oper(self, p):
        """avpflag_oper : SETAVPFLAG
                        | RESETAVPFLAG
                        | ISAVPFLAGSET"""
        p[0] = (ACTION_NAMES[p.slice[1].type], p[1], self.c(p, 1))

    def p_avp_arg(self, p):
        """avp_arg : AVP
                   | AVP_OR_PVAR
                   | STRING"""
        t = p.slice[1].type
        if t == "STRING":
            p[0] = A.Const(value=p[1], coord=self.c(p, 1))
        else:
            p[0] = A.AVP(text=p[1], coord=self.c(p, 1))

    def p_cmd_route(self, p):
        """cmd : ROUTE LPAREN rval_expr RPAREN
               | ROUTE LPAREN ID RPAREN"""
        target = p[3]
        if isinstance(target, A.Const) and isinstance(target.value, str):
            target = target.value  # route("NAME") is resolved at compile time like route(NAME)
        p[0] = A.RouteCall(target=target, coord=self.c(p, 1))

    def p_cmd_noargs(self, p):
        """cmd : SET_USERPHONE LPAREN RPAREN
               | REMOVE_BRANCH LPAREN RPAREN
               | CLEAR_BRANCHES LPAREN RPAREN
               | REVERT_URI LPAREN RPAREN
               | REVERT_URI
               | FORCE_RPORT LPAREN RPAREN
               | FORCE_RPORT
               | ADD_LOCAL_RPORT LPAREN RPAREN
               | ADD_LOCAL_RPORT
               | FORCE_TCP_ALIAS LPAREN RPAREN
               | FORCE_TCP_ALIAS
               | SET_FWD_NO_CONNECT LPAREN RPAREN
               | SET_FWD_NO_CONNECT
               | SET_RPL_NO_CONNECT LPAREN RPAREN
               | SET_RPL_NO_CONNECT
               | SET_FWD_CLOSE LPAREN RPAREN
               | SET_FWD_CLOSE
               | SET_RPL_CLOSE LPAREN RPAREN
               | SET_RPL_CLOSE"""
        p[0] = self._core(p, [])

    def p_cmd_misc(self, p):
        """cmd : REMOVE_BRANCH LPAREN intno RPAREN
               | FORCE_TCP_ALIAS LPAREN NUMBER RPAREN
               | UDP_MTU_TRY_PROTO LPAREN proto RPAREN
               | SET_ADV_ADDRESS LPAREN listen_id RPAREN
               | FORCE_SEND_SOCKET LPAREN phostport RPAREN"""
        v = p[3]
        if not isinstance(v, A.Node):
            v = A.Const(value=v, coord=self.c(p, 3)) if isinstance(v, int) else A.Name(name=v, coord=self.c(p, 3))
        p[0] = self._core(p, [v])

    def p_cmd_cfg_select(self, p):
        """cmd : CFG_SELECT LPAREN STRING COMMA rval_expr RPAREN"""
        p[0] = self._core(p, [A.Const(value=p[3], coord=self.c(p, 3)), p[5]])

    # ------------------------------------------------------------------ expressions
    def p_rval_const(self, p):
        """rval : intno
                | STRING"""
        p[0] = A.Const(value=p[1], coord=self.c(p, 1))

    def p_rval_var(self, p):
        """rval : PVAR
                | AVP_OR_PVAR
                | AVP
                | SELECT"""
        t, coord = p.slice[1].type, self.c(p, 1)
        if t == "AVP":
            p[0] = A.AVP(text=p[1], coord=coord)
        elif t == "SELECT":
            p[0] = A.Select(text=p[1], coord=coord)
        else:
            p[0] = _pv_node(p[1], t, coord)

    def p_rval_other(self, p):
        """rval : fcmd
                | exp_elem"""
        p[0] = p[1]

    def p_rval_block(self, p):
        """rval : LPAREN assign_action RPAREN
                | LBRACE actions RBRACE"""
        p[0] = p[2] if p.slice[1].type == "LPAREN" else A.Block(stmts=p[2], coord=self.c(p, 1))

    def p_rval_expr(self, p):
        """rval_expr : rval"""
        p[0] = p[1]

    def p_rval_expr_unary(self, p):
        """rval_expr : NOT rval_expr %prec UNARY
                     | BIN_NOT rval_expr %prec UNARY
                     | MINUS rval_expr %prec UNARY
                     | INTCAST rval_expr
                     | STRCAST rval_expr
                     | DEFINED rval_expr"""
        op = {"NOT": "!", "BIN_NOT": "~", "MINUS": "-", "INTCAST": "(int)", "STRCAST": "(str)",
              "DEFINED": "defined"}[p.slice[1].type]
        node = A.UnOp(op=op, operand=p[2], coord=self.c(p, 1))
        self._type_check(node)
        p[0] = node

    def p_rval_expr_binary(self, p):
        """rval_expr : rval_expr PLUS rval_expr
                     | rval_expr MINUS rval_expr
                     | rval_expr STAR rval_expr
                     | rval_expr SLASH rval_expr
                     | rval_expr MODULO rval_expr
                     | rval_expr BIN_OR rval_expr
                     | rval_expr BIN_AND rval_expr
                     | rval_expr BIN_XOR rval_expr
                     | rval_expr BIN_LSHIFT rval_expr
                     | rval_expr BIN_RSHIFT rval_expr
                     | rval_expr GT rval_expr
                     | rval_expr LT rval_expr
                     | rval_expr GTE rval_expr
                     | rval_expr LTE rval_expr
                     | rval_expr EQUAL_T rval_expr
                     | rval_expr DIFF rval_expr
                     | rval_expr INTEQ rval_expr
                     | rval_expr INTDIFF rval_expr
                     | rval_expr STREQ rval_expr
                     | rval_expr STRDIFF rval_expr
                     | rval_expr MATCH rval_expr
                     | rval_expr LOG_AND rval_expr
                     | rval_expr LOG_OR rval_expr"""
        node = A.BinOp(op=_OP_TEXT[p.slice[2].type], left=p[1], right=p[3], coord=p[1].coord)
        self._type_check(node)
        p[0] = node

    def p_rval_expr_paren(self, p):
        """rval_expr : LPAREN rval_expr RPAREN"""
        p[0] = p[2]

    def p_rval_expr_builtin(self, p):
        """rval_expr : STRLEN LPAREN rval_expr RPAREN
                     | STREMPTY LPAREN rval_expr RPAREN"""
        node = A.UnOp(op=p[1], operand=p[3], coord=self.c(p, 1))
        self._type_check(node)
        p[0] = node

    def p_rval_expr_selval(self, p):
        """rval_expr : SELVAL LPAREN rval_expr COMMA rval_expr COMMA rval_expr RPAREN"""
        p[0] = A.Selval(cond=p[3], a=p[5], b=p[7], coord=self.c(p, 1))

    # --- legacy keyword comparisons (exp_elem)
    def p_exp_elem_method(self, p):
        """exp_elem : METHOD strop rval_expr %prec EQUAL_T
                    | METHOD strop ID %prec EQUAL_T"""
        right = p[3] if p.slice[3].type != "ID" else A.Const(value=p[3], raw=p[3], coord=self.c(p, 3))
        p[0] = A.KeywordCmp(left="method", op=p[2], right=right, coord=self.c(p, 1))

    def p_exp_elem_uri(self, p):
        """exp_elem : uri_type strop rval_expr %prec EQUAL_T
                    | uri_type strop MYSELF %prec EQUAL_T"""
        right = p[3] if p.slice[3].type != "MYSELF" else A.Myself(coord=self.c(p, 3))
        p[0] = A.KeywordCmp(left=p[1][0], op=p[2], right=right, coord=p[1][1])

    def p_exp_elem_int(self, p):
        """exp_elem : eint_op cmpop rval_expr %prec GT
                    | eint_op equalop rval_expr %prec EQUAL_T"""
        p[0] = A.KeywordCmp(left=p[1][0], op=p[2], right=p[3], coord=p[1][1])

    def p_exp_elem_proto(self, p):
        """exp_elem : PROTO equalop eqproto %prec EQUAL_T
                    | PROTO equalop rval_expr %prec EQUAL_T
                    | SNDPROTO equalop eqproto %prec EQUAL_T
                    | SNDPROTO equalop rval_expr %prec EQUAL_T"""
        left = "proto" if p.slice[1].type == "PROTO" else "snd_proto"
        if left == "snd_proto" and self.rt != "onsend":
            pass  # Kamailio allows snd_proto anywhere (its value is only meaningful in onsend_route)
        p[0] = A.KeywordCmp(left=left, op=p[2], right=p[3], coord=self.c(p, 1))

    def p_exp_elem_ip(self, p):
        """exp_elem : eip_op strop ipnet %prec EQUAL_T
                    | eip_op strop rval_expr %prec EQUAL_T
                    | eip_op strop host %prec EQUAL_T
                    | eip_op strop MYSELF %prec EQUAL_T"""
        right = p[3] if p.slice[3].type != "MYSELF" else A.Myself(coord=self.c(p, 3))
        if isinstance(right, A.Const) and isinstance(right.value, int) and p.slice[3].type == "rval_expr":
            self.fail(right.coord, "string expected")
        p[0] = A.KeywordCmp(left=p[1][0], op=p[2], right=right, coord=p[1][1])

    def p_exp_elem_myself(self, p):
        """exp_elem : MYSELF equalop uri_type %prec EQUAL_T
                    | MYSELF equalop eip_op %prec EQUAL_T"""
        p[0] = A.KeywordCmp(left=p[3][0], op=p[2], right=A.Myself(coord=self.c(p, 1)), coord=self.c(p, 1))

    def p_uri_type(self, p):
        """uri_type : URI
                    | FROM_URI
                    | TO_URI"""
        p[0] = ({"URI": "uri", "FROM_URI": "from_uri", "TO_URI": "to_uri"}[p.slice[1].type], self.c(p, 1))

    def p_eint_op(self, p):
        """eint_op : SRCPORT
                   | DSTPORT
                   | AF
                   | MSGLEN
                   | SNDPORT
                   | TOPORT
                   | SNDAF"""
        name = {"SRCPORT": "src_port", "DSTPORT": "dst_port", "AF": "af", "MSGLEN": "msg:len",
                "SNDPORT": "snd_port", "TOPORT": "to_port", "SNDAF": "snd_af"}[p.slice[1].type]
        p[0] = (name, self.c(p, 1))

    def p_eip_op(self, p):
        """eip_op : SRCIP
                  | DSTIP
                  | SNDIP
                  | TOIP"""
        t = p.slice[1].type
        if t in ("SNDIP", "TOIP") and self.rt != "onsend":
            self.fail(self.c(p, 1), f"'{p[1]}' is only allowed in onsend_route")
        p[0] = ({"SRCIP": "src_ip", "DSTIP": "dst_ip", "SNDIP": "snd_ip", "TOIP": "to_ip"}[t], self.c(p, 1))

    def p_strop(self, p):
        """strop : equalop
                 | MATCH"""
        p[0] = p[1] if p.slice[1].type == "equalop" else "=~"

    def p_equalop(self, p):
        """equalop : EQUAL_T
                   | DIFF
                   | STREQ
                   | STRDIFF"""
        p[0] = _OP_TEXT[p.slice[1].type]

    def p_cmpop(self, p):
        """cmpop : GT
                 | LT
                 | GTE
                 | LTE"""
        p[0] = _OP_TEXT[p.slice[1].type]

    def p_ipnet(self, p):
        """ipnet : ip SLASH ip
                 | ip SLASH NUMBER
                 | ip"""
        if len(p) == 2:
            p[0] = p[1]
            return
        if p.slice[3].type == "NUMBER":
            bits = 32 if ":" not in p[1].text else 128
            if not 0 <= p[3] <= bits:
                self.fail(self.c(p, 3), "invalid bit number in netmask")
        p[0] = A.Network(addr=p[1], mask=p[3], coord=p[1].coord)

    def p_host(self, p):
        """host : ID
                | host DOT ID
                | host MINUS ID"""
        if len(p) == 2:
            p[0] = A.Host(text=p[1], coord=self.c(p, 1))
        else:
            p[0] = A.Host(text=f"{p[1].text}{p[2]}{p[3]}", coord=p[1].coord)

    # ------------------------------------------------------------------ static checks
    def _type_check(self, node):
        """Kamailio's parse-time type rules (kamailio-language.md §4.4)."""
        if isinstance(node, A.UnOp):
            t = _static_type(node.operand)
            if node.op in ("!", "~", "-") and t == "str":
                self.fail(node.coord, f"invalid expression: operator '{node.op}' needs an integer operand", "type")
            if node.op in ("defined", "strlen", "strempty") and t == "int" and isinstance(node.operand, A.Const):
                self.fail(node.coord, f"invalid expression: '{node.op}' of an integer", "type")
            return
        lt, rt = _static_type(node.left), _static_type(node.right)
        op = node.op
        if op in _INT_OPS:
            if lt == "str" or rt == "str":
                self.fail(node.coord, f"invalid expression: operator '{op}' needs integer operands", "type")
        elif op in ("==", "!=", "+"):
            if lt and rt and lt != rt and not (lt == "str" and rt == "int"):
                self.fail(node.coord, f"invalid expression: type mismatch for '{op}' ({lt} and {rt})", "type")
        elif op in ("eq", "ne", "=~"):
            if lt == "int" and isinstance(node.left, A.Const):
                self.fail(node.coord, f"invalid expression: operator '{op}' needs a string on the left", "type")


# ---------------------------------------------------------------------- helpers
def _join_host(words) -> str:
    return "".join(w[0] for w in words)


def _pv_node(text: str, toktype: str, coord: Coord):
    node = A.PV(text=text, coord=coord)
    if toktype == "AVP_OR_PVAR":
        node.maybe_avp = True  # MAX compat: a PV if such a PV exists, else an AVP (resolver decides)
    return node


def _outer_tail(text: str) -> str:
    """For "$(name(inner)[i]{tr})": the part after the PV name's own parentheses."""
    body = text[2:-1]
    depth = 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return body[i + 1:]
        elif depth == 0 and ch in "[{":
            return body[i:]
    return ""


def _avp_has_number_index(text: str) -> bool:
    i = text.find("[")
    return i >= 0 and text[i + 1:].strip(" \t]") != ""


def _static_type(e):
    """'int', 'str' or None (unknown until run time), as Kamailio's rve_guess_type."""
    if isinstance(e, A.Const):
        return "int" if isinstance(e.value, int) else "str"
    if isinstance(e, A.UnOp):
        if e.op == "(str)":
            return "str"
        return "int"
    if isinstance(e, A.BinOp):
        if e.op == "+":
            return _static_type(e.left)
        return "int"
    if isinstance(e, (A.KeywordCmp, A.Call, A.CoreAction, A.RouteCall, A.Assign)):
        return "int"
    if isinstance(e, A.Selval):
        a, b = _static_type(e.a), _static_type(e.b)
        return a if a == b else None
    return None


def _fold_const(e):
    """A constant case label: a literal, or unary minus / simple arithmetic on int literals."""
    if isinstance(e, A.Const):
        return e
    if isinstance(e, A.UnOp) and e.op == "-":
        v = _fold_const(e.operand)
        if v is not None and isinstance(v.value, int):
            return A.Const(value=-v.value, coord=e.coord)
    if isinstance(e, A.BinOp) and e.op == "+":
        l, r = _fold_const(e.left), _fold_const(e.right)
        if l is not None and r is not None:
            if isinstance(l.value, int) and isinstance(r.value, int):
                return A.Const(value=l.value + r.value, coord=e.coord)
            if isinstance(l.value, str):
                return A.Const(value=l.value + str(r.value), coord=e.coord)
    return None


_PARSER: CfgParser | None = None


def get_parser() -> CfgParser:
    """The process-wide parser (LALR tables loaded from, or built into, the cache of grammar/lrcache.py)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = CfgParser()
    return _PARSER


def parse_source(source, all_errors: bool = False):
    """Parse a preprocessed Source -> (Config, diagnostics)."""
    return get_parser().parse(source, all_errors)
