"""SIP core throughput on one core: proxy-path parse, full parse, serialisation with three lumps,
for a realistic INVITE with SDP and a 200 OK with Record-Route. Prints messages/s (no assertions).

    .venv/bin/python bench/sip_parse.py [passes]
"""
import sys

from timing import min_rate, reference_rate
from cfgvm.sip import Message

BATCH = 2000          # messages per timed pass
TARGET = 50_000       # issue 3: proxy-path parse, messages/s on one core

INVITE = (
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK74bf9;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:proxy1.example.com;lr>, <sip:proxy2.example.com;lr>\r\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
    "To: \"Bob\" <sip:bob@biloxi.example.com>\r\n"
    "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@client.atlanta.example.com;transport=udp>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO\r\n"
    "Supported: replaces, timer, 100rel\r\n"
    "User-Agent: Example UA/1.0\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: {cl}\r\n"
    "\r\n"
)
SDP = (
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\ns=-\r\n"
    "c=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n"
)
INVITE = (INVITE.format(cl=len(SDP)) + SDP).encode("latin-1")
OK200 = (
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP proxy1.example.com:5060;branch=z9hG4bK2d4790.1\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101;rport=5060\r\n"
    "Record-Route: <sip:proxy2.example.com;lr>, <sip:proxy1.example.com;lr;ftag=9fxced76sl>\r\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
    "To: \"Bob\" <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
    "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Server: Example UAS/2.0\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
).encode("latin-1")


def proxy_path(raw):
    m = Message.parse(raw)
    if m.is_request:
        m.ruri
    m.via1.branch
    m.call_id
    m.cseq.method
    m.to.tag
    m.routes()
    m.routes("record-route")
    m.max_forwards
    return m


def full_parse(raw):
    m = Message.parse(raw)
    if m.is_request:
        m.ruri
    for h in m.headers():
        h.parsed
    for na in m.routes() + m.routes("record-route") + [m.from_, m.to]:
        na.uri
    m.sdp()
    return m


def serialise_three_lumps(raw):
    m = Message.parse(raw)
    via = m.header("via")
    m.lumps.insert_before(via.start, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKabc.1\r\n")
    m.lumps.append_header("X-Trace: cfgvm\r\n")
    m.lumps.remove_header(m.header("content-length") if m.is_reply else m.header("user-agent"))
    return m.to_bytes()


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ref = reference_rate()
    rows = []
    for case, fn in (("proxy-path parse", proxy_path), ("full parse", full_parse),
                     ("serialise 3 lumps", serialise_three_lumps)):
        for name, raw in (("INVITE+SDP", INVITE), ("200 OK+RR", OK200)):
            rows.append((case, name, min_rate(fn, [raw] * BATCH, repeats)))
    ref = max(ref, reference_rate())
    print(f"reference loop (plain Python work, bench/timing.py): {ref:,.0f} calls/s")
    print(f"min of {repeats} passes of {BATCH} messages, CPU time of this process; target: proxy-path "
          f">= {TARGET:,} msg/s")
    for case, name, r in rows:
        mark = ("  met" if r >= TARGET else "  NOT met") if case.startswith("proxy") else ""
        print(f"{case:20s} {name:11s} {r:10,.0f} msg/s  ({r / ref:5.3f} x reference){mark}")


if __name__ == "__main__":
    main()
