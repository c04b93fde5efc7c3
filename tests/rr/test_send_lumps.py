"""Send-time lumps (data_lump.h LUMP_ADD_OPT / LUMP_ADD_SUBST) as msg_translator.c resolves them:
a false condition skips the rest of its chain; substitutions write the receiving or the sending
socket, IPv6 in brackets, the port unless 5060, ;transport= unless UDP, the socket's advertised
address first. Expected strings follow those rules (the rr cases check them on the wire against
Kamailio 5.6.3 in test_kamailio_cases.py)."""
from collections import namedtuple

import pytest

from cfgvm.sip import Message
from cfgvm.sip.lumps import (COND_FALSE, COND_IF_DIFF_AF, COND_IF_DIFF_IP, COND_IF_DIFF_PORT,
                             COND_IF_DIFF_PROTO, COND_IF_DIFF_REALMS, COND_TRUE, SUBST_RCV_ALL,
                             SUBST_RCV_IP, SUBST_RCV_PORT, SUBST_RCV_PROTO, SUBST_SND_ALL, SUBST_SND_IP,
                             SUBST_SND_PORT, SUBST_SND_PROTO, Cond, Subst)
from cfgvm.vm.context import ReceiveInfo

Sock = namedtuple("Sock", "proto ip port adv_host adv_port", defaults=(None, None))
RAW = (b"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK1\r\n"
       b"From: <sip:b@x>;tag=1\r\nTo: <sip:a@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n")
U4 = Sock("udp", "127.0.0.1", 5060)
T4 = Sock("tcp", "127.0.0.1", 5060)
U4B = Sock("udp", "127.0.0.1", 5062)
U6 = Sock("udp", "::1", 5060)


def built(chain, send, recv, **kw):
    m = Message.parse(RAW)
    m.lumps.anchor(m.hdr_start).after_list[0:0] = chain
    out = m.to_bytes(send, recv, **kw).decode("latin-1")
    return out.split("\r\n", 1)[1].split("Via:", 1)[0]


@pytest.mark.parametrize("cond,send,expected", [
    (COND_TRUE, U4, True), (COND_FALSE, T4, False),
    (COND_IF_DIFF_REALMS, U4, False), (COND_IF_DIFF_REALMS, T4, True), (COND_IF_DIFF_REALMS, U4B, True),
    (COND_IF_DIFF_REALMS, U6, True), (COND_IF_DIFF_AF, T4, False), (COND_IF_DIFF_AF, U6, True),
    (COND_IF_DIFF_PROTO, U4B, False), (COND_IF_DIFF_PROTO, T4, True), (COND_IF_DIFF_PORT, U4B, True),
    (COND_IF_DIFF_PORT, T4, False), (COND_IF_DIFF_IP, U6, True), (COND_IF_DIFF_IP, U4B, False),
])
def test_condition_against_the_receiving_socket(cond, send, expected):
    assert built(["a", Cond(cond), "b", "c"], send, U4) == ("abc" if expected else "a")


def test_false_condition_skips_only_its_own_chain():
    m = Message.parse(RAW)
    a = m.lumps.anchor(m.hdr_start)
    a.after_list[0:0] = ["X", Cond(COND_IF_DIFF_PROTO), "Y"]
    a.before_list[0:0] = ["B"]
    assert m.to_bytes(U4, U4).startswith(b"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nBXVia:")


@pytest.mark.parametrize("what,send,recv,text", [
    (SUBST_RCV_ALL, U4, U4, "127.0.0.1"),
    (SUBST_RCV_ALL, U4, U4B, "127.0.0.1:5062"),
    (SUBST_RCV_ALL, U4, Sock("tcp", "::1", 5070), "[::1]:5070;transport=tcp"),
    (SUBST_SND_ALL, Sock("tcp", "10.0.0.1", 5060), U4, "10.0.0.1;transport=tcp"),
    (SUBST_SND_ALL, Sock("sctp", "::1", 5061), U4, "[::1]:5061;transport=sctp"),
    (SUBST_SND_ALL, Sock("udp", "10.0.0.1", 5060, "203.0.113.9", 5099), U4, "203.0.113.9:5099"),
    (SUBST_SND_ALL, Sock("udp", "10.0.0.1", 5070, "sip.example.com"), U4, "sip.example.com"),
    (SUBST_RCV_ALL, U4, Sock("udp", "10.0.0.1", 5070, "sip.example.com", 5080), "sip.example.com:5080"),
    (SUBST_RCV_IP, U4, U6, "[::1]"), (SUBST_RCV_PORT, U4, U4B, "5062"), (SUBST_RCV_PROTO, U4, T4, "tcp"),
    (SUBST_SND_IP, U6, U4, "[::1]"), (SUBST_SND_PORT, U4B, U4, "5062"), (SUBST_SND_PROTO, T4, U4, "tcp"),
])
def test_substitution(what, send, recv, text):
    assert built([Subst(what)], send, recv) == text


def test_receive_info_stands_for_the_receiving_socket():
    rcv = ReceiveInfo("tcp", "127.0.0.2", 5070, "127.0.0.1", 5062)
    assert built([Subst(SUBST_RCV_ALL)], U4, rcv) == "127.0.0.1:5062;transport=tcp"


def test_set_advertised_address_and_port_apply_to_the_send_side_only():
    assert built([Subst(SUBST_SND_ALL), "|", Subst(SUBST_RCV_ALL)], U4, U4B,
                 global_address="198.51.100.7", global_port=5090) == "198.51.100.7:5090|127.0.0.1:5062"


def test_missing_sockets_are_refused_not_written_empty():
    with pytest.raises(ValueError, match="receiving socket"):
        built([Subst(SUBST_RCV_ALL)], U4, None)
    with pytest.raises(ValueError, match="sending socket"):
        built([Subst(SUBST_SND_ALL)], None, U4)
    # a condition without a send socket is presumed true (lump_check_opt)
    assert built(["a", Cond(COND_IF_DIFF_REALMS), "b"], None, U4) == "ab"
