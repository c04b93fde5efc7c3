"""Lexer by token lists (expected tokens from cfg.lex rules and kamailio-language.md §1, [V] items)."""
import pytest

from cfgvm.grammar.lexer import LexError, tokenize


def types(text, compat="max"):
    return [t for t, _ in tokenize(text, compat)]


@pytest.mark.parametrize("text,tokens", [
    ("5060", [("NUMBER", 5060)]),
    ("0x1F", [("NUMBER", 31)]),
    ("010", [("NUMBER", 8)]),
    ("101b", [("NUMBER", 5)]),
    ("08", [("NUM_ID", "08")]),
    ("5abc", [("NUM_ID", "5abc")]),
    ("4294967296", [("NUMBER", 0)]),           # C int truncation [V]
    ("yes off INET ipv6", [("NUMBER", 1), ("NUMBER", 0), ("NUMBER", 2), ("NUMBER", 10)]),
    ("route router", [("ROUTE", "route"), ("ID", "router")]),
    ("seth rewritehost", [("SET_HOST", "seth"), ("SET_HOST", "rewritehost")]),
    ("msg:len uri:host uri:port", [("MSGLEN", "msg:len"), ("URIHOST", "uri:host"), ("URIPORT", "uri:port")]),
    ("::1 fe80::1 ::", [("IPV6ADDR", "::1"), ("IPV6ADDR", "fe80::1"), ("IPV6ADDR", "::")]),
    ("(int)(str)( int )", [("INTCAST", "(int)"), ("STRCAST", "(str)"), ("LPAREN", "("), ("ID", "int"),
                           ("RPAREN", ")")]),
    ("+= == != =~ <= >= << >> && || !", ["ADDEQ", "EQUAL_T", "DIFF", "MATCH", "LTE", "GTE", "BIN_LSHIFT",
                                          "BIN_RSHIFT", "LOG_AND", "LOG_OR", "NOT"]),
    ("and or not mod eq ne ieq ine", ["LOG_AND", "LOG_OR", "NOT", "MODULO", "STREQ", "STRDIFF", "INTEQ",
                                      "INTDIFF"]),
])
def test_tokens(text, tokens):
    got = tokenize(text)
    if isinstance(tokens[0], str):
        assert [t for t, _ in got] == tokens
    else:
        assert got == tokens


def test_strings():
    assert tokenize(r'"a\tb\x41\101\1\$rm"') == [("STRING", "a\tbAA\\1\\$rm")]
    assert tokenize('"a" "b"\n  "c" x') == [("STRING", "abc"), ("ID", "x")]
    assert tokenize("'a\\n' 'b'") == [("STRING", "a\\n"), ("STRING", "b")]
    assert tokenize('"a" # c\n "b"') == [("STRING", "a"), ("STRING", "b")]  # a comment stops merging


def test_comments():
    assert types("a /* x /* nested */ still */ b // c\n d # e\n f") == ["ID", "ID", "ID", "ID"]
    assert types("#!define X 1\nx") == ["ID"]       # unknown directive on raw text: a comment


def test_pv_tokens_kamailio_mode():
    k = lambda s: tokenize(s, "kamailio")
    assert k("$var(x)") == [("PVAR", "$var(x)")]
    assert k("$(ru{s.substr,1,2})") == [("PVAR", "$(ru{s.substr,1,2})")]
    assert k("$sht(t=>$var(k))") == [("PVAR", "$sht(t=>$var(k))")]
    assert k("$(hdr(Via)[1])") == [("PVAR", "$(hdr(Via)[1])")]
    assert k("$ruri.user") == [("PVAR", "$ruri"), ("DOT", "."), ("CORE_PARAM", "user")]
    assert k("$rcv(len)")[:2] == [("PVAR", "$rc"), ("ID", "v")]      # $rc longest-match quirk [V]
    assert k("$retcode $? $T_reply_code") == [("PVAR", "$retcode"), ("PVAR", "$?"), ("PVAR", "$T_reply_code")]


def test_avp_tokens_max_mode():
    assert tokenize("$fu.x $foo[1] %bar $avp(i:1) $ru") == [
        ("AVP", "$fu.x"), ("AVP", "$foo[1]"), ("AVP", "%bar"), ("PVAR", "$avp(i:1)"), ("AVP_OR_PVAR", "$ru")]


def test_compat_header_switches_mode():
    assert types("$ru\n#!KAMAILIO\n$ru") == ["AVP_OR_PVAR", "PVAR"]
    assert types("#!KAMAILIO \n$ru") == ["AVP_OR_PVAR"]    # trailing blank: just a comment [V]
    assert types("#!SER\n$ru") == ["AVP"]


def test_select_and_event_route():
    assert tokenize("@via[1].host") == [("SELECT", "@via[1].host")]
    assert tokenize("event_route[tm:local-request]") == [
        ("ROUTE_EVENT", "event_route"), ("LBRACK", "["), ("EVENT_RT_NAME", "tm:local-request"), ("RBRACK", "]")]


def test_lex_errors():
    with pytest.raises(LexError):
        tokenize('"open')
    with pytest.raises(LexError):
        tokenize("/* open")
    with pytest.raises(LexError):
        tokenize("$(var(x)")
