"""Parser by AST, print-and-reparse round trips, and each error message.

Accept/reject expectations were checked with real `kamailio -c` (5.6.3) where marked [V]."""
import pytest

from cfgvm import ast as A
from cfgvm.diagnostics import CfgError
from cfgvm.parse import parse_string


def route(body, head="request_route"):
    return parse_string(f"{head} {{\n{body}\n}}\n").items[-1].body


def expr(src):
    return route(f"$var(x) = {src};")[0].value


def errors(text, all_errors=False):
    with pytest.raises(CfgError) as ei:
        parse_string(text, all_errors=all_errors)
    return ei.value.diagnostics


def test_top_level_items():
    cfg = parse_string('''#!KAMAILIO
debug = -2
children=4
log_facility=LOG_LOCAL0
listen = udp:127.0.0.1:5060 advertise 1.2.3.4:5060 name "s1"
listen=tcp:[::1]:5060
alias = "example.com" sip.example.org:5060
loadmodule "tm.so"
loadmodule("sl")
modparam("tm", "fr_timer", 5000)
modparam("tm|sl", "x", -1)
flags FLT_ACC:1, FLT_NAT
pstn.gw_ip = "1.2.3.4" desc "gateway"
request_route { exit; }
route[R1] { return; }
route["two"] { return 1; }
route[3] { drop; }
event_route[tm:local-request] { exit; }
onreply_route[0] { exit; }
failure_route[F] { exit; }
''')
    assert cfg.compat == "kamailio"
    p = {x.name: x for x in cfg.params}
    assert p["debug"].value.value == -2 and p["children"].value.value == 4
    lst = [x for x in cfg.params if x.name == "listen"][0].value
    assert lst.socks[0].proto == "udp" and lst.socks[0].port == 5060 and lst.sockname == "s1"
    assert lst.advertise.text == "1.2.3.4" and lst.adv_port == 5060
    assert [m.path for m in cfg.modules] == ["tm.so", "sl"]
    assert [m.value for m in cfg.modparams] == [5000, -1]
    assert cfg.flags[0].names == [("FLT_ACC", 1), ("FLT_NAT", None)]
    assert cfg.cfg_vars[0].group == "pstn" and cfg.cfg_vars[0].desc == "gateway"
    r = cfg.routes
    assert set(r["request"]) == {None, "R1", "two", "3"}
    assert "tm:local-request" in r["event"] and None in r["reply"] and "F" in r["failure"]
    assert cfg.items[0].coord.line == 2


def test_unnamed_blocks_are_concatenated_named_duplicates_rejected():
    cfg = parse_string("request_route { exit; }\nroute { drop; }\n")
    assert [type(s).__name__ for s in cfg.routes["request"][None].body] == ["Return", "Return"]
    d = errors("route[A] { exit; }\nroute[A] { exit; }\n")           # [V] duplicate route
    assert "duplicate route" in d[0].message and d[0].coord.line == 2


def test_statements():
    body = route('''if ($rU == "a") { t_relay(); } else if $x { drop; } else exit;
switch ($rU) { case "a": break; case /"^b": xlog("b"); default: return -1; }
switch ($var(i)) { case -1: case 2: break; }
while ($var(i) < 10) { $var(i) = $var(i) + 1; }
return(); exit(1); drop;
$avp(x) = $null;
forward(uri:host, uri:port);
setflag(FLT_ACC); strip(2); rewriteuser("u");
route(R1); route("R2"); route($var(r));''', head="flags FLT_ACC;\nrequest_route")
    kinds = [type(s).__name__ for s in body]
    assert kinds == ["If", "Switch", "Switch", "While", "Return", "Return", "Return", "Assign",
                     "ExprStmt", "ExprStmt", "ExprStmt", "ExprStmt", "ExprStmt", "ExprStmt", "ExprStmt"]
    sw = body[1]
    assert sw.cases[1].is_regex and sw.cases[1].value.value == "^b" and sw.cases[2].is_default
    assert body[2].cases[0].value.value == -1
    assert body[4].value is None and body[5].value.value == 1
    assert body[8].expr.name == "forward" and [a.name for a in body[8].expr.args] == ["uri:host", "uri:port"]
    assert body[9].expr.args[0].name == "FLT_ACC"
    assert body[12].expr.target == "R1" and body[13].expr.target == "R2"
    assert isinstance(body[14].expr.target, A.PV)


def test_undeclared_flag_name_is_an_error_at_the_parenthesis():
    # [V] 5.6.3: `flags A, B:3;` then isflagset(C) -> "line 3, column 42: flag not declared"
    d = errors("flags A, B:3;\nrequest_route {\n  setflag(A); setflag(B); if (isflagset(C)) exit;\n}\n")
    assert (d[0].message, d[0].coord.line, d[0].coord.column) == ("flag not declared", 3, 42)


def test_precedence_matches_kamailio():
    # 1 | 2 & 3 -> 1 | (2 & 3); 2 ^ 3 & 1 -> (2 ^ 3) & 1 (^ binds tighter than &) [V in §4.3]
    e = expr("1 | 2 & 3")
    assert e.op == "|" and e.right.op == "&"
    e = expr("2 ^ 3 & 1")
    assert e.op == "&" and e.left.op == "^"
    e = expr("1 << 4 >> 2")
    assert e.op == "<<" and e.right.op == ">>"
    e = expr("$a == 1 || $b + 2 * 3 > 4")
    assert e.op == "||" and e.right.op == ">" and e.right.left.right.op == "*"
    e = expr("!defined $avp(x)")
    assert e.op == "!" and e.operand.op == "defined"


def test_legacy_comparisons():
    c = route('if (method == "INVITE" && uri == myself && src_ip == 10.0.0.0/8 && af == INET '
              '&& proto == udp && msg:len > 100 && status =~ "^2" && dst_ip != 1.2.3.4/255.0.0.0) exit;')[0].cond
    leaves = []
    def walk(e):
        if isinstance(e, A.BinOp):
            walk(e.left); walk(e.right)
        else:
            leaves.append(e)
    walk(c)
    assert [l.left for l in leaves] == ["method", "uri", "src_ip", "af", "proto", "msg:len", "uri", "dst_ip"]
    assert isinstance(leaves[1].right, A.Myself)
    assert leaves[2].right.mask == 8 and leaves[7].right.mask.text == "255.0.0.0"
    assert leaves[4].right.value == 1


def test_pv_raw_text_and_calls():
    body = route('$var(x) = $(ru{s.substr,1,2}); xlog("L_INFO", "a" + $var(x));', "#!KAMAILIO\nrequest_route")
    assert body[0].value.text == "$(ru{s.substr,1,2})" and body[0].value.coord.line == 3
    call = body[1].expr
    assert call.name == "xlog" and len(call.args) == 2 and call.args[1].op == "+"


ROUND_TRIP = '''#!KAMAILIO
debug = 2
listen = udp:127.0.0.1:5060
loadmodule "tm.so"
modparam("tm", "fr_timer", -5)
flags A:1, B
g.v = 5 desc "d"
request_route {
	if (($var(a) + 1 > 2) && !defined $avp(x)) {
		t_relay("a", 1);
	} else {
		$var(s) = "q\\"\\n" + (str)($var(a) - 3);
	}
	switch ($rU) {
		case "x":
			break;
		default:
			return -1;
	}
	while ($var(i) < 3) {
		$var(i) = $var(i) + 1;
	}
	if (src_ip == 10.0.0.0/8 || uri == myself || method == "INVITE") exit;
	route(R);
}
route[R] {
	drop;
}
event_route[tm:local-request] {
	exit;
}
'''


def test_print_and_reparse_round_trip():
    first = parse_string(ROUND_TRIP)
    text = A.to_source(first)
    second = parse_string(text)
    assert second.items == first.items        # coords are excluded from equality
    assert A.to_source(second) == text


@pytest.mark.parametrize("body,needle", [
    ("$var(x) += 1;", "Kamailio has no '+='"),                       # [V] += is a syntax error
    ("t_relay;", "module functions need parentheses"),               # [V] bare call
    ('rewriteuser($var(x));', "syntax error"),                       # [V] literal-only core args
    ('strip("1");', "syntax error"),                                 # [V]
    ('xlog("x" + xlog("y"));', "function execution inside params"),  # [V] message from 5.6.3
    ('$(ru{s.len}) = 1;', "transformations in assignment"),
    ('if ("a" < "b") exit;', "needs integer operands"),             # §4.4
    ('if (10 == "10") exit;', "type mismatch"),                      # §4.4
    ('if (!"abc") exit;', "needs an integer operand"),               # §4.4
    ("if (1) { }", "syntax error, unexpected '}'"),                  # [V] empty block
    ('switch ($x) { case 1: break; case "a": break; }', "mixed integer and string"),
    ('switch ($x) { case $y: break; }', "constant expected"),
])
def test_error_messages(body, needle):
    d = errors(f"request_route {{\n{body}\n}}\n")
    assert needle in d[0].message, d[0].message
    assert d[0].coord.line == 2


def test_reserved_word_as_route_name():
    d = errors("route[debug] { exit; }\n")
    assert "reserved word" in d[0].message and d[0].coord.column == 7


def test_unknown_param_and_bad_param_value():
    assert "unknown config variable 'log_level'" in errors("log_level=3\n")[0].message   # 5.6 has no log_level
    d = errors("children = \"4\"\n")
    assert "number expected" in d[0].message and d[0].coord.column == 12
    assert "onsend_route" in errors("onsend_route { forward(); }\n")[0].message


def test_column_of_offending_token():
    d = errors("request_route {\n  exit\n  exit;\n}\n")      # [V] kamailio: line 3, column 3
    assert (d[0].coord.line, d[0].coord.column) == (3, 3)


def test_all_errors_reports_each():
    d = errors("request_route {\n a b;\n exit;\n c d;\n}\n", all_errors=True)
    assert [x.coord.line for x in d] == [2, 4]


def test_newer_forms_accepted():
    cfg = parse_string('loadmodule("tm.so", "opts")\nsocket = { bind = udp:127.0.0.1:5060; name = "s"; }\n')
    assert cfg.modules[0].opts == "opts" and isinstance(cfg.items[1], A.SocketBlock)
