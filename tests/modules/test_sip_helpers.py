"""siputils, textopsx, corex and textops functions on real messages."""
from cfgvm.vm.context import ReceiveInfo
from modules.helpers import INVITE, make_ctx, mod_instance
from cfgvm.stdlib import corex, siputils, textops, textopsx

T = mod_instance(textops)


def test_siputils_basics(ctx):
    assert siputils.has_totag(ctx, None) == -1
    assert siputils.is_request(ctx, None) == 1 and siputils.is_reply(ctx, None) == -1
    assert siputils.is_first_hop(ctx, None) == 1
    assert siputils.is_numeric(ctx, None, "0123") == 1 and siputils.is_numeric(ctx, None, "1a") == -2  # xlog oracle C0619
    # real Kamailio 5.6.3: an explicit default port does not match an omitted one (RFC 3261 19.1.4)
    assert siputils.cmp_uri(ctx, None, "sip:a@B.com", "sip:a@b.com:5060") == -1
    assert siputils.cmp_aor(ctx, None, "sip:a@b.com;transport=tcp", "sip:a@b.com") == 1
    assert siputils.cmp_hdr_name(ctx, None, "f", "From") == 1
    assert siputils.add_uri_param(ctx, None, "x=1") == 1
    assert ctx.msg.current_uri_str == "sip:bob@example.com;x=1"
    assert siputils.uri_param(ctx, None, "x", "1") == 1


def test_textops_search_and_header_lumps(ctx):
    import re
    rx = re.compile("^to:", re.I | re.M)
    assert textops.search(ctx, T, rx) == 1
    assert textops.is_present_hf(ctx, T, "Contact") == 1
    assert textops.remove_hf(ctx, T, "Contact") == 1
    assert textops.append_hf(ctx, T, "X-A: 1\r\n") == 1
    assert textops.insert_hf(ctx, T, "X-B: 2\r\n", "CSeq") == 1
    out = ctx.msg.to_bytes().decode()
    assert "Contact:" not in out and "X-B: 2\r\nCSeq:" in out and "X-A: 1\r\nContent-Type" not in out
    assert out.index("X-A: 1") > out.index("Content-Length")
    assert textops.is_method(ctx, T, ("INVITE", "BYE")) == 1
    assert textops.has_body(ctx, T) == 1 and textops.has_body(ctx, T, "application/sdp") == 1


def test_textops_strings(ctx):
    assert textops.cmp_str(ctx, T, "a", "a") == 1 and textops.cmp_str(ctx, T, "b", "a") == -1
    assert textops.cmp_str(ctx, T, "a", "b") == -2 and textops.cmp_istr(ctx, T, "A", "a") == 1
    assert textops.starts_with(ctx, T, "abc", "ab") == 1 and textops.ends_with(ctx, T, "abc", "bc") == 1
    assert textops.str_find(ctx, T, "abcd", "cd") == 3 and textops.str_ifind(ctx, T, "ABcd", "bc") == 2
    assert textops.in_list(ctx, T, "b", "a, b, c", ",") == 1


def test_subst_uri_and_body(ctx):
    [sub] = textops.fixup_subst(["/bob/carol/"], None, None)
    assert textops.subst_uri(ctx, T, sub) == 1
    assert ctx.msg.current_uri_str == "sip:carol@example.com"
    [sub] = textops.fixup_subst(["/v=0/v=1/"], None, None)
    assert textops.subst_body(ctx, T, sub) == 1
    assert ctx.msg.to_bytes().endswith(b"v=1\n")


def test_msg_apply_changes_reparses(ctx):
    textops.append_hf(ctx, T, "X-New: yes\r\n")
    assert ctx.msg.hdr("X-New") is None
    assert textopsx.msg_apply_changes(ctx, None) == 1
    assert ctx.msg.hdr("X-New") == "yes"


def test_keep_hf_and_remove_body(ctx):
    textopsx.remove_body(ctx, None)
    assert ctx.msg.to_bytes().endswith(b"Content-Length: 0\r\n\r\n")


def test_corex_branches_and_xflags(ctx):
    assert corex.append_branch(ctx, None) == 1
    assert corex.append_branch(ctx, None, "sip:x@y", "0.5") == 1
    assert [(b.uri, b.q) for b in ctx.branches] == [("sip:bob@example.com", -1), ("sip:x@y", 500)]
    assert corex.setxflag(ctx, None, 40) == 1 and corex.isxflagset(ctx, None, 40) == 1
    assert corex.setxflag(ctx, None, 64) == -1
    assert corex.is_faked_msg(ctx, None) == -1
