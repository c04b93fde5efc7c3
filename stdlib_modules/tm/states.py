"""RFC 3261 §17 transaction state machines as tables, timers named as the RFC names them.

Each table maps (state, event) -> (next state, actions). The tm code feeds events into `step()`
and carries out the actions it gets back; anything not in a table is ignored (the RFC says the
event is absorbed, e.g. a 1xx in Completed).

Kamailio's timer values (tm modparams, milliseconds):
  T1 = retr_timer1 (500), T2 = retr_timer2 (4000);
  A / E  request retransmission over UDP: T1, doubling, capped at T2 (Kamailio caps INVITE too);
  B / F  final-response timeout: fr_timer (30000), for INVITE fr_inv_timer (120000) once a
         provisional reply came; bounded by max_inv_lifetime / max_noninv_lifetime;
  G      negative-INVITE-reply retransmission upstream over UDP (T1 doubling, cap T2);
  H      wait for the ACK of a negative INVITE reply: fr_timer;
  D / I / J / K  absorb retransmissions before the transaction is freed: wt_timer (5000).
"""
from __future__ import annotations

# states
CALLING, TRYING, PROCEEDING, COMPLETED, CONFIRMED, TERMINATED = (
    "Calling", "Trying", "Proceeding", "Completed", "Confirmed", "Terminated")

# events
R1XX, R2XX, R3456, TIMER_A, TIMER_B, TIMER_D, TIMER_E, TIMER_F, TIMER_K, TRANSPORT_ERR = (
    "1xx", "2xx", "300-699", "A", "B", "D", "E", "F", "K", "transport-error")
REQ_RETR, TU_1XX, TU_2XX, TU_3456, ACK, TIMER_G, TIMER_H, TIMER_I, TIMER_J = (
    "request-retransmission", "TU 1xx", "TU 2xx", "TU 300-699", "ACK", "G", "H", "I", "J")

# actions
PASS_UP, SEND_ACK, RETRANSMIT, START_A, START_B, START_D, START_E, START_F, START_K, STOP_RETR = (
    "pass-up", "send-ack", "retransmit-request", "start-A", "start-B", "start-D", "start-E",
    "start-F", "start-K", "stop-retransmissions")
SEND_REPLY, RESEND_REPLY, START_G, START_H, START_I, START_J, TIMEOUT, DESTROY = (
    "send-reply", "resend-last-reply", "start-G", "start-H", "start-I", "start-J", "report-timeout",
    "destroy")

# §17.1.1 client INVITE transaction (figure 5)
CLIENT_INVITE = {
    (CALLING, TIMER_A): (CALLING, (RETRANSMIT, START_A)),
    (CALLING, TIMER_B): (TERMINATED, (TIMEOUT, DESTROY)),
    (CALLING, TRANSPORT_ERR): (TERMINATED, (TIMEOUT, DESTROY)),
    (CALLING, R1XX): (PROCEEDING, (STOP_RETR, PASS_UP)),
    (CALLING, R2XX): (TERMINATED, (STOP_RETR, PASS_UP)),
    (CALLING, R3456): (COMPLETED, (STOP_RETR, SEND_ACK, PASS_UP, START_D)),
    (PROCEEDING, R1XX): (PROCEEDING, (PASS_UP,)),
    (PROCEEDING, TIMER_B): (TERMINATED, (TIMEOUT, DESTROY)),   # Kamailio keeps fr_inv_timer here
    (PROCEEDING, R2XX): (TERMINATED, (PASS_UP,)),
    (PROCEEDING, R3456): (COMPLETED, (SEND_ACK, PASS_UP, START_D)),
    (COMPLETED, R3456): (COMPLETED, (SEND_ACK,)),
    (COMPLETED, TRANSPORT_ERR): (TERMINATED, (DESTROY,)),
    (COMPLETED, TIMER_D): (TERMINATED, (DESTROY,)),
}

# §17.1.2 client non-INVITE transaction (figure 6)
CLIENT_NON_INVITE = {
    (TRYING, TIMER_E): (TRYING, (RETRANSMIT, START_E)),
    (TRYING, TIMER_F): (TERMINATED, (TIMEOUT, DESTROY)),
    (TRYING, TRANSPORT_ERR): (TERMINATED, (TIMEOUT, DESTROY)),
    (TRYING, R1XX): (PROCEEDING, (PASS_UP,)),
    (TRYING, R2XX): (COMPLETED, (STOP_RETR, PASS_UP, START_K)),
    (TRYING, R3456): (COMPLETED, (STOP_RETR, PASS_UP, START_K)),
    (PROCEEDING, TIMER_E): (PROCEEDING, (RETRANSMIT, START_E)),   # interval stays at T2
    (PROCEEDING, R1XX): (PROCEEDING, (PASS_UP,)),
    (PROCEEDING, TIMER_F): (TERMINATED, (TIMEOUT, DESTROY)),
    (PROCEEDING, TRANSPORT_ERR): (TERMINATED, (TIMEOUT, DESTROY)),
    (PROCEEDING, R2XX): (COMPLETED, (STOP_RETR, PASS_UP, START_K)),
    (PROCEEDING, R3456): (COMPLETED, (STOP_RETR, PASS_UP, START_K)),
    (COMPLETED, TIMER_K): (TERMINATED, (DESTROY,)),
}

# §17.2.1 server INVITE transaction (figure 7)
SERVER_INVITE = {
    (PROCEEDING, REQ_RETR): (PROCEEDING, (RESEND_REPLY,)),
    (PROCEEDING, TU_1XX): (PROCEEDING, (SEND_REPLY,)),
    (PROCEEDING, TU_2XX): (TERMINATED, (SEND_REPLY, DESTROY)),
    (PROCEEDING, TU_3456): (COMPLETED, (SEND_REPLY, START_G, START_H)),
    (PROCEEDING, TRANSPORT_ERR): (TERMINATED, (DESTROY,)),
    (COMPLETED, REQ_RETR): (COMPLETED, (RESEND_REPLY,)),
    (COMPLETED, TIMER_G): (COMPLETED, (RESEND_REPLY, START_G)),
    (COMPLETED, ACK): (CONFIRMED, (STOP_RETR, START_I)),
    (COMPLETED, TIMER_H): (TERMINATED, (DESTROY,)),
    (COMPLETED, TRANSPORT_ERR): (TERMINATED, (DESTROY,)),
    (CONFIRMED, ACK): (CONFIRMED, ()),
    (CONFIRMED, TIMER_I): (TERMINATED, (DESTROY,)),
}

# §17.2.2 server non-INVITE transaction (figure 8)
SERVER_NON_INVITE = {
    (TRYING, TU_1XX): (PROCEEDING, (SEND_REPLY,)),
    (TRYING, TU_2XX): (COMPLETED, (SEND_REPLY, START_J)),
    (TRYING, TU_3456): (COMPLETED, (SEND_REPLY, START_J)),
    (PROCEEDING, TU_1XX): (PROCEEDING, (SEND_REPLY,)),
    (PROCEEDING, REQ_RETR): (PROCEEDING, (RESEND_REPLY,)),
    (PROCEEDING, TU_2XX): (COMPLETED, (SEND_REPLY, START_J)),
    (PROCEEDING, TU_3456): (COMPLETED, (SEND_REPLY, START_J)),
    (PROCEEDING, TRANSPORT_ERR): (TERMINATED, (DESTROY,)),
    (COMPLETED, REQ_RETR): (COMPLETED, (RESEND_REPLY,)),
    (COMPLETED, TU_2XX): (COMPLETED, ()),
    (COMPLETED, TU_3456): (COMPLETED, ()),
    (COMPLETED, TIMER_J): (TERMINATED, (DESTROY,)),
}

INITIAL = {id(CLIENT_INVITE): CALLING, id(CLIENT_NON_INVITE): TRYING, id(SERVER_INVITE): PROCEEDING,
           id(SERVER_NON_INVITE): TRYING}


def initial(table: dict) -> str:
    return INITIAL[id(table)]


def reply_event(code: int, server: bool = False) -> str:
    """The event a status code is, on the client side (received) or server side (TU sends it)."""
    if code < 200:
        return TU_1XX if server else R1XX
    if code < 300:
        return TU_2XX if server else R2XX
    return TU_3456 if server else R3456


def step(table: dict, state: str, event: str) -> tuple[str, tuple[str, ...]]:
    """(next state, actions); an event the table does not list leaves the state, with no action."""
    return table.get((state, event), (state, ()))
