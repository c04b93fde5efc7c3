"""Format strings (pv_parse_format / pv_printf).  Rendering facts checked on Kamailio 5.6.3:
a null PV prints "<null>", a failed transformation prints nothing, "$$" prints "$"."""
import pytest

from cfgvm.vm import fmt
from cfgvm.vm.pvspec import PVSpec, PVSyntaxError

VARS = {"x": "hello", "n": 5}


def get(spec):
    return VARS.get(spec.inner) if spec.cls == "var" else None


@pytest.mark.parametrize("text,out", [
    ("T1|$(var(x){s.len})|", "T1|5|"),
    ("T2|$(avp(nope){s.len})|", "T2||"),
    ("T3|$avp(nope)|", "T3|<null>|"),
    ("T4|$(var(x){s.substr,10,1})|", "T4||"),
    ("T6|$$ $(var(x){s.toupper}{s.substr,1,0})|", "T6|$ ELLO|"),
    ("$var(n)+$var(x)", "5+hello"),
    ("", ""),
])
def test_render(text, out):
    assert fmt.render(fmt.parse(text), get) == out


def test_null_text_parameter():
    assert fmt.render(fmt.parse("[$avp(a)]"), get, null_text="") == "[]"


def test_where_bare_names_end():
    f = fmt.parse("$ru.user $T_reply_code:$rU.")
    assert [i.cls for i in f.items if isinstance(i, PVSpec)] == ["ru.user", "T_reply_code", "rU."]
    assert fmt.parse("$hdr(X)[1]").items[1] == "[1]"      # bare form takes no index
    assert fmt.parse("plain").literal == "plain"


@pytest.mark.parametrize("text,offset", [("cost $", 5), ("a $ b", 3), ("x $(var(a)", 2)])
def test_invalid_dollar(text, offset):
    with pytest.raises(PVSyntaxError) as e:
        fmt.parse(text)
    assert e.value.offset == offset
