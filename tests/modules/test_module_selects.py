"""Selects exported by modules (cfgvm.exports.Select) resolve through the program's loaded modules."""
import types

import pytest

from cfgvm.exports import Module, ModuleInstance, Select
from cfgvm.stdlib import textopsx
from cfgvm.vm.select import SelectError, compile_select
from modules.helpers import make_ctx

MSG = ("OPTIONS sip:x@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
       "To: <sip:x@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nAllow: INVITE, ACK\r\nAllow: BYE\r\n"
       "Contact: \"Al\" <sip:al@10.0.0.1;lr>, <sip:z@h>\r\nContent-Length: 0\r\n\r\n")


def _program(*modules):
    return types.SimpleNamespace(modules={m.name: ModuleInstance(m) for m in modules})


def test_module_select_with_own_kind_and_fields():
    mod = Module("demo", selects=[Select("demo", lambda ctx, p: f"v-{p}", "demo",
                                         {"up": (lambda o, p: o.upper(), "str")})])
    ctx = make_ctx(MSG)
    assert compile_select('@demo["k"]', _program(mod))(ctx) == "v-k"
    assert compile_select('@demo["k"].up', _program(mod))(ctx) == "V-K"
    with pytest.raises(SelectError):
        compile_select('@demo["k"].down', _program(mod))
    with pytest.raises(SelectError):
        compile_select('@demo["k"]', _program())           # module not loaded
    with pytest.raises(SelectError):
        compile_select('@demo["k"][2]', _program(mod))     # no extra index declared


def test_textopsx_selects():
    # values as 5.6.3 prints them in the xlog oracle (C0366-C0370): the whole list, [n] ignored
    prog = _program(textopsx.EXPORTS)
    ctx = make_ctx(MSG)
    assert compile_select('@hf_value["Allow"]', prog)(ctx) == "INVITE,ACK,BYE"
    assert compile_select('@hf_value["Allow"][2]', prog)(ctx) == "INVITE,ACK,BYE"
    assert compile_select('@hf_value["Contact"].uri', prog)(ctx) == "sip:al@10.0.0.1;lr"
    assert compile_select('@hf_value_exists["Allow"]', prog)(ctx) == "1"
    assert compile_select('@hf_value_exists["X-No"]', prog)(ctx) == "0"
    assert compile_select('@hf_value["X-No"]', prog)(ctx) is None
