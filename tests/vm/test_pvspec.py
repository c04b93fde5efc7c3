"""PV token parsing (pv_parse_spec2 rules)."""
import pytest

from cfgvm.vm.fmt import Format
from cfgvm.vm.pvspec import PVSpec, PVSyntaxError, parse, parse_ser_avp, validate


def test_forms():
    s = parse("$(ru{s.substr,1,2})")
    assert (s.cls, s.inner, s.trans[0].cls, s.trans[0].name, s.trans[0].args) == ("ru", None, "s", "substr", (1, 2))
    assert parse("$avp(i:1)").inner == "i:1"
    h = parse("$(hdr(Via)[1])")
    assert (h.cls, h.inner, h.index) == ("hdr", "Via", 1)
    assert parse("$(hdr(Via)[-1])").index == -1
    assert parse("$(hdr(Via)[*])").index == "*"
    assert parse("$(avp(x)[+])").index == "+"
    assert parse("$T_reply_code").cls == "T_reply_code"
    assert parse("$(ruri.user)").cls == "ruri.user"
    assert parse("$xavp(a[0]=>b)").inner == "a[0]=>b"
    assert parse("$$").is_marker and parse("$($)").is_marker


def test_dynamic_names_and_indexes():
    a = parse("$(avp($var(n))[$var(i)]{s.len})")
    assert isinstance(a.dyn, PVSpec) and a.dyn.inner == "n"
    assert isinstance(a.index, PVSpec) and a.index.inner == "i"
    sht = parse("$sht(t=>$si)")
    assert isinstance(sht.dyn, Format) and sht.dyn.items[0] == "t=>"


def test_transformation_chain_with_blanks_and_pv_args():
    s = parse("$(var(x){s.substr,$var(i),1} {s.len})")
    assert [t.name for t in s.trans] == ["substr", "len"]
    assert isinstance(s.trans[0].args[0], PVSpec)


@pytest.mark.parametrize("token,offset", [("$(var(x)", 8), ("$var()", 5), ("$(hdr(a)[x])", 9),
                                          ("$(var(x)]", 8), ("$", 1), ("$(hdr(a)[])", 9)])
def test_errors_carry_offsets(token, offset):
    with pytest.raises(PVSyntaxError) as e:
        parse(token)
    assert e.value.offset == offset


def test_ser_avps():
    assert parse_ser_avp("$f.x").inner == "x" and parse_ser_avp("$f.x").ser
    assert parse_ser_avp("%y").cls == "avp"
    assert parse_ser_avp("$z[2]").index == 2


def test_validate():
    known = {"var": True, "ru": False, "avp": True}
    assert validate(parse("$(var(x){s.len})"), known) == []
    assert validate(parse("$ru"), known) == []
    assert "expects an inner name" in validate(parse("$var"), known)[0][0]
    assert "does not take" in validate(parse("$ru(x)"), known)[0][0]
    msg, off = validate(parse("$avp($nosuch)"), known)[0]
    assert "nosuch" in msg and off == 5
