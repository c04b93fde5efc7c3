"""Value rules, each case as kamailio-language.md §4.5 records it verified on 5.6.3."""
import pytest

from cfgvm.vm.values import is_true, str_to_int, to_str, wrap32


@pytest.mark.parametrize("s,n", [("", 0), ("12", 12), ("-7", -7), ("+5", 5), ("0x1F", 31), ("0X1f", 31),
                                 ("12abc", 0), (" 12", 0), ("abc", 0), ("4294967296", 0)])
def test_str_to_int(s, n):
    assert str_to_int(s) == n


def test_wrap32():
    assert wrap32(2147483647 + 1) == -2147483648


@pytest.mark.parametrize("v,t", [(-3, False), (0, False), (1, True), ("12", True), ("abc", False),
                                 ("-3", False), ("", False), (None, False)])
def test_truth(v, t):
    assert is_true(v) is t


def test_to_str():
    assert to_str(None) == "" and to_str(-5) == "-5" and to_str("x") == "x"
