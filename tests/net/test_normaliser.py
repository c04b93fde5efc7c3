"""The transcript parser and normaliser on hand-written sipp logs (no network)."""
from net import harness

LOG = """----------------------------------------------- 2026-01-01 10:00:00.000001
UDP message sent (20 bytes):

OPTIONS sip:x@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1-1-0


----------------------------------------------- 2026-01-01 10:00:00.000002
UDP message received [300] bytes :

SIP/2.0 200 OK
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{pid}-1-0;rport={rport};received=127.0.0.2
From: <sip:a@127.0.0.2>;tag={pid}SIPpTag001
To: <sip:b@127.0.0.1>;tag={totag}
Call-ID: 1-{pid}@127.0.0.2
Record-Route: <sip:127.0.0.1;lr;ftag={pid}SIPpTag001>
Max-Forwards: {mf}
Content-Length: 0


"""


def transcript(pid="111", totag="abc.def", rport="5070", mf="69"):
    text = LOG.format(pid=pid, totag=totag, rport=rport, mf=mf)
    return harness.normalise([("uac", harness.parse_message_log(text))])


def test_only_received_messages_are_kept():
    (msg,) = transcript().messages("uac")
    assert msg.first_line == "SIP/2.0 200 OK"
    assert dict(msg.headers)["Max-Forwards"] == "69"


def test_volatile_values_become_numbered_placeholders():
    (msg,) = transcript().messages("uac")
    h = dict(msg.headers)
    assert h["Via"] == "SIP/2.0/UDP 127.0.0.2:5070;branch=<BRANCH1>;rport=5070;received=127.0.0.2"
    assert h["From"] == "<sip:a@127.0.0.2>;tag=<TAG1>"
    assert h["To"] == "<sip:b@127.0.0.1>;tag=<TAG2>"
    assert h["Call-ID"] == "<CALLID1>"
    assert h["Record-Route"] == "<sip:127.0.0.1;lr;ftag=<TAG1>>"   # ftag is the From tag: same placeholder


def test_runs_differing_only_in_volatile_values_are_equal():
    assert transcript().render() == transcript(pid="98765", totag="zz-9", rport="40001").render() \
        .replace("rport=<EPORT>", "rport=5070")
    assert transcript(rport="40001").render() == transcript(rport="51234").render()


def test_real_differences_survive():
    assert transcript(mf="69").render() != transcript(mf="70").render()
    assert transcript(rport="5070").render() != transcript(rport="5071").render()


def test_differential_report_is_a_unified_diff():
    pair = harness.Pair("p", "x.cfg", (), harness.Agent("uac", "x.xml"))
    a = harness.PairResult(pair, "a", transcript(mf="69"), [], "", 0.0, [])
    b = harness.PairResult(pair, "b", transcript(mf="70"), [], "", 0.0, [])
    diff = harness.compare(a, b)
    assert "-  Max-Forwards: 69" in diff and "+  Max-Forwards: 70" in diff
    assert harness.compare(a, a) == ""
