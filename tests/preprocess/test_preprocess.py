"""Unit tests of the preprocessor. Expected behaviour was checked on Kamailio 5.6.3 (`kamailio -c -f x.cfg`
or `kamailio --cfg-print -f x.cfg` on the same input); what Kamailio did is noted beside each test."""
from __future__ import annotations

import os
import re

import pytest

from cfgvm.cli import main as cli_main
from cfgvm.diagnostics import CfgError
from cfgvm.preprocess import preprocess, preprocess_string


def words(src) -> list[str]:
    return src.text.split()


def err(text: str, **kw) -> CfgError:
    with pytest.raises(CfgError) as e:
        preprocess_string(text, "t.cfg", **kw)
    return e.value


# ---------------------------------------------------------------- defines
def test_define_expands_ids_rescanned():
    src = preprocess_string("#!define SUM 1+2\n#!define TWO SUM\nx = TWO * 2;\n")
    assert words(src) == ["x", "=", "1+2", "*", "2;"]


def test_define_not_in_strings_pvs_selects_keywords():
    src = preprocess_string('#!define FOO bar\n#!define route xx\n'
                            '$var(FOO) = "FOO" + FOO; @via.FOO; route(FOO);\n')
    assert '$var(FOO) = "FOO" + bar; @via.FOO; route(bar);' in src.text


def test_define_without_value_expands_to_nothing():
    assert words(preprocess_string("#!define EMPTY\n$var(e) = 1 EMPTY;\n")) == ["$var(e)", "=", "1", ";"]


def test_define_value_hash_comments_out_rest_of_line():
    # Kamailio: `#!define X 5 # five` then `a = X;` is a parse error: the `;` is eaten by the comment
    src = preprocess_string("#!define X 5 # five\na = X;\nb = 1;\n")
    assert words(src) == ["a", "=", "5", "b", "=", "1;"]


def test_define_continuation_line():
    src = preprocess_string("#!define V a \\\n b\nV;\n")
    assert words(src) == ["a", "b;"]
    assert src.text.count("\n") == 3          # directive lines blanked, not removed


def test_redefinition_is_an_error():
    # Kamailio: CRITICAL pp_define(): already defined: A, parse error at line 2
    e = err("#!define A 1\n#!define A 2\n")
    d = e.diagnostics[0]
    assert (d.code, d.coord.line, d.coord.column) == ("preproc-redefined", 2, 10)
    assert "already defined: A" in d.message


def test_trydef_and_redefine():
    src = preprocess_string("#!define A 1\n#!trydef A 2\n#!trydefine B 3\n#!redefine A 4\n#!redef B 5\nA B\n")
    assert words(src) == ["4", "5"]


def test_cmdline_define_and_redefinition():
    assert words(preprocess_string("N\n", cmdline_defines={"N": "5"})) == ["5"]
    assert err("#!define N 1\n", cmdline_defines={"N": None}).diagnostics[0].code == "preproc-redefined"


def test_dash_in_define_name():
    # Kamailio: "error at cfg line 1: '-' not allowed"
    d = err("#!define A-B 1\n").diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-bad-name", 1)


def test_core_defines():
    src = preprocess_string("#!ifdef KAMAILIO_5_6_3\nyes\n#!endif\n#!ifdef KAMAILIO_VERSION\nno\n#!endif\n")
    assert words(src) == ["yes"]
    assert {"KAMAILIO_5", "KAMAILIO_5_6", "KAMAILIO_5_6_3"} <= set(src.defines)


def test_self_recursive_define_is_an_error_not_a_hang():
    d = err("#!define A (A)\nx = A;\n").diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-define-recursion", 2)


# ---------------------------------------------------------------- ifdef
def test_ifdef_nesting_and_else():
    text = ("#!define A\n#!ifdef A\na1\n#!ifndef B\nb1\n#!else\nb2\n#!endif\n#!else\na2\n"
            "#!ifdef A\nnever\n#!endif\n#!endif\n")
    src = preprocess_string(text)
    assert words(src) == ["a1", "b1"]
    assert src.text.count("\n") == text.count("\n")


def test_ifdef_trailing_text_ignored():
    # Kamailio: `#!ifdef FOO # comment` still works (the comment is echoed by flex, not parsed)
    assert words(preprocess_string("#!define FOO 1\n#!ifdef FOO # c\nx\n#!endif\n")) == ["x"]


def test_else_with_trailing_text_is_a_comment():
    # `#!else` must be followed by end of line; otherwise it is a comment (cfg.lex rule)
    assert words(preprocess_string("#!ifdef NOPE\na\n#!else // c\nb\n#!endif\n")) == []


def test_unbalanced_ifdef_names_the_line():
    # Kamailio: "different number of preprocessor directives: 1 more #!if[n]def as #!endif" (no line)
    d = err("x\n#!ifdef X\n\n").diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-unbalanced-ifdef", 2)


def test_stray_endif_is_an_error():
    # Kamailio: WARNING invalid position for 'endif', then "1 more #!endif as #!if[n]def"
    d = err("x\n#!endif\n").diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-unbalanced-endif", 2)


def test_stray_endif_balanced_by_a_later_open_ifdef_is_a_warning():
    # [V] 5.6.3 only counts (kamailio#3826): "invalid position for preprocessor directive 'endif'" then
    # "config file ok"; the open #!ifdef FOO (undefined) skips the rest, garbage included
    src = preprocess_string("a\n#!endif\nb\n#!ifdef FOO\nc garbage\n")
    assert words(src) == ["a", "b"]
    (w,) = src.warnings
    assert (w.severity, w.code, w.coord.line) == ("warning", "preproc-unbalanced-endif", 2)
    assert ":4:" in w.message          # names the #!ifdef that balances it


def test_count_imbalance_comes_after_an_earlier_syntax_error():
    # [V] Kamailio reports the #!ifdef count after the whole parse: the parse error is its first error
    from cfgvm.parse import parse_string
    with pytest.raises(CfgError) as ei:
        parse_string("request_route {\n  foo(;\n}\n#!ifdef X\n")
    assert [(d.code, d.coord.line) for d in ei.value.diagnostics] == [("syntax", 2), ("preproc-unbalanced-ifdef", 4)]


def test_syntax_error_before_a_bad_subst_comes_first():
    from cfgvm.parse import parse_string
    with pytest.raises(CfgError) as ei:
        parse_string('request_route {\n  foo(;\n}\n#!substdef "!a!b"\n')
    assert [(d.code, d.coord.line) for d in ei.value.diagnostics] == [("syntax", 2), ("preproc-bad-subst", 4)]


def test_define_value_goes_on_after_the_end_of_an_included_file(tmp_path):
    # [V] 5.6.3: inc.cfg is `#!define X "inc"` with no final newline; `import_file "inc.cfg" "x"` makes
    # X = "inc" "x" (flex stays in its define-data state across the include's end)
    (tmp_path / "inc.cfg").write_text('#!define X "inc"')
    (tmp_path / "main.cfg").write_text('import_file "inc.cfg" "x"\nX\n')
    src = preprocess("main.cfg", cwd=str(tmp_path))
    assert src.defines["X"] == '"inc" "x"'
    assert words(src) == ['"inc"', '"x"']


def test_stray_else_is_a_warning():
    # Kamailio: WARNING invalid position for preprocessor directive 'else', no error
    src = preprocess_string("x\n#!else\ny\n")
    assert words(src) == ["x", "y"]
    assert [w.code for w in src.warnings] == ["preproc-stray-else"]


def test_ifexp_is_a_comment_in_5_6():
    # Kamailio 5.6: #!ifexp is an unknown directive (a comment); its #!endif is then unbalanced
    assert err("#!ifexp 1\nx\n#!endif\n").diagnostics[0].code == "preproc-unbalanced-endif"


def test_mod_define_after_loadmodule_only():
    text = ('#!ifdef MOD_tm\nbefore\n#!endif\nloadmodule "/usr/lib/x/tm.so"\n'
            '#!ifdef MOD_tm\nafter\n#!endif\nloadmodule "sl"\n#!ifdef MOD_sl\nsl\n#!endif\n')
    assert [w for w in words(preprocess_string(text)) if w != "loadmodule" and '"' not in w] == ["after", "sl"]


def test_directive_inside_route_body_and_bang_bang_form():
    src = preprocess_string("route { !!define X 1\n x = X; }\n")
    assert words(src) == ["route", "{", "x", "=", "1;", "}"]


# ---------------------------------------------------------------- compat headers, comments
def test_compat_header_kept_verbatim_only_before_newline():
    src = preprocess_string("#!KAMAILIO\n#!KAMAILIO \n//!SER\n")
    assert src.text == "#!KAMAILIO\n" + " " * 11 + "\n//!SER\n"


def test_nested_block_comments_blanked():
    src = preprocess_string("a /* x /* y */ z */ b\n")
    assert words(src) == ["a", "b"]
    assert len(src.text) == len("a /* x /* y */ z */ b\n")


# ---------------------------------------------------------------- subst
def test_subst_applies_to_later_strings_and_pvs():
    # a string right after the rule would be concatenated with it (adjacent strings), hence the `;`
    # the rule applies to the whole PV token text: $var(b) -> $var(X), $var(a) would become $vXr(..)
    src = preprocess_string('"abc";\n#!subst "/b/X/g";\n"bab" \'b\' $var(b) "c"\n  "b"\n')
    assert words(src) == ['"abc";', ';', '"XaX"', "'X'", "$var(X)", '"cX"']
    assert src.text.count("\n") == 4


def test_subst_flags_and_delimiter():
    src = preprocess_string('#!subst "!HOST!example.com!i";\n"host.Host"\n')
    assert '"example.com.Host"' in src.text


def test_substdef_defines_the_name_too():
    src = preprocess_string('#!substdef "!PORT!5060!g"\nport = PORT;\n"sip:x:PORT"\n')
    assert words(src) == ["port", "=", "5060;", '"sip:x:5060"']


def test_bad_subst_expression():
    # Kamailio: "bad regular expression a( in /a(/b/" and "unknown flag q in /a/b/q"
    assert err('#!subst "/a(/b/"\n').diagnostics[0].code == "preproc-bad-subst"
    d = err('\n#!subst "/a/b/q"\n').diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-bad-subst", 2) and "unknown flag q" in d.message


def test_posix_classes_in_subst():
    src = preprocess_string('#!subst "/[[:digit:]]+/N/g";\n"a12b3"\n')
    assert '"aNbN"' in src.text


# ---------------------------------------------------------------- env
def test_defenv_forms(monkeypatch):
    monkeypatch.setenv("CFGVM_T_HOST", "h1")
    src = preprocess_string("#!defenv CFGVM_T_HOST\n#!defenvs Q=CFGVM_T_HOST\n#!trydefenv NOPE_CFGVM_X\n"
                            "CFGVM_T_HOST Q\n#!ifdef NOPE_CFGVM_X\nno\n#!endif\n")
    assert words(src) == ["h1", '"h1"']


def test_defenv_missing_variable():
    # Kamailio: "env variable not defined [NOPE_ENV_X]" then "error at cfg line 2"
    d = err("\n#!defenv NOPE_ENV_X\n").diagnostics[0]
    assert (d.code, d.coord.line) == ("preproc-env-undefined", 2)


# ---------------------------------------------------------------- includes
def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_include_missing_and_import_silent(tmp_path):
    # Kamailio: "cannot open included file: nope.cfg", "error at cfg line 3"; import_file is silent
    write(tmp_path, "m.cfg", '\nimport_file "nope.cfg"\ninclude_file "nope.cfg"\n')
    with pytest.raises(CfgError) as e:
        preprocess("m.cfg", cwd=str(tmp_path))
    d = e.value.diagnostics[0]
    assert (d.code, d.coord.file, d.coord.line) == ("preproc-include-missing", "m.cfg", 3)


def test_include_name_must_be_quoted(tmp_path):
    # Kamailio: "included file name must be between quotes: nope.cfg"
    write(tmp_path, "m.cfg", "\n\ninclude_file nope.cfg\n")
    with pytest.raises(CfgError) as e:
        preprocess("m.cfg", cwd=str(tmp_path))
    assert e.value.diagnostics[0].code == "preproc-include-name"


def test_include_resolution_and_source_map(tmp_path):
    write(tmp_path, "main.cfg", '#!define V 7\na = 1;\n  include_file "sub/one.cfg" x = V;\nb = 2;\n')
    write(tmp_path, "sub/one.cfg", 'one = 1;\n#!include_file "two.cfg"\n')   # two.cfg beside one.cfg
    write(tmp_path, "sub/two.cfg", "\n   two = 2;\n")
    src = preprocess("main.cfg", cwd=str(tmp_path))
    assert words(src) == ["a", "=", "1;", "one", "=", "1;", "two", "=", "2;", "x", "=", "7;", "b", "=", "2;"]
    assert src.file_names == ["main.cfg", "sub/one.cfg", "sub/two.cfg"]
    t = src.text
    assert str(src.locate(t.index("two"))) == "sub/two.cfg:2:4"
    assert str(src.locate(t.index("one"))) == "sub/one.cfg:1:1"
    assert str(src.locate(t.index("x ="))) == "main.cfg:3:30"
    assert str(src.locate(t.index("7;"))) == "main.cfg:3:34"      # macro text maps to its use site
    assert str(src.locate(t.index("b ="))) == "main.cfg:4:1"


def test_include_in_route_body_and_subst_on_name(tmp_path):
    write(tmp_path, "m.cfg", '#!subst "/ROLE/real/"\nroute { include_file "ROLE.cfg" }\n')
    write(tmp_path, "real.cfg", "x = 1;\n")
    assert words(preprocess("m.cfg", cwd=str(tmp_path))) == ["route", "{", "x", "=", "1;", "}"]


def test_include_depth_limit(tmp_path):
    for i in range(12):
        write(tmp_path, f"f{i}.cfg", f'include_file "f{i + 1}.cfg"\n')
    write(tmp_path, "f12.cfg", "end\n")
    with pytest.raises(CfgError) as e:
        preprocess("f0.cfg", cwd=str(tmp_path))
    assert e.value.diagnostics[0].code == "preproc-include-depth"
    write(tmp_path, "f10.cfg", "end\n")        # 10 nested includes are allowed
    assert words(preprocess("f0.cfg", cwd=str(tmp_path))) == ["end"]


# ---------------------------------------------------------------- cfg-print
A_CFG = ('#!KAMAILIO\n#!define FOO 1\n  #!ifdef FOO # comment here\nxx FOO\n#!else\nyy\n#!endif\n'
         '#!subst "/a/b/"\ninclude_file "b.cfg" # after\n import_file "nonexist.cfg"\nloadmodule "tm.so"\n'
         '#!ifdef MOD_tm\nhas tm\n#!endif\n/* block\n#!ifdef FOO\n*/\n#!endif\nlast line\n')
B_CFG = "in b\n#!ifndef FOO\nno\n#!endif\n# last comment"
# recorded from `kamailio --cfg-print -f a.cfg` (5.6.3) on exactly these two files
A_PRINTED = ('#!KAMAILIO\n#!define FOO 1\n   # comment herexx FOO\n#!subst "/a/b/"\nin b\n'
             '# last comment # after\n \nloadmodule "tm.so"\nhas tm\n/* block\n#!ifdef FOO\n*/\nlast line\n')


def test_cfg_print_matches_recorded_kamailio_output(tmp_path):
    write(tmp_path, "a.cfg", A_CFG)
    write(tmp_path, "b.cfg", B_CFG)
    from cfgvm.preprocess import cfg_print_file
    assert cfg_print_file("a.cfg", cwd=str(tmp_path)) == A_PRINTED


def test_command_exit_codes(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "ok.cfg", "#!define X 1\nx = X;\n")
    write(tmp_path, "bad.cfg", "#!define X 1\n#!define X 2\n")
    assert cli_main(["preprocess", "-f", "ok.cfg"]) == 0
    assert capsys.readouterr().out == "#!define X 1\nx = X;\n"
    assert cli_main(["preprocess", "-f", "ok.cfg", "--expand", "-A", "Y=2"]) == 0
    assert re.search(r"x = 1;", capsys.readouterr().out)
    assert cli_main(["preprocess", "-f", "bad.cfg", "--expand"]) == 1
    assert "bad.cfg:2:10: error: already defined: X [preproc-redefined]" in capsys.readouterr().err
    assert cli_main(["preprocess", "-f", "missing.cfg"]) == 2


def test_version_pv_in_substdef_needs_pv_and_textops(tmp_path):
    # [V] 5.6.3 with pv.so and textops.so loaded first opens inc-5.6.cfg (kazoo's per-major includes);
    # without pv.so Kamailio rejects the rule ("error searching pvar version")
    rule = r'#!substdef "!MAJOR!$(version(num){re.subst,/^(([^\.])*\.([^\.])*)\..*/\1/})!g"' + "\n"
    (tmp_path / "inc-5.6.cfg").write_text("ok_here\n")
    (tmp_path / "m.cfg").write_text('loadmodule "pv.so"\nloadmodule "textops.so"\n' + rule + 'include_file "inc-MAJOR.cfg"\n')
    src = preprocess("m.cfg", cwd=str(tmp_path))
    assert "ok_here" in src.text.split() and src.defines["MAJOR"] == "5.6"
    (tmp_path / "m2.cfg").write_text('loadmodule "pv.so"\n#!substdef "!V!$version(num)!g"\nf("V")\n')
    assert '"5.6.3"' in preprocess("m2.cfg", cwd=str(tmp_path)).text
