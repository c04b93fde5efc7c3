"""The PV registry: exactly the PV classes Kamailio 5.6.3 resolves (core + pv module), their inner-name
and index rules, compile-time errors, writes through the message, and run-time refusals.

The name lists were probed on real Kamailio 5.6.3 with `kamailio -c` (one `$var(x) = $(NAME);` per run,
with `(x)` and `[0]` variants); test_names_agree_with_kamailio re-checks a sample live when present."""
import os
import shutil
import subprocess
import tempfile

import pytest

from cfgvm.diagnostics import CfgError
from cfgvm.exports import NEEDS_INNER, NO_INNER, ModuleInstance
from cfgvm.sip.message import Message
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState
from cfgvm.vm.pv import PVRuntimeError, registry, resolve_pv
from cfgvm.vm.pvspec import parse

BARE = ("? AU Au RAi RAp RAu RAut Ras Ri Rn Rp Ru Rut TF TS Tb Tf Ts aU aa ad adc adn ado adr adu ai ar "
        "au bF bR bf br bs cT ci cl conid cs csb ct dP dd di dic dip dir dp ds du duri err.class err.info "
        "err.level err.rcode err.rreason fU fUl fd fn from from.domain from.user fs fsn fsp ft fu "
        "location_ua mF mb mbu mf mi ml mt mts null oP oU oUl od op ou ouri pU pd pn pp pr prid proto pu "
        "rP rU rUl rb rc rd re retcode rm rmid rp rr rs rsi rt ru ruid ruri ruri.domain ruri.user rv rz sF "
        "sas sf si sid siz sp src_ip su sut tU tUl td tn to to.domain to.user true tt tu ua").split()
INNER = ("Bf K Mf Sf TV _s af avp branch ccp cnt def defn env envn expires hdr hdrc hfl hflc ksr msg "
         "msgbuf nh rcv rpl sbranch sel shv snd sndfrom sndto stat time timef utime utimef var version "
         "via0 via1 viaZ vn vz xavi xavp xavu").split()
INDEXED = {"ai", "pU", "pd", "pn", "pu", "hdr", "hfl", "avp", "branch"}
NOT_IN_56 = "En cts ctu defs defv ful iuid shvinc tts recv rul RANDOM rand Tsm T_reply_code".split()


class Program:
    def __init__(self, mods=("pv",)):
        import importlib
        self.modules = {m: ModuleInstance(importlib.import_module(f"cfgvm.stdlib.{m}").EXPORTS) for m in mods}
        self.defines = {"D": "7", "E": None}
        self.params = {}


@pytest.fixture
def program():
    return Program()


INVITE = (b"INVITE sip:bob@example.com:5070;transport=tcp SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
          b"From: Alice <sip:alice@a.example>;tag=ft\r\n"
          b"To: <sip:bob@example.com>\r\n"
          b"Call-ID: c1\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n")


def make_ctx(program, msg=INVITE, clock=lambda: 1000000000.25):
    return Context(program, Message.parse(msg), ReceiveInfo("udp", "10.0.0.1", 5060, "10.0.0.2", 5060),
                   worker=WorkerState(pid=4242), shared=SharedState(), clock=clock)


def get(program, ctx, text):
    return resolve_pv(parse(text), program).get(ctx)


def test_registry_is_exactly_kamailio_56(program):
    names = set(registry(program).defs)
    assert names == set(BARE) | set(INNER)


def test_inner_name_rules(program):
    defs = registry(program).defs
    for n in BARE:
        assert defs[n].inner == NO_INNER, n
    for n in INNER:
        assert defs[n].inner == NEEDS_INNER, n


@pytest.mark.parametrize("text", [f"$({n})" for n in NOT_IN_56])
def test_pvs_not_in_56_do_not_resolve(program, text):
    with pytest.raises(CfgError, match="unknown pseudo-variable"):
        resolve_pv(parse(text), program)


def test_module_pvs_need_their_module():
    with pytest.raises(CfgError):
        resolve_pv(parse("$ru"), Program(mods=()))
    assert resolve_pv(parse("$rc"), Program(mods=())) is not None


@pytest.mark.parametrize("text,msg", [
    ("$hdr", "needs an inner name"), ("$(ru(x))", "does not take an inner name"),
    ("$(ru[0])", "does not take an index"), ("$(var(x)[0])", "does not take an index"),
    ("$K(FOO)", "unknown constant"), ("$af(x)", "id or name"), ("$nh(z)", "unknown attribute"),
    ("$via0(nope)", "unknown attribute"), ("$msg(nope)", "unknown attribute"),
    ("$sel(nosuch.x)", "unknown select"), ("$sel(ruri.nofield)", "unknown select field"),
    ("$(ru{s.nosuch})", "unknown transformation"), ("$cnt($ru)", "cannot count"),
    ("$(avp(a)[+])", "not supported"),
])
def test_compile_errors(program, text, msg):
    with pytest.raises(CfgError, match=msg):
        resolve_pv(parse(text), program)


def test_indexes_follow_kamailio(program):
    defs = registry(program).defs
    for n, d in defs.items():
        assert getattr(d, "index", False) == (n in INDEXED), n


@pytest.mark.parametrize("text", ["$ci", "$rm", "$si", "$(ru{s.len})", "$null", "$sel(ruri.user)"])
def test_read_only_pvs_refuse_assignment(program, text):
    ref = resolve_pv(parse(text), program)
    with pytest.raises(CfgError, match="read-only|cannot be assigned"):
        ref.check_writable()


def test_simple_pv_read_is_one_call(program):
    ref = resolve_pv(parse("$ci"), program)
    from cfgvm.vm.pvs import msg
    assert ref.get is msg.get_ci


def test_ruri_writes_take_effect_and_keep_ou(program):
    ctx = make_ctx(program)
    resolve_pv(parse("$rU"), program).set(ctx, "carol")
    assert get(program, ctx, "$ru") == "sip:carol@example.com:5070;transport=tcp"
    resolve_pv(parse("$rp"), program).set(ctx, 6000)
    assert get(program, ctx, "$rp") == "6000"
    resolve_pv(parse("$rU"), program).set(ctx, None)
    assert get(program, ctx, "$ru") == "sip:example.com:6000;transport=tcp"
    assert get(program, ctx, "$rU") is None
    assert get(program, ctx, "$ou") == "sip:bob@example.com:5070;transport=tcp"
    resolve_pv(parse("$ru"), program).set(ctx, None)          # an error in Kamailio: unchanged
    assert get(program, ctx, "$ru") == "sip:example.com:6000;transport=tcp"
    assert get(program, ctx, "$rP") == "tcp" and get(program, ctx, "$rz") == "sip"


def test_du_fs_flags(program):
    ctx = make_ctx(program)
    du = resolve_pv(parse("$du"), program)
    du.set(ctx, "sip:10.0.0.9:5080;transport=udp")
    assert ctx.msg.dst_uri == "sip:10.0.0.9:5080;transport=udp"
    assert (get(program, ctx, "$dd"), get(program, ctx, "$dp"), get(program, ctx, "$nh(d)")) == \
        ("10.0.0.9", "5080", "10.0.0.9")
    du.set(ctx, None)
    assert get(program, ctx, "$du") is None and get(program, ctx, "$nh(d)") == "example.com"
    fs = resolve_pv(parse("$fs"), program)
    fs.set(ctx, "udp:10.0.0.2:5060")
    assert get(program, ctx, "$fs") == "udp:10.0.0.2:5060" and get(program, ctx, "$fsp") == 5060
    fs.set(ctx, None)
    assert get(program, ctx, "$fs") is None
    resolve_pv(parse("$mf"), program).set(ctx, 0xff)
    assert (get(program, ctx, "$mf"), get(program, ctx, "$mF"), get(program, ctx, "$Mf(3)")) == \
        (255, "000000ff", 1)
    resolve_pv(parse("$Mf(3)"), program).set(ctx, 0)
    assert get(program, ctx, "$mf") == 247
    resolve_pv(parse("$mf"), program).set(ctx, None)
    assert get(program, ctx, "$mf") == 0


def test_from_writes_are_lumps(program):
    ctx = make_ctx(program)
    resolve_pv(parse("$fU"), program).set(ctx, "alice2")
    resolve_pv(parse("$tn"), program).set(ctx, '"Bob"')
    assert get(program, ctx, "$fU") == "alice"           # reads see the original until applied [V]
    out = ctx.msg.to_bytes()
    assert b"From: Alice <sip:alice2@a.example>;tag=ft\r\n" in out
    assert b'To: "Bob" <sip:bob@example.com>\r\n' in out


def test_core_pvs(program, monkeypatch):
    monkeypatch.setenv("CFGVM_T", "12")
    ctx = make_ctx(program)
    ctx.rc = -2
    assert (get(program, ctx, "$rc"), get(program, ctx, "$?"), get(program, ctx, "$retcode")) == (-2, -2, -2)
    assert (get(program, ctx, "$env(CFGVM_T)"), get(program, ctx, "$envn(CFGVM_T)")) == ("12", 12)
    assert get(program, ctx, "$env(CFGVM_UNSET_X)") is None
    assert (get(program, ctx, "$def(D)"), get(program, ctx, "$defn(D)"), get(program, ctx, "$def(E)"),
            get(program, ctx, "$def(NOPE)")) == ("7", 7, "", None)
    assert get(program, ctx, "$pp") == 4242


def test_time_pvs_come_from_the_clock(program, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    import time
    time.tzset()
    now = [1000000000.25]          # 2001-09-09 01:46:40 UTC, a Sunday
    ctx = make_ctx(program, clock=lambda: now[0])
    assert get(program, ctx, "$Ts") == 1000000000
    now[0] += 5
    assert get(program, ctx, "$Ts") == 1000000000           # cached per message
    assert get(program, ctx, "$TS") == 1000000005
    assert get(program, ctx, "$utime(year)") == 2001 and get(program, ctx, "$utime(mon)") == 9
    assert get(program, ctx, "$utime(wday)") == 1 and get(program, ctx, "$utime(hour)") == 1
    assert get(program, ctx, "$utimef(%Y-%m-%d %H:%M:%S)") == "2001-09-09 01:46:40"
    assert get(program, ctx, "$Tf") == "Sun Sep  9 01:46:40 2001"
    assert get(program, ctx, "$TV(s)") == 1000000000 and get(program, ctx, "$TV(u)") == 250000


def test_tm_pvs_resolve_with_tmx_and_fail_at_run_time():
    from cfgvm.exports import Module
    p = Program()
    p.modules["tmx"] = ModuleInstance(Module(name="tmx"))
    ref = resolve_pv(parse("$T_reply_code"), p)
    with pytest.raises(PVRuntimeError, match="tm is not implemented yet"):
        ref.get(make_ctx(p))
    with pytest.raises(CfgError):
        resolve_pv(parse("$T_reply_code"), Program())


def test_onsend_and_error_pvs_are_not_silent(program):
    ctx = make_ctx(program)
    assert get(program, ctx, "$snd(ip)") is None              # outside onsend_route: null, as Kamailio
    from cfgvm.exports import ONSEND_ROUTE
    ctx.route_type = ONSEND_ROUTE
    with pytest.raises(PVRuntimeError):
        get(program, ctx, "$snd(ip)")
    with pytest.raises(PVRuntimeError):
        get(program, ctx, "$err.class")


def test_varset_shvset_and_aliases():
    from cfgvm.stdlib import pv as pvmod
    p = Program()
    mod = p.modules["pv"]
    pvmod._set_varset(mod, "v=s:init")
    pvmod._set_shvset(mod, "n=i:3")
    pvmod._set_avp_aliases(mod, "email=s:email_addr;tmp=i:100")
    ctx = make_ctx(p)
    assert get(p, ctx, "$var(v)") == "init" and get(p, ctx, "$shv(n)") == 3
    resolve_pv(parse("$avp(email)"), p).set(ctx, "x@y")
    resolve_pv(parse("$avp(tmp)"), p).set(ctx, 5)
    assert ctx.avps == {"email_addr": ["x@y"], 100: [5]}
    with pytest.raises(ValueError):
        pvmod._set_shvset(mod, "bad")


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="kamailio 5.6 not installed")
def test_names_agree_with_kamailio(program):
    sample = ["ru", "hdr(X)", "xavu(a=>b)", "cnt($avp(x))", "sbranch(uri)", "mts", "ksr(ver)",
              "Tsm", "shvinc(x)", "ctu", "rul"]
    with tempfile.TemporaryDirectory() as d:
        for name in sample:
            cfg = os.path.join(d, "t.cfg")
            with open(cfg, "w") as f:
                f.write(f'#!KAMAILIO\nloadmodule "pv.so"\nrequest_route {{\n  $var(x) = $({name});\n}}\n')
            r = subprocess.run(["kamailio", "-c", "-f", cfg], capture_output=True, timeout=20)
            ok_kam = r.returncode == 0
            try:
                resolve_pv(parse(f"$({name})"), program)
                ok_ours = True
            except CfgError:
                ok_ours = False
            assert ok_ours == ok_kam, (name, r.stderr[-300:])
