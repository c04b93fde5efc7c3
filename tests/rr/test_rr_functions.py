"""rr behaviours the README states (and start-up refusals seen on Kamailio 5.6.3), through the engine."""
from __future__ import annotations

import pytest

from cfgvm.diagnostics import CfgError
from rr.cases import UDP4, request
from rr.test_kamailio_cases import SOURCES, without_via

HEAD = """#!KAMAILIO
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "rr.so"
{mp}
request_route {{
{body}
    if ($du == $null && $hdr(X-Dst) != $null) {{ $du = $hdr(X-Dst); }}
    forward();
}}
"""


def run(body, raw, mp=""):
    from cfgvm.compiler.program import compile_config
    from cfgvm.drivers.dryrun import DryRun
    from cfgvm.parse import parse_string
    from cfgvm.vm.context import ReceiveInfo
    from rr.test_kamailio_cases import program
    prog = compile_config(parse_string(HEAD.format(mp=mp, body=body)))[0]
    base = program("default")
    prog.sockets = prog.myself = prog.is_myself = base.sockets
    res = DryRun(prog, trace=False).run(raw, ReceiveInfo(*SOURCES["udp"])).result
    assert res.error is None, res.error
    return [without_via(a.data.decode("latin-1")) for a in res.sent]


def header(text, name):
    return [l for l in text.split("\r\n") if l.lower().startswith(name.lower() + ":")]


def test_loose_route_preloaded_true_only_for_our_preloaded_route():
    body = '    if (loose_route_preloaded()) { append_hf("X-P: yes\\r\\n"); } else { append_hf("X-P: no\\r\\n"); }'
    mine = run(body, request("INVITE", "sip:bob@10.0.0.9", op="", dst=UDP4, routes=["<sip:127.0.0.1;lr>"]))[0]
    assert header(mine, "X-P") == ["X-P: yes"] and header(mine, "Route") == []
    dialog = run(body, request("BYE", "sip:bob@10.0.0.9", op="", dst=UDP4, to_tag="t",
                               routes=["<sip:127.0.0.1;lr>", "<sip:127.0.0.3:5080;lr>"]))[0]
    assert header(dialog, "X-P") == ["X-P: no"]


def test_loose_route_mode_1_skips_the_strict_router_test():
    """README 5.3: with vmode 1 an R-URI that is us does not mean the previous hop was strict."""
    raw = request("BYE", "sip:127.0.0.1", op="", to_tag="t", routes=["<sip:127.0.0.3:5080;lr>, <sip:10.0.0.8;lr>"])
    out = run('    loose_route_mode("1");\n    append_hf("X-R: $rc $du $ru\\r\\n");', raw)[0]
    # not ours: only $du is set, the R-URI and the Route set stay (after_loose, top URI not myself)
    assert header(out, "X-R") == ["X-R: 1 sip:127.0.0.3:5080;lr sip:127.0.0.1"]
    assert header(out, "Route") == ["Route: <sip:127.0.0.3:5080;lr>, <sip:10.0.0.8;lr>"]


def test_custom_user_avp_gives_the_record_route_user():
    mp = 'modparam("rr", "add_username", 1)\nmodparam("rr", "custom_user_avp", "$avp(rru)")'
    out = run('    $avp(rru) = "mo";\n    record_route();', request(dst=UDP4), mp)[0]
    assert header(out, "Record-Route") == ["Record-Route: <sip:mo@127.0.0.1;lr;ftag=ft1>"]


def test_add_rr_param_before_record_route_goes_into_both_headers():
    out = run('    add_rr_param(";nat=yes");\n    record_route();\n    $du = "sip:127.0.0.3:5080;transport=tcp";',
              request())[0]
    assert header(out, "Record-Route") == ["Record-Route: <sip:127.0.0.1;transport=tcp;r2=on;lr;ftag=ft1;nat=yes>",
                                          "Record-Route: <sip:127.0.0.1;r2=on;lr;ftag=ft1;nat=yes>"]


def test_is_direction_needs_append_fromtag_at_start_up():
    """Kamailio 5.6.3 refuses to start: direction_fixup() ... requires parameter append_fromtag."""
    with pytest.raises(CfgError, match="append_fromtag"):
        run('    if (is_direction("downstream")) { xinfo("x"); }', request(dst=UDP4),
            'modparam("rr", "append_fromtag", 0)')


def test_preset_with_two_addresses_needs_double_rr():
    out = run('    if (!record_route_preset("a.example.com", "b.example.com")) { append_hf("X-F: refused\\r\\n"); }',
              request(dst=UDP4), 'modparam("rr", "enable_double_rr", 0)')[0]
    assert header(out, "X-F") == ["X-F: refused"] and header(out, "Record-Route") == []


def test_sockname_mode_is_refused_clearly():
    with pytest.raises(Exception, match="sockname_mode"):
        run("    record_route();", request(dst=UDP4), 'modparam("rr", "sockname_mode", 1)')


def test_double_route_forces_the_socket_of_our_second_entry():
    """loose.c after_loose(): with ;r2 the second Route of ours names the socket to send from."""
    from cfgvm.compiler.program import compile_config
    from cfgvm.drivers.dryrun import DryRun
    from cfgvm.parse import parse_string
    from cfgvm.vm.context import ReceiveInfo
    from rr.cases import R2
    from rr.test_kamailio_cases import program
    prog = compile_config(parse_string(HEAD.format(mp="", body="    loose_route();")))[0]
    prog.sockets = prog.myself = prog.is_myself = program("default").sockets
    raw = request("BYE", "sip:bob@10.0.0.9", op="", to_tag="t",
                  routes=[R2.replace("127.0.0.1;transport=tcp", "127.0.0.1:5062") + ", <sip:127.0.0.3:5080;lr>"])
    res = DryRun(prog, trace=False).run(raw, ReceiveInfo(*SOURCES["udp"])).result
    assert res.error is None, res.error
    assert res.ctx.force_socket == ("udp", "127.0.0.1", 5062)
    assert [a.src for a in res.sent] == [("127.0.0.1", 5062)]
