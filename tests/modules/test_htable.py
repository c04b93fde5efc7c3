"""htable: definitions, $sht family, expiry on the injected clock, iterators (README semantics)."""
import pytest

from cfgvm.vm import pvspec
from modules.helpers import make_ctx, mod_instance
from cfgvm.stdlib import htable


def setup(defn="t=>size=4;autoexpire=10;initval=0", now=None):
    mod = mod_instance(htable)
    htable.add_htable(mod, defn)
    htable.init(mod)
    clock = {"now": 1000.0}
    ctx = make_ctx(now=lambda: clock["now"], modules={"htable": mod})
    ctx.get_pv_raw = lambda spec: {"si": "10.0.0.1"}.get(spec.cls)
    return mod, ctx, clock


def sp(text):
    return pvspec.parse(text)


def test_set_get_expire_and_null_delete():
    mod, ctx, clock = setup()
    htable.set_sht(ctx, sp("$sht(t=>a)"), "x")
    assert htable.get_sht(ctx, sp("$sht(t=>a)")) == "x"
    assert htable.get_shtex(ctx, sp("$shtex(t=>a)")) == 10
    clock["now"] += 11
    assert htable.get_sht(ctx, sp("$sht(t=>a)")) == 0          # expired -> initval
    htable.set_sht(ctx, sp("$sht(t=>b)"), 5)
    htable.set_sht(ctx, sp("$sht(t=>b)"), None)
    assert htable.get_sht(ctx, sp("$sht(t=>b)")) == 0


def test_dynamic_key_inc_dec_counts():
    mod, ctx, _ = setup("ipban=>size=8;initval=0")
    spec = sp("$sht(ipban=>$si)")
    assert htable.get_shtinc(ctx, sp("$shtinc(ipban=>$si)")) == 1
    assert htable.get_shtinc(ctx, sp("$shtinc(ipban=>$si)")) == 2
    assert htable.get_shtdec(ctx, sp("$shtdec(ipban=>$si)")) == 1
    assert htable.get_sht(ctx, spec) == 1
    htable.set_sht(ctx, sp("$sht(ipban=>k2)"), "val")
    assert htable.get_shtcn(ctx, sp("$shtcn(ipban=>~~^10)")) == 1
    assert htable.get_shtcv(ctx, sp("$shtcv(ipban=>==val)")) == 1


def test_missing_without_initval_is_null():
    mod, ctx, _ = setup("n=>size=2")
    assert htable.get_sht(ctx, sp("$sht(n=>zz)")) is None


def test_functions_and_iterator():
    mod, ctx, _ = setup("t=>size=4")
    for k, v in [("a1", "x"), ("a2", "y"), ("b1", 3)]:
        htable.set_sht(ctx, sp(f"$sht(t=>{k})"), v)
    assert htable.sht_match_name(ctx, mod, "t", "sw", "a") == 1
    assert htable.sht_match_str_value(ctx, mod, "t", "eq", "nope") == -1
    assert htable.sht_iterator_start(ctx, mod, "i", "t") == 1
    seen = []
    while htable.sht_iterator_next(ctx, mod, "i") == 1:
        seen.append((htable.get_shtitkey(ctx, sp("$shtitkey(i)")), htable.get_shtitval(ctx, sp("$shtitval(i)"))))
    htable.sht_iterator_end(ctx, mod, "i")
    assert sorted(seen, key=str) == [("a1", "x"), ("a2", "y"), ("b1", 3)]
    htable.sht_rm_name_re(ctx, mod, "t=>^a")
    assert htable.sht_match_name(ctx, mod, "t", "sw", "a") == -1
    htable.sht_reset(ctx, mod, "t")
    assert htable.get_sht(ctx, sp("$sht(t=>b1)")) is None


def test_db_url_and_bad_definitions_refused():
    mod = mod_instance(htable)
    mod.params["db_url"] = "mysql://x"
    with pytest.raises(ValueError, match="database-backed htable not supported yet"):
        htable.init(mod)
    with pytest.raises(ValueError):
        htable.parse_definition("t=>bogus=1")
    assert htable.parse_definition("t=>size=8;autoexpire=60;dmqreplicate=1")["autoexpire"] == 60
