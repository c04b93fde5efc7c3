"""maxfwd: behaviour from Kamailio 5.6's maxfwd.c/mf_funcs.c semantics (README + source reading)."""
from modules.helpers import INVITE, make_ctx, mod_instance
from cfgvm.stdlib import maxfwd

MF = mod_instance(maxfwd)


def with_mf(value):
    return make_ctx(INVITE.replace("Max-Forwards: 70", f"Max-Forwards: {value}"))


def test_decrements_in_place():
    ctx = with_mf("70")
    assert maxfwd.process_maxfwd(ctx, MF, 10) == 1
    assert ctx.msg.hdr("Max-Forwards") == "69"
    assert b"Max-Forwards: 69\r\n" in ctx.msg.to_bytes()


def test_shorter_value_is_space_padded():
    ctx = with_mf("10")
    assert maxfwd.process_maxfwd(ctx, MF, 10) == 1
    assert b"Max-Forwards:  9\r\n" in ctx.msg.to_bytes()
    # the body keeps the offsets it was parsed with (decrement_maxfwd() writes into the buffer)
    assert ctx.msg.hdr("Max-Forwards") == " 9"
    assert [h.body for h in ctx.msg.headers("max-forwards")] == [" 9"]


def test_in_place_value_read_back_through_every_accessor():
    ctx = with_mf("70")
    maxfwd.process_maxfwd(ctx, MF, 10)
    m = ctx.msg
    assert m.max_forwards == 69
    assert m.hdr("Max-Forwards") == "69"
    m._h                                    # the offset table built after the change agrees
    assert [h.body for h in m.headers("max-forwards")] == ["69"]
    assert m.text.count("Max-Forwards: 69\r\n") == 1 and m.buf == m.text.encode("latin-1")


def test_capped_at_max_limit():
    ctx = with_mf("200")
    assert maxfwd.process_maxfwd(ctx, mod_instance(maxfwd, max_limit=16), 10) == 1
    assert b"Max-Forwards:  16\r\n" in ctx.msg.to_bytes()


def test_zero_returns_minus_one_and_script_replies():
    ctx = with_mf("0")
    assert maxfwd.process_maxfwd(ctx, MF, 10) == -1
    assert ctx.sent == []


def test_missing_header_is_added_first():
    ctx = make_ctx(INVITE.replace("Max-Forwards: 70\r\n", ""))
    assert maxfwd.process_maxfwd(ctx, MF, 10) == 2
    out = ctx.msg.to_bytes()
    assert out.split(b"\r\n")[1] == b"Max-Forwards: 10"


def test_bad_value_and_bad_limit():
    assert maxfwd.process_maxfwd(with_mf("abc"), MF, 10) == -2
    assert maxfwd.process_maxfwd(with_mf("70"), MF, 256) == -1


def test_is_maxfwd_lt():
    assert maxfwd.is_maxfwd_lt(with_mf("5"), MF, 10) == 1
    assert maxfwd.is_maxfwd_lt(with_mf("10"), MF, 10) == -1
    assert maxfwd.is_maxfwd_lt(make_ctx(INVITE.replace("Max-Forwards: 70\r\n", "")), MF, 10) == -2
    assert maxfwd.is_maxfwd_lt(with_mf("x"), MF, 10) == -3


def test_export_table():
    e = maxfwd.EXPORTS
    assert e.arities("mf_process_maxfwd_header") == [1]
    assert {f.name for f in e.functions} == {"maxfwd_process", "mf_process_maxfwd_header",
                                             "process_maxfwd", "is_maxfwd_lt", "maxfwd_at_least",
                                             "mf_lowlimit"}
