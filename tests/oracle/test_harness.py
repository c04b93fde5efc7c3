"""The Kamailio oracle harness itself: replies come back, logs are split, namespaces are cleaned up."""
import os

import pytest

from oracle import kamailio as harness
from oracle.xlog_cases import kamailio_messages, values_from_messages, escape, unescape

OPTIONS = (b"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
           b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-h1;rport\r\n"
           b"From: <sip:h@127.0.0.2>;tag=h1\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: harness-1\r\n"
           b"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")

CFG = """#!KAMAILIO
debug=1
log_stderror=yes
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
    xnotice("C0001|$rm from $si:$sp to $Ri:$Rp env=$env(HARNESS_ENV)|\\n");
    xnotice("C0002|two\\nlines|\\n");
    sl_send_reply("200", "Harness OK");
    xnotice("C9999|end|\\n");
}
"""


def live():
    ok, why = harness.kamailio_available()
    if not ok:
        pytest.skip(why)


def test_log_records_split_and_values():
    log = (" 0(10) WARNING: sl [x.h:1]: f(): noise\n"
           " 1(11) NOTICE: <script>: C0001|a|b|\n"
           " 1(11) ERROR: <script>: C0002|multi\r\nline|\n"
           " 1(11) NOTICE: <script>: C9999|end|\n")
    msgs = kamailio_messages(log)
    assert values_from_messages(msgs) == {"C0001": "a|b", "C0002": "multi\r\nline"}
    assert unescape(escape("a\\b\tc\nd\r")) == "a\\b\tc\nd\r"


@pytest.mark.oracle
def test_options_reply_log_and_namespace_cleanup(monkeypatch):
    live()
    made = []
    real_enter = harness.Netns.__enter__

    def spy(self):
        made.append(self.name)
        return real_enter(self)
    monkeypatch.setattr(harness.Netns, "__enter__", spy)
    run = harness.run_kamailio(CFG, [OPTIONS], until="C9999|", env={"HARNESS_ENV": "e1"}, expect_replies=1)
    assert len(run.replies) == 1
    assert run.replies[0].startswith(b"SIP/2.0 200 Harness OK\r\n")
    values = values_from_messages(kamailio_messages(run.log_text))
    assert values == {"C0001": "OPTIONS from 127.0.0.2:5070 to 127.0.0.1:5060 env=e1", "C0002": "two\nlines"}
    assert run.returncode is not None, "kamailio should stop on SIGTERM, not need SIGKILL"
    assert made and not os.path.exists(f"/var/run/netns/{made[0]}")


@pytest.mark.oracle
def test_start_failure_is_reported_with_log():
    live()
    bad = CFG.replace('route {', 'route {\n    xnotice("$nosuchpv(x)");', 1)
    with pytest.raises(harness.KamailioError) as e:
        harness.run_kamailio(bad, [OPTIONS], until="C9999|", start_timeout=15)
    assert "exited during start-up" in str(e.value) and "nosuchpv" in e.value.log_text


@pytest.mark.oracle
def test_crashed_worker_fails_fast():
    live()
    # cfgutils abort() kills the worker with SIGABRT: the main process logs "exited by a signal"
    crash = CFG.replace('loadmodule "sl.so"', 'loadmodule "sl.so"\nloadmodule "cfgutils.so"', 1)
    crash = crash.replace('route {', 'route {\n    abort();', 1)
    with pytest.raises(harness.KamailioError) as e:
        harness.run_kamailio(crash, [OPTIONS], until="C9999|", reply_wait=0.2, log_timeout=8)
    assert "crashed" in str(e.value)
