"""THE table of scenario x cfg pairs for the differential suite (one row per pair).

Columns: name, cfg (tests/net/cfgs/), UAC scenario, UAS scenarios (role uas, then uas2), transport
of the UAC / of the UAS side, what the agents must have received beyond sipp's own checks, and
what the pair proves. Scenarios live in tools/sipp-scenarios/ (see its README.md).
"""
from __future__ import annotations

from net.harness import Agent, Pair

UDP = ("udp:127.0.0.1:5060",)
TCP = ("tcp:127.0.0.1:5060",)
BOTH = ("udp:127.0.0.1:5060", "tcp:127.0.0.1:5060")


#  name                cfg               uac scenario          uas scenarios: (file, keys) ...      expected first lines         proves
_ROWS = [
    ("options_sl",        "sl_reply.cfg",  "uac_options.xml",   [],                                   [("uac", "SIP/2.0 200 Keepalive OK")],
     "sl_send_reply answers OPTIONS; Via gets received/rport"),
    ("register_sl",       "sl_reply.cfg",  "uac_register.xml",  [],                                   [("uac", "SIP/2.0 200 Registered")],
     "append_to_reply + sl_send_reply echo the REGISTER binding"),
    ("options_stateless", "stateless.cfg", "uac_options.xml",   [("uas_options.xml", ())],            [("uac", "SIP/2.0 200 OK")],
     "stateless forward() adds/removes the proxy Via"),
    ("register_stateless", "stateless.cfg", "uac_register.xml", [("uas_register.xml", ())],           [("uac", "SIP/2.0 200 OK")],
     "stateless relay of REGISTER to a registrar"),
    ("invite_stateless",  "stateless.cfg", "uac_invite.xml",    [("uas_invite.xml", ())],             [("uas", "ACK sip:uas@127.0.0.3:5080;transport=UDP SIP/2.0")],
     "stateless INVITE/ACK/BYE with record_route + loose_route"),
    ("cancel_stateless",  "stateless.cfg", "uac_cancel.xml",    [("uas_ring.xml", ())],               [("uac", "SIP/2.0 487 Request Terminated")],
     "stateless CANCEL and non-2xx ACK follow the INVITE end to end"),
    ("busy_stateless",    "stateless.cfg", "uac_fail.xml",      [("uas_busy.xml", ())],             [("uac", "SIP/2.0 486 Busy Here")],
     "stateless relay of a 486 and its end-to-end ACK"),
    ("options_stateful",  "stateful.cfg",  "uac_options.xml",   [("uas_options.xml", ())],            [("uac", "SIP/2.0 200 OK")],
     "t_relay of a non-INVITE transaction"),
    ("register_stateful", "stateful.cfg",  "uac_register.xml",  [("uas_register.xml", ())],           [("uac", "SIP/2.0 200 OK")],
     "t_relay of REGISTER"),
    ("invite_stateful",   "stateful.cfg",  "uac_invite.xml",    [("uas_invite.xml", ())],             [("uac", "SIP/2.0 100 trying -- your call is important to us")],
     "tm 100 Trying, 180/200 relay, record_route ftag, loose_route ACK/BYE"),
    ("cancel_stateful",   "stateful.cfg",  "uac_cancel.xml",    [("uas_ring.xml", ())],               [("uac", "SIP/2.0 487 Request Terminated"), ("uas", "CANCEL sip:uas@127.0.0.1:5060 SIP/2.0")],
     "CANCEL matched by t_check_trans, 200 locally, CANCEL propagated, 487 relayed, hop-by-hop ACK"),
    ("busy_stateful",     "stateful.cfg",  "uac_fail.xml",      [("uas_busy.xml", ())],             [("uac", "SIP/2.0 486 Busy Here"), ("uas", "ACK sip:uas@127.0.0.1:5060 SIP/2.0")],
     "486 relayed, proxy ACKs it hop-by-hop and absorbs the UAC's ACK"),
    ("reject488_stateful", "stateful.cfg", "uac_fail.xml",      [("uas_reject.xml", ())],   [("uac", "SIP/2.0 488 Not Acceptable Here")],
     "488 relayed without a failure_route"),
    ("reinvite_stateful", "stateful.cfg",  "uac_reinvite.xml",  [("uas_reinvite.xml", ())],           [("uas", "INVITE sip:uas@127.0.0.3:5080;transport=UDP SIP/2.0")],
     "re-INVITE and BYE through Record-Route (Route consumed by loose_route)"),
    ("callee_bye_stateful", "stateful.cfg", "uac_callee_bye.xml", [("uas_callee_bye.xml", ())],      [("uac", "BYE sip:uac@127.0.0.2:5070;transport=UDP SIP/2.0")],
     "callee-side BYE crosses the proxy downstream->upstream via Route"),
    ("serial_486",        "serial.cfg",    "uac_invite.xml",    [("uas_busy.xml", ()), ("uas_invite.xml", ())], [("uac", "SIP/2.0 200 OK"), ("uas2", "BYE sip:uas@127.0.0.4:5080;transport=UDP SIP/2.0")],
     "failure_route on 486 relays to the second UAS; dialog continues with it"),
    ("serial_488",        "serial.cfg",    "uac_invite.xml",    [("uas_reject.xml", ()), ("uas_invite.xml", ())], [("uac", "SIP/2.0 200 OK")],
     "failure_route on 488 relays to the second UAS"),
    ("serial_both_busy",  "serial.cfg",    "uac_fail.xml",      [("uas_busy.xml", ()), ("uas_busy.xml", ())], [("uac", "SIP/2.0 486 Busy Here")],
     "second failure (failure_route not re-armed) goes upstream"),
    ("serial_timeout",    "serial.cfg",    "uac_invite.xml",    [("uas_silent.xml", ()), ("uas_invite.xml", ())], [("uac", "SIP/2.0 200 OK")],
     "fr_timer 408 on a silent branch triggers failure_route serial forking"),
    ("frtimer_408",       "fr_timer.cfg",  "uac_fail.xml",      [("uas_silent.xml", ())],             [("uac", "SIP/2.0 408 Request Timeout")],
     "t_set_fr fr_timer expiry -> local 408 upstream, no CANCEL downstream"),
    # TCP: the same flows over connection-oriented transport
    ("options_stateful_tcp", "stateful.cfg", "uac_options.xml", [("uas_options.xml", ())],            [("uac", "SIP/2.0 200 OK")],
     "TCP: t_relay of OPTIONS, replies back on the UAC's connection"),
    ("register_sl_tcp",   "sl_reply.cfg",  "uac_register.xml",  [],                                   [("uac", "SIP/2.0 200 Registered")],
     "TCP: sl reply over the incoming connection"),
    ("invite_stateful_tcp", "stateful.cfg", "uac_invite.xml",   [("uas_invite.xml", ())],             [("uas", "BYE sip:uas@127.0.0.3:5080;transport=TCP SIP/2.0")],
     "TCP: INVITE/ACK/BYE, in-dialog requests reuse the connections"),
    ("reinvite_stateful_tcp", "stateful.cfg", "uac_reinvite.xml", [("uas_reinvite.xml", ())],         [("uac", "SIP/2.0 200 OK")],
     "TCP: re-INVITE and BYE through Record-Route"),
    ("cancel_stateful_tcp", "stateful.cfg", "uac_cancel.xml",   [("uas_ring.xml", ())],               [("uac", "SIP/2.0 487 Request Terminated")],
     "TCP: CANCEL propagation"),
    ("callee_bye_tcp",    "stateful.cfg",  "uac_callee_bye.xml", [("uas_callee_bye.xml", ())],        [("uac", "BYE sip:uac@127.0.0.2:5070;transport=TCP SIP/2.0")],
     "TCP: callee BYE over the proxy's connection to the caller"),
    ("serial_486_tcp",    "serial.cfg",    "uac_invite.xml",    [("uas_busy.xml", ()), ("uas_invite.xml", ())], [("uac", "SIP/2.0 200 OK")],
     "TCP: serial forking after 486"),
    ("invite_stateless_tcp", "stateless.cfg", "uac_invite.xml", [("uas_invite.xml", ())],             [("uac", "SIP/2.0 200 OK")],
     "TCP: stateless forward over TCP both sides"),
]

# UDP<->TCP bridging: (name, uac transport, uas transport, uac scenario, uas scenario, expect, proves)
_BRIDGE_ROWS = [
    ("bridge_invite_u2t", "udp", "tcp", "uac_invite.xml", "uas_invite.xml",
     [("uas", "BYE sip:uas@127.0.0.3:5080;transport=TCP SIP/2.0")], "UDP in, TCP out: double Record-Route, BYE crosses back"),
    ("bridge_invite_t2u", "tcp", "udp", "uac_invite.xml", "uas_invite.xml",
     [("uas", "BYE sip:uas@127.0.0.3:5080;transport=UDP SIP/2.0")], "TCP in, UDP out: double Record-Route"),
    ("bridge_reinvite_u2t", "udp", "tcp", "uac_reinvite.xml", "uas_reinvite.xml",
     [("uac", "SIP/2.0 200 OK")], "re-INVITE across the UDP->TCP bridge"),
    ("bridge_options_u2t", "udp", "tcp", "uac_options.xml", "uas_options.xml",
     [("uac", "SIP/2.0 200 OK")], "non-INVITE across the bridge (no Record-Route)"),
    ("bridge_callee_bye_t2u", "tcp", "udp", "uac_callee_bye.xml", "uas_callee_bye.xml",
     [("uac", "BYE sip:uac@127.0.0.2:5070;transport=TCP SIP/2.0")], "callee BYE from the UDP side reaches the TCP caller"),
]


def _build() -> dict[str, Pair]:
    pairs: dict[str, Pair] = {}
    for name, cfg, uac, uases, expect, proves in _ROWS:
        transport = "tcp" if name.endswith("_tcp") else "udp"
        roles = ("uas", "uas2")
        agents = tuple(Agent(roles[i], f, transport, keys) for i, (f, keys) in enumerate(uases))
        pairs[name] = Pair(name, cfg, TCP if transport == "tcp" else UDP, Agent("uac", uac, transport),
                           agents, tuple(expect), proves)
    for name, t_uac, t_uas, uac, uas, expect, proves in _BRIDGE_ROWS:
        pairs[name] = Pair(name, "bridge.cfg", BOTH, Agent("uac", uac, t_uac), (Agent("uas", uas, t_uas),),
                           tuple(expect), proves)
    return pairs


PAIRS: dict[str, Pair] = _build()
