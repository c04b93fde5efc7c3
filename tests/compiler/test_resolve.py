"""Resolve-stage diagnostics, one by one (wording and rules checked against Kamailio 5.6.3 start-up:
`kamailio -f x.cfg -DD -E` runs the fixups that `kamailio -c` skips)."""
from __future__ import annotations

import os
import sys

import pytest

from cfgvm import exports as X
from cfgvm.compiler.program import compile_config
from cfgvm.parse import parse_string
from cfgvm.diagnostics import CfgError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vm"))
import minipv  # noqa: E402

CALLS = []


def _rec(ctx, mod, *args):
    CALLS.append(args)
    return 1


FAKE = {
    "tm": X.Module("tm", functions=[
        X.Function("t_relay", _rec, (), X.REQUEST_ROUTE | X.FAILURE_ROUTE),
        X.Function("t_on_failure", _rec, (X.ROUTE,), X.REQUEST_ROUTE | X.FAILURE_ROUTE | X.BRANCH_ROUTE),
        X.Function("t_on_branch", _rec, (X.ROUTE,), X.REQUEST_ROUTE | X.FAILURE_ROUTE),
        X.Function("t_drop_replies", _rec, (), X.FAILURE_ROUTE),
        X.Function("t_set_fr", _rec, (X.IGP,), X.ANY_ROUTE),
        X.Function("t_set_fr", _rec, (X.IGP, X.IGP), X.ANY_ROUTE),
    ], params=[X.Param("fr_timer", X.INT_PARAM, 30000), X.Param("fr_inv_timer", X.INT_PARAM, 120000)]),
    "textops": X.Module("textops", functions=[
        X.Function("search", _rec, (X.REGEX,), X.ANY_ROUTE),
        X.Function("append_hf", _rec, (X.FMT,), X.ANY_ROUTE),
    ]),
    "htable": X.Module("htable", params=[X.Param("htable", X.STR_PARAM, multi=True)]),
    "nathelper": X.Module("nathelper", params=[X.Param("natping_interval", X.INT_PARAM, 0)]),
    "registrar": X.Module("registrar", params=[X.Param("natping_interval", X.INT_PARAM, 0)]),
}


_loader = minipv.loader(FAKE)


def diags(text: str):
    cfg = parse_string(text, "t.cfg")
    _, ds = compile_config(cfg, raise_errors=False, module_loader=_loader, pv_resolver=minipv.pick())
    return [(d.coord.line, d.code, d.message) for d in ds if d.severity == "error"]


def program(text: str):
    cfg = parse_string(text, "t.cfg")
    prog, _ = compile_config(cfg, module_loader=_loader, pv_resolver=minipv.pick())
    return prog


def codes(text):
    return [(line, code) for line, code, _ in diags(text)]


def test_loadmodule_path_forms_all_name_the_same_module():
    prog = program('loadmodule "tm.so"\nloadmodule "/usr/lib/x86_64-linux-gnu/kamailio/modules/textops.so"\n'
                   'loadmodule "modules/htable.so"\nloadmodule "nathelper"\nrequest_route { t_relay(); }\n')
    assert sorted(prog.modules) == ["htable", "nathelper", "textops", "tm"]


def test_unknown_and_unsupported_modules():
    got = codes('loadmodule "nosuchmod.so"\nloadmodule "acc.so"\nrequest_route { exit; }\n')
    assert got == [(1, "module-unknown"), (2, "module-unsupported")]


def test_modparam_type_must_match_as_in_kamailio():
    # Kamailio: parameter <fr_timer> of type <1:string> not found in module <tm>
    got = diags('loadmodule "tm.so"\nmodparam("tm", "fr_timer", "5000")\nrequest_route { exit; }\n')
    assert got == [(2, "modparam-type", "parameter <fr_timer> of type <1:string> not found in module <tm>")]


def test_modparam_unknown_param_and_no_module():
    got = diags('loadmodule "tm.so"\nmodparam("tm", "nope", 1)\nmodparam("foo", "x", 1)\nrequest_route { exit; }\n')
    assert got == [(2, "modparam-unknown", "parameter <nope> of type <2:int> not found in module <tm>"),
                   (3, "modparam-no-module", "set_mod_param_regex(): No module matching <foo> found")]


def test_modparam_regex_is_anchored_case_insensitive_and_may_match_several():
    prog = program('loadmodule "nathelper.so"\nloadmodule "registrar.so"\n'
                   'modparam("NATHELPER|registrar", "natping_interval", 30)\nrequest_route { exit; }\n')
    assert prog.modules["nathelper"].params["natping_interval"] == 30
    assert prog.modules["registrar"].params["natping_interval"] == 30
    # anchored: "nat" alone matches no module
    assert codes('loadmodule "nathelper.so"\nmodparam("nat", "natping_interval", 1)\nrequest_route { exit; }\n') == \
        [(2, "modparam-no-module")]


def test_multi_params_are_collected():
    prog = program('loadmodule "htable.so"\nmodparam("htable", "htable", "a=>size=4")\n'
                   'modparam("htable", "htable", "b=>size=8")\nrequest_route { exit; }\n')
    assert prog.modules["htable"].params["htable"] == ["a=>size=4", "b=>size=8"]


def test_unknown_function_wrong_arity_and_route_type():
    got = codes('loadmodule "tm.so"\nrequest_route {\n nosuch();\n t_set_fr(1, 2, 3);\n t_drop_replies();\n}\n'
                'failure_route[F] { t_drop_replies(); }\n')
    assert got == [(3, "unknown-function"), (4, "wrong-arity"), (5, "bad-route-type")]


def test_wrong_arity_lists_the_arities_that_exist():
    (_, _, msg), = diags('loadmodule "tm.so"\nrequest_route { t_set_fr(1, 2, 3); }\n')
    assert "1 or 2" in msg and "3 given" in msg


def test_sub_routes_are_checked_as_request_routes():
    # §4.6: t_drop_replies is FAILURE-only; route[X] counts as REQUEST even if called from failure_route
    got = codes('loadmodule "tm.so"\nfailure_route[F] { route(X); }\nroute[X] {\n t_drop_replies();\n}\n')
    assert got == [(4, "bad-route-type")]


def test_event_routes_are_checked_as_request_routes():
    assert codes('loadmodule "tm.so"\nevent_route[htable:mod-init] {\n t_relay();\n}\n') == []


def test_route_targets_must_exist():
    got = diags('loadmodule "tm.so"\nrequest_route {\n route(NOPE);\n t_on_failure("MISSING");\n'
                ' t_on_branch("B");\n}\nbranch_route[B] { exit; }\n')
    assert [(g[0], g[1]) for g in got] == [(3, "undefined-route"), (4, "undefined-route")]
    assert "failure_route[MISSING]" in got[1][2]


def test_parameter_not_constant():
    # Kamailio: "function xlog: parameter 1 is not constant"
    got = diags('loadmodule "pv.so"\nloadmodule "textops.so"\nrequest_route {\n $var(x) = "a";\n append_hf("X: " + $var(x));\n}\n')
    assert got == [(5, "not-constant", "function append_hf: parameter 1 is not constant")]


def test_constant_expressions_are_folded_before_fixups():
    assert codes('loadmodule "textops.so"\nrequest_route { append_hf("X: " + "1" + "\\r\\n"); }\n') == []


def test_bad_pv_inside_format_string_is_reported_at_the_call():
    got = diags('loadmodule "textops.so"\nrequest_route {\n\n append_hf("X: $nosuchpv(x)\\r\\n");\n}\n')
    assert [(g[0], g[1]) for g in got] == [(4, "bad-pv")]


def test_bad_regex_is_reported():
    assert codes('loadmodule "textops.so"\nrequest_route {\n search("a(b");\n}\n') == [(3, "bad-regex")]


def test_flag_names_become_bits():
    prog = program("flags FLT_ACC:1, FLT_NAT:5;\nrequest_route { setflag(FLT_NAT); }\n")
    assert prog.flags == {"FLT_ACC": 1, "FLT_NAT": 5}
    # an undeclared name is already a parse error ("flag not declared" at the ')', as 5.6.3's cfg.y)
    with pytest.raises(CfgError) as ei:
        program("request_route { setflag(UNDECLARED); }\n")
    assert [(d.coord.line, d.message) for d in ei.value.diagnostics] == [(1, "flag not declared")]


def test_all_diagnostics_are_collected():
    got = codes('loadmodule "tm.so"\nrequest_route {\n a();\n b();\n route(X);\n route(Y);\n}\n')
    assert got == [(3, "unknown-function"), (4, "unknown-function"), (5, "undefined-route"),
                   (6, "undefined-route")]
