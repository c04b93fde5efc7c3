"""The pv module's functions (README.pv of 5.6), driven with resolved PVRefs as the VM does."""
import pytest

from cfgvm.exports import ModuleInstance
from cfgvm.sip.message import Message
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState
from cfgvm.vm.pv import resolve_pv
from cfgvm.vm.pvspec import parse
from cfgvm.stdlib import pv as M


class Program:
    def __init__(self):
        self.modules = {"pv": ModuleInstance(M.EXPORTS)}
        self.defines = {}


@pytest.fixture
def env():
    p = Program()
    ctx = Context(p, Message.parse(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n"
                                   b"From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\n"
                                   b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"),
                  ReceiveInfo("udp", "1.2.3.4", 5060, "5.6.7.8", 5060), worker=WorkerState(),
                  shared=SharedState(), clock=lambda: 0.0)
    return p, ctx, p.modules["pv"]


def ref(p, text):
    return resolve_pv(parse(text), p)


def test_isset_unset_typeof(env):
    p, ctx, mod = env
    a = ref(p, "$avp(x)")
    assert M.pv_isset(ctx, mod, a) == -1
    a.set(ctx, 5)
    assert M.pv_isset(ctx, mod, a) == 1 and M.is_int(ctx, mod, a) == 1
    assert M.typeof(ctx, mod, a, "int") == 1 and M.typeof(ctx, mod, a, "str") == -1
    M.pv_unset(ctx, mod, a)
    assert M.typeof(ctx, mod, a, "null") == 1
    v = ref(p, "$var(s)")
    v.set(ctx, "")
    assert M.not_empty(ctx, mod, v) == -1
    v.set(ctx, "x")
    assert M.not_empty(ctx, mod, v) == 1 and M.is_int(ctx, mod, v) == -1
    assert M.is_int(ctx, mod, ref(p, "$rp")) == 1          # string with an int value in Kamailio


def test_xavp_functions(env):
    p, ctx, mod = env
    assert M.xavp_params_explode(ctx, mod, "a=b;c=d", "x") == 1
    assert ref(p, "$xavp(x=>c)").get(ctx) == "d"
    ref(p, "$xavp(y=>e)").set(ctx, "f")                   # README.pv's implode example
    ref(p, "$xavp(y[0]=>c)").set(ctx, "d")
    ref(p, "$xavp(y[0]=>a)").set(ctx, "b")
    M.xavp_params_implode(ctx, mod, "y", "$var(out)")
    assert ref(p, "$var(out)").get(ctx) == "a=b;c=d;e=f;"
    M.xavp_slist_explode(ctx, mod, "a=b; c=d;", "=;", "t", "s")
    assert [ref(p, f"$xavp(s[0]=>v[{i}])").get(ctx) for i in range(4)] == ["a", "b", "c", "d"]
    M.EXPORTS.function("xavp_child_seti", 3).handler(ctx, mod, "r", "n", "10")
    assert ref(p, "$xavp(r=>n)").get(ctx) == 10
    M.EXPORTS.function("xavi_child_sets", 3).handler(ctx, mod, "WhatEver", "FoO", "v")
    assert ref(p, "$xavi(whatever=>foo)").get(ctx) == "v"
    M.EXPORTS.function("xavp_child_rm", 2).handler(ctx, mod, "r", "n")
    assert ref(p, "$xavp(r=>n)").get(ctx) is None
    M.EXPORTS.function("xavp_rm", 1).handler(ctx, mod, "x")
    assert ref(p, "$cnt($xavp(x))").get(ctx) == 0


def test_xavp_copy_reorders(env):
    p, ctx, mod = env
    for i in range(3):
        ref(p, "$xavp(a=>x)").set(ctx, f"a-{i}-x")
    M.xavp_copy(ctx, mod, "a", "2", "b")
    M.xavp_copy(ctx, mod, "a", "1", "b")
    M.xavp_copy(ctx, mod, "a", "0", "b")
    assert [ref(p, f"$xavp(b[{i}]=>x)").get(ctx) for i in range(3)] == ["a-0-x", "a-1-x", "a-2-x"]


def test_var_xavp_round_trip_and_evalx(env):
    p, ctx, mod = env
    ref(p, "$var(temp)").set(ctx, 3)
    assert M.pv_var_to_xavp(ctx, mod, "temp", "ok") == 1
    assert ref(p, "$xavp(ok[0]=>temp)").get(ctx) == 3
    ref(p, "$xavp(bar=>foo)").set(ctx, "foo indeed")
    M.pv_xavp_to_var(ctx, mod, "bar")
    assert ref(p, "$var(foo)").get(ctx) == "foo indeed"
    ref(p, "$var(x)").set(ctx, "test")
    M.pv_evalx(ctx, mod, ref(p, "$var(z)"), "$var(x) one")
    assert ref(p, "$var(z)").get(ctx) == "test one"


def test_sbranch(env):
    p, ctx, mod = env
    ref(p, "$sbranch(uri)").set(ctx, "sip:n@10.0.0.1:5080")
    ref(p, "$sbranch(dst_uri)").set(ctx, "sip:10.0.0.2")
    assert M.sbranch_set_ruri(ctx, mod) == 1
    assert ref(p, "$ru").get(ctx) == "sip:n@10.0.0.1:5080" and ref(p, "$du").get(ctx) == "sip:10.0.0.2"
    M.sbranch_reset(ctx, mod)
    assert ref(p, "$sbranch(uri)").get(ctx) is None and M.sbranch_set_ruri(ctx, mod) == -1


def test_export_table_matches_readme():
    names = {f.name for f in M.EXPORTS.functions}
    assert names == {"pv_isset", "pv_unset", "is_int", "typeof", "not_empty", "xavp_copy",
                     "xavp_params_explode", "xavp_params_implode", "xavu_params_explode",
                     "xavu_params_implode", "xavp_slist_explode", "xavp_child_seti", "xavi_child_seti",
                     "xavp_child_sets", "xavi_child_sets", "xavp_rm", "xavi_rm", "xavp_child_rm",
                     "xavi_child_rm", "sbranch_set_ruri", "sbranch_append", "sbranch_reset",
                     "pv_xavp_print", "pv_xavu_print", "pv_xavi_print", "pv_var_to_xavp",
                     "pv_xavp_to_var", "pv_evalx"}
    assert M.EXPORTS.arities("xavp_copy") == [3, 4]
    assert {p.name for p in M.EXPORTS.params} == {"shvset", "varset", "avp_aliases"}
    assert set(M.EXPORTS.transformations) >= {"s", "uri", "param", "nameaddr", "tobody", "line"}
