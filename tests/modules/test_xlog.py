"""xlog: levels from xlog.c's fixup (third character of the level name), prefix, $C, xlogm."""
import pytest

from cfgvm.vm import fmt
from modules.helpers import make_ctx, mod_instance
from cfgvm.stdlib import xlog

X = mod_instance(xlog)


def test_xlog_1_logs_at_err_with_prefix(ctx):
    assert xlog.xlog_1(ctx, X, "hello\n") == 1
    assert (ctx.logs[0].level, ctx.logs[0].text) == (-1, "<script>: hello\n")


@pytest.mark.parametrize("name,level", [("L_ALERT", -5), ("L_BUG", -4), ("L_CRIT", -3), ("L_CRIT2", -3),
                                        ("L_ERR", -1), ("L_WARN", 0), ("L_NOTICE", 1), ("L_INFO", 2),
                                        ("L_DBG", 3), ("xxI", 2)])
def test_level_names(name, level):
    assert xlog.parse_level(name).value == level


@pytest.mark.parametrize("bad", ["L_err", "L", "L_X"])
def test_bad_level_rejected(bad):
    with pytest.raises(ValueError):
        xlog.parse_level(bad)


def test_fixed_level_functions(ctx):
    for name, level in [("xdbg", 3), ("xinfo", 2), ("xnotice", 1), ("xwarn", 0), ("xerr", -1),
                        ("xbug", -4), ("xcrit", -3), ("xalert", -5)]:
        f = xlog.EXPORTS.function(name, 1)
        f.handler(ctx, X, "t")
        assert ctx.logs[-1].level == level


def test_xlog_2_and_3_through_fixup(ctx):
    f2 = xlog.EXPORTS.function("xlog", 2)
    args = f2.fixup(["L_INFO", "a\n"], None, None)
    assert f2.handler(ctx, X, *args) == 1
    assert ctx.logs[-1].level == 2
    f3 = xlog.EXPORTS.function("xlog", 3)
    args = f3.fixup(["log_local0", "L_WARN", "b"], None, None)
    f3.handler(ctx, X, *args)
    assert (ctx.logs[-1].level, ctx.logs[-1].facility) == (0, "LOG_LOCAL0")
    with pytest.raises(ValueError):
        f3.fixup(["LOG_NOPE", "L_WARN", "b"], None, None)


def test_level_from_pv_must_be_int(ctx):
    f2 = xlog.EXPORTS.function("xlog", 2)
    args = f2.fixup(["$var(l)", "x"], None, None)
    ctx.get_pv_raw = lambda spec: 1
    assert f2.handler(ctx, X, *args) == 1 and ctx.logs[-1].level == 1
    ctx.get_pv_raw = lambda spec: "1"
    assert f2.handler(ctx, X, *args) == -1


def test_xlogl_prefixes_cfg_line(ctx):
    from cfgvm.diagnostics import Coord
    f = xlog.EXPORTS.function("xlogl", 2)
    args = f.fixup(["L_ERR", "msg"], Coord("k.cfg", 42, 5), None)
    f.handler(ctx, X, *args)
    assert ctx.logs[-1].text == "<script>: 42:msg"
    f.handler(ctx, mod_instance(xlog, long_format=1), *args)
    assert ctx.logs[-1].text == "<script>: k.cfg:42:msg"


def test_custom_prefix(ctx):
    xlog.xlog_1(ctx, mod_instance(xlog, prefix="P: "), "m")
    assert ctx.logs[-1].text == "P: m"


def test_xlogm_filter(ctx):
    f = xlog.EXPORTS.function("xlogm", 2)
    args = f.fixup(["L_ERR", "m"], None, None)
    assert f.handler(ctx, X, *args) == 1 and ctx.logs == []          # -1: nothing logged (5.6.3)
    f.handler(ctx, mod_instance(xlog, methods_filter=1), *args)      # INVITE filtered
    assert ctx.logs == []
    f.handler(ctx, mod_instance(xlog, methods_filter=2), *args)
    assert ctx.logs[-1].text == "<script>: m"


def test_color_pv():
    assert xlog.color_code("rx") == "\033[0;31;49m"
    assert xlog.color_code("Gb") == "\033[1;32;44m"
    with pytest.raises(ValueError):
        xlog.color_code("zz")
    spec = fmt.parse("$C(rx)").items[0]
    ctx = make_ctx(modules={"xlog": X})
    assert xlog.get_color(ctx, spec) == ""                              # no log_stderror
    ctx = make_ctx(params={"log_stderror": 1}, modules={"xlog": X})
    assert xlog.get_color(ctx, spec) == "\033[0;31;49m"
