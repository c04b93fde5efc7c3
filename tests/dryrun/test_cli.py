"""`cfgvm dry-run`: exit codes, the text report, the JSON and cfgt shapes, determinism.

The cfgt expectations were taken from real Kamailio 5.6.3 running the same config with the cfgt and
debugger modules (cfgtest=1): the flow entries, their order and the variables in each.
"""
import json

import pytest

from cfgvm.cli import main

OPTIONS = (b"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1;rport\r\n"
           b"From: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: NGCP%tst%1\r\n"
           b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")

ROUTES_CFG = """#!KAMAILIO
debug=2
loadmodule "xlog.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
request_route {
    xlog("L_NOTICE", "hi\\n");
    route(SUB);
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    sl_send_reply("200", "OK");
    exit;
}
route[SUB] {
    route(INNER);
    return;
}
route[INNER] {
    return 2;
}
"""

# Kamailio 5.6.3 + cfgt wrote, for this config and OPTIONS, the flow checked in test_cfgt_like_kamailio.
VARS_CFG = """#!KAMAILIO
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
    $var(a) = "x";
    $avp(k) = 1;
    $avp(k) = "two";
    xlog("L_NOTICE", "hi $rm\\n");
    route(SUB);
    if ($var(x) == 5) {
        sl_send_reply("200", "OK");
    }
    exit;
}
route[SUB] {
    $var(x) = 5;
    route(INNER);
    return;
}
route[INNER] {
    $xavp(r=>a) = 1;
    $xavp(r[0]=>b) = "s";
    return 2;
}
"""


@pytest.fixture
def files(tmp_path):
    def make(cfg_text, msg=OPTIONS):
        c = tmp_path / "t.cfg"
        c.write_text(cfg_text, encoding="latin-1")
        m = tmp_path / "m.sip"
        m.write_bytes(msg)
        return str(c), str(m)
    return make


def run(capsys, *argv):
    rc = main(["dry-run", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_usage_errors_exit_2(capsys, files, tmp_path):
    cfg, msg = files(ROUTES_CFG)
    assert run(capsys, "-f", str(tmp_path / "missing.cfg"), "--msg", msg)[0] == 2
    assert run(capsys, "-f", cfg, "--msg", str(tmp_path / "missing.sip"))[0] == 2
    rc, _, err = run(capsys, "-f", cfg, "--msg", msg, "--src", "udp:nowhere")
    assert rc == 2 and "bad address" in err
    assert run(capsys, "-f", cfg, "--msg", msg, "--trace", "xml")[0] == 2


def test_config_error_exits_1_with_the_diagnostic(capsys, files):
    cfg, msg = files("request_route {\n  route(NOPE);\n}\n")
    rc, out, err = run(capsys, "-f", cfg, "--msg", msg)
    assert rc == 1 and out == ""
    assert f"{cfg}:2:" in err


def test_json_shape_and_values(capsys, files):
    cfg, msg = files(ROUTES_CFG)
    rc, out, _ = run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")
    assert rc == 0
    doc = json.loads(out)
    assert {"outcome", "sent", "flow", "trace", "log"} <= set(doc)
    assert doc["outcome"]["status"] == "replied" and doc["outcome"]["replies"] == ["SIP/2.0 200 OK"]
    [sent] = doc["sent"]
    assert {"proto", "src", "dst", "data"} <= set(sent)
    # RFC 3261 18.2.2 + RFC 3581: the reply goes back to the source address and port
    assert (sent["proto"], sent["dst"], sent["src"]) == ("udp", "127.0.0.2:5070", "127.0.0.1:5060")
    assert sent["data"].startswith("SIP/2.0 200 OK\r\n") and sent["data"].endswith("\r\n\r\n")
    assert "Call-ID: NGCP%tst%1\r\n" in sent["data"]
    assert [(f["event"], f["route"]) for f in doc["flow"]] == [
        ("start", "DEFAULT_ROUTE"), ("start", "SUB"), ("start", "INNER"), ("return", "INNER"),
        ("return", "SUB"), ("exit", "DEFAULT_ROUTE")]
    # the debugger's cfgtrace for this config (route, line, action name)
    assert [(t["route"], t["line"], t["action"]) for t in doc["trace"]] == [
        ("DEFAULT_ROUTE", 7, "xlog"), ("DEFAULT_ROUTE", 8, "route"), ("SUB", 17, "route"),
        ("INNER", 21, "return"), ("SUB", 18, "return"), ("DEFAULT_ROUTE", 9, "if"),
        ("DEFAULT_ROUTE", 13, "sl_send_reply"), ("DEFAULT_ROUTE", 14, "exit")]
    assert doc["log"] == ["<script>: hi\n"]     # as Kamailio prints it after "NOTICE: "


def test_text_report_sections(capsys, files):
    cfg, msg = files(ROUTES_CFG)
    rc, out, _ = run(capsys, "-f", cfg, "--msg", msg)
    assert rc == 0
    for section in ("== route path", "== trace", "== log", "== outcome", "== variables", "== sent (1)"):
        assert section in out
    assert "replied: SIP/2.0 200 OK" in out
    assert "request_route=[SUB]" in out and "  start|SUB" in out


def test_reply_and_drop_outcomes(capsys, files):
    cfg, msg = files("loadmodule \"sl.so\"\nrequest_route {\n  drop;\n}\n")
    doc = json.loads(run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")[1])
    assert doc["outcome"]["status"] == "dropped" and doc["sent"] == []
    reply = (b"SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-a\r\n"
             b"Via: SIP/2.0/UDP 127.0.0.8:5080;branch=z9hG4bK-b\r\nFrom: <sip:a@x>;tag=1\r\n"
             b"To: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    cfg, msg = files("loadmodule \"xlog.so\"\nrequest_route {\n  exit;\n}\nreply_route {\n  xlog(\"L_INFO\", \"r\\n\");\n}\n",
                     reply)
    doc = json.loads(run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")[1])
    assert doc["outcome"]["forwarded_to"] == ["udp:127.0.0.8:5080"]
    assert [f["route"] for f in doc["flow"]] == ["DEFAULT_ONREPLY", "DEFAULT_ONREPLY"]
    assert doc["sent"][0]["data"].startswith("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.8:5080")


def test_malformed_message_is_dropped_with_exit_0(capsys, files):
    cfg, msg = files(ROUTES_CFG, b"this is not SIP\r\n\r\n")
    rc, out, _ = run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")
    doc = json.loads(out)
    assert rc == 0 and doc["outcome"]["status"] == "dropped" and doc["flow"] == []


def test_output_is_deterministic_under_the_virtual_clock(capsys, files):
    cfg, msg = files(ROUTES_CFG)
    first = run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")[1]
    second = run(capsys, "-f", cfg, "--msg", msg, "--trace", "json")[1]
    assert first == second


def test_cfgt_shape_for_routes(capsys, files):
    cfg, msg = files(ROUTES_CFG)
    rc, out, _ = run(capsys, "-f", cfg, "--msg", msg, "--trace", "cfgt")
    doc = json.loads(out)
    assert rc == 0 and set(doc) == {"flow", "sip_in", "sip_out"}
    assert [list(f) for f in doc["flow"]] == [["start|DEFAULT_ROUTE"], ["start|SUB"], ["start|INNER"],
                                              ["return|INNER"], ["return|SUB"], ["exit|DEFAULT_ROUTE"]]
    assert doc["sip_in"] == [OPTIONS.decode("latin-1")]
    assert len(doc["sip_out"]) == 1 and doc["sip_out"][0].startswith("SIP/2.0 200 OK\r\n")


def test_cfgt_like_kamailio(capsys, files):
    cfg, msg = files(VARS_CFG)
    rc, out, _ = run(capsys, "-f", cfg, "--msg", msg, "--trace", "cfgt")
    flow = json.loads(out)["flow"]
    avp = ["two", 1]
    xavp = [{"b": ["s"], "a": [1]}]
    # Kamailio also dumps "$rm": 512 (the method id: cfgt prints a dual-typed PV's int form)
    rm = {"$rm": 512}
    want = [
        {"start|DEFAULT_ROUTE": {"$var(a)": 0, "$var(x)": 0, **rm}},
        {"start|SUB": {"$var(a)": "x", "$var(x)": 0, "$avp(k)": avp, **rm}},
        {"start|INNER": {"$var(a)": "x", "$var(x)": 5, "$avp(k)": avp, **rm}},
        {"return|INNER": {"$var(a)": "x", "$var(x)": 5, "$avp(k)": avp, "$xavp(r)": xavp, **rm}},
        {"return|SUB": {"$var(a)": "x", "$var(x)": 5, "$avp(k)": avp, "$xavp(r)": xavp, **rm}},
        {"exit|DEFAULT_ROUTE": {"$var(a)": "x", "$var(x)": 5, "$avp(k)": avp, "$xavp(r)": xavp, **rm}},
    ]
    assert flow == want
