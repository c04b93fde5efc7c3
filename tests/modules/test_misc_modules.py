"""kex, cfgutils, counters, sanity and the service-only modules.

Return codes and values marked [5.6.3] were observed on real Kamailio 5.6.3 (the same calls in a
request_route, logged with xnotice; run through tests/oracle/kamailio.py run_kamailio)."""
import pytest

from modules.helpers import INVITE, Ref, make_ctx, mod_instance
from cfgvm.stdlib import cfgutils, counters, ctl, jsonrpcs, kex, sanity, xhttp
from cfgvm.stdlib._common import ModuleError

K = mod_instance(kex)


def test_kex_flags(ctx):
    assert kex.setsflag(ctx, K, 3) == 1 and kex.issflagset(ctx, K, 3) == 1
    assert kex.resetsflag(ctx, K, 3) == 1 and kex.issflagset(ctx, K, 3) == -1
    assert kex.setsflag(ctx, K, 32) == -1                         # [5.6.3], as resetsflag -> -1
    assert kex.setbflag(ctx, K, 6) == 1 and ctx.bflags == 64 and kex.isbflagset(ctx, K, 6) == 1
    assert kex.setbflag(ctx, K, 1, 5) == -1                     # no such branch [5.6.3]; setbflag(6): 1, $bf 64


def test_kex_dsturi_and_pv_printf(ctx):
    assert kex.isdsturiset(ctx, K) == -1                          # [5.6.3]
    assert kex.setdsturi(ctx, K, "sip:10.0.0.9:5080") == 1 and kex.isdsturiset(ctx, K) == 1
    assert kex.resetdsturi(ctx, K) == 1 and ctx.dst_uri is None
    store = {}
    assert kex.pv_printf(ctx, K, Ref(store, "x"), "a-b") == 1 and store["x"] == "a-b"


def test_cfgutils_random_deterministic_and_prob():
    m = mod_instance(cfgutils)
    a, b = make_ctx(), make_ctx()
    ra = [cfgutils.get_random(a, None) for _ in range(3)]
    assert ra == [cfgutils.get_random(b, None) for _ in range(3)]
    assert all(0 <= x < 2 ** 31 for x in ra)
    assert cfgutils.rand_get_prob(a, m) == 10                      # default probability [5.6.3], README
    cfgutils.rand_set_prob(a, m, 100)
    assert cfgutils.rand_event(a, m) == 1
    cfgutils.rand_set_prob(a, m, 0)
    assert cfgutils.rand_event(a, m) == -1
    cfgutils.rand_reset_prob(a, m)
    assert cfgutils.rand_get_prob(a, m) == 10


def test_cfgutils_gflags_locks_sleep(ctx):
    m = mod_instance(cfgutils, initial_gflags=2, lock_set_size=4)
    assert cfgutils.is_gflag(ctx, m, 1) == 1 and cfgutils.is_gflag(ctx, m, 0) == -1
    cfgutils.set_gflag(ctx, m, 0)
    assert cfgutils.is_gflag(ctx, m, 0) == 1
    assert cfgutils.lock(ctx, m, "k") == 1 and cfgutils.trylock(ctx, m, "k") == -1
    cfgutils.unlock(ctx, m, "k")
    assert cfgutils.trylock(ctx, m, "k") == 1
    with pytest.raises(ModuleError, match="refusing to sleep"):
        cfgutils.m_sleep(ctx, m, 1)
    # [5.6.3]: core_hash("abc","",4)=3, ("x","",4)=8, ("bob","",4)=4, ("alice@x","",4)=9, ("abc","def",8)=114
    assert [cfgutils.core_hash(ctx, m, s1, s2, n) for s1, s2, n in
            [("abc", "", 4), ("x", "", 4), ("bob", "", 4), ("alice@x", "", 4), ("abc", "def", 8)]] == [3, 8, 4, 9, 114]


def test_counters():
    m = mod_instance(counters)
    counters.add_script_counter(m, "foo counts foo")
    ctx = make_ctx()
    counters.cnt_inc(ctx, m, "foo")
    counters.cnt_add(ctx, m, "foo", 5)
    assert counters.get(ctx.shared, m, "foo") == 6
    counters.cnt_reset(ctx, m, "script.foo")
    assert counters.get(ctx.shared, m, "foo") == 0
    with pytest.raises(ModuleError):
        counters.cnt_inc(ctx, m, "undeclared")


def test_sanity_passes_and_fails(monkeypatch):
    sent = []
    from cfgvm.stdlib import sl
    monkeypatch.setattr(sl, "sl_reply", lambda ctx, code, reason: sent.append((code, reason)) or 1)
    s = mod_instance(sanity)
    ctx = make_ctx()
    assert sanity.sanity_check_0(ctx, s) == 1 and sent == []
    assert sanity.sanity_check_1(ctx, s, 0) == -1                 # out of range <1-32768) [5.6.3]
    bad = make_ctx(INVITE.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE"))
    # autodrop=0 only changes the return code: 5.6.3 still sends the 400 and returns -1
    assert sanity.sanity_check_0(bad, mod_instance(sanity, autodrop=0)) == -1
    assert sent == [(400, "CSeq method does not match request method")]


def test_sanity_autodrop_replies(monkeypatch):
    sent = []
    from cfgvm.stdlib import sl
    monkeypatch.setattr(sl, "sl_reply", lambda ctx, code, reason: sent.append((code, reason)) or 1)
    bad = make_ctx(INVITE.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE"))
    assert sanity.sanity_check_0(bad, mod_instance(sanity)) == 0   # autodrop=1: 0 ends the script
    assert sent == [(400, "CSeq method does not match request method")]
    # noreply: kept for sanity_reply()
    bad = make_ctx(INVITE.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE"))
    s = mod_instance(sanity, noreply=1)
    assert sanity.sanity_check_0(bad, s) == 0 and len(sent) == 1
    assert sanity.sanity_reply(bad, s) == 1
    assert sent[-1] == (400, "CSeq method does not match request method")


def test_service_modules_refuse_clearly(ctx):
    assert ctl.EXPORTS.service_only and jsonrpcs.EXPORTS.service_only and xhttp.EXPORTS.service_only
    f = jsonrpcs.EXPORTS.function("jsonrpc_dispatch", 0)
    with pytest.raises(ModuleError, match="control interface not implemented yet"):
        f.handler(ctx, mod_instance(jsonrpcs))
    with pytest.raises(ModuleError, match="control interface not implemented yet"):
        xhttp.EXPORTS.function("xhttp_reply", 4).handler(ctx, None, 200, "OK", "text/plain", "x")


def test_kex_sruid_unique_and_shaped():
    ctx = make_ctx()
    a, b = kex.get_sruid(ctx, None), kex.get_sruid(ctx, None)
    assert a != b and a.startswith("srid-") and len(a.split("-")) == 4


def test_cfgutils_abort_refuses_and_rpc():
    m = mod_instance(cfgutils, initial_gflags=1)
    with pytest.raises(ModuleError, match="abort"):
        cfgutils.m_abort(make_ctx(), m)
    assert set(cfgutils.EXPORTS.rpc) >= {"cfgutils.get_gflags", "cfgutils.rand_get_prob"}
