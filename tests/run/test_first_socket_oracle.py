"""The first listen socket and advertised addresses, live against real Kamailio 5.6.3.

Both servers are started the same way (listen= in the config plus `-l` on the command line) in a
fresh network namespace; requests arrive on the SECOND listen= socket, so the results show which
socket each one takes:
- sl's and tm's To-tag hash the first socket (listen= ones come before -l ones in 5.6.3),
- $RAi/$RAp give the receiving socket's advertised address/port,
- a request received on TCP and forwarded over UDP leaves from the "main" UDP socket (all loopback:
  the last one listed).
"""
from __future__ import annotations

import os
import socket
import sys
import tempfile

import pytest

from oracle.kamailio import kamailio_available, start_kamailio
from support.netns import Netns, read_text, spawn, stop, wait_bound, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = ("127.0.0.2", 5070)
SECOND = ("127.0.0.3", 5060)      # the second listen= socket, advertised as 192.0.2.9:5099
LISTENS = ["udp:127.0.0.4:5060", "tcp:127.0.0.1:5060"]

CFG = """#!KAMAILIO
debug=1
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:5060
listen=udp:127.0.0.3:5060 advertise 192.0.2.9:5099
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
loadmodule "tm.so"
request_route {
    xnotice("RA|$rU|$RAi|$RAp|$RAu|$RAut|$Ri|$Rp\\n");
    if ($rU == "tm") { t_newtran(); t_reply("404", "Not Here"); exit; }
    if ($rU == "fwd") { forward_udp("127.0.0.2", 5070); exit; }
    sl_send_reply("404", "Not Here");
}
"""


def _request(user: str, transport: str, local: tuple[str, int]) -> bytes:
    return (f"OPTIONS sip:{user}@127.0.0.3 SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} {local[0]}:{local[1]};branch=z9hG4bK-fs-{user};rport\r\n"
            f"From: <sip:tester@127.0.0.2>;tag=f1\r\nTo: <sip:{user}@127.0.0.3>\r\n"
            f"Call-ID: first-socket-{user}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
            f"Content-Length: 0\r\n\r\n").encode("latin-1")


def _exchange(ns: Netns) -> dict:
    """Send the requests inside ns; {user: (reply or forwarded datagram, its source address)}."""
    out = {}
    sock = ns.udp_socket(SOURCE)
    sock.settimeout(5)
    try:
        for user in ("sl", "tm", "adv"):
            sock.sendto(_request(user, "UDP", SOURCE), SECOND)
            data, addr = sock.recvfrom(65535)
            out[user] = (data.decode("latin-1"), addr)

        def tcp_send():
            c = socket.create_connection(("127.0.0.1", 5060), timeout=5)
            c.sendall(_request("fwd", "TCP", c.getsockname()))
            return c
        conn = ns.call(tcp_send)
        try:
            data, addr = sock.recvfrom(65535)
            out["fwd"] = (data.decode("latin-1"), addr)
        finally:
            conn.close()
    finally:
        sock.close()
    return out


def _header(msg: str, name: str) -> str:
    for line in msg.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} in {msg!r}")


def _summary(got: dict, log: str) -> dict:
    return {
        "sl_to": _header(got["sl"][0], "To"), "tm_to": _header(got["tm"][0], "To"),
        # the branch hashes the client's ephemeral TCP port: only the sent-by part is compared
        "fwd_from": got["fwd"][1], "fwd_via": _header(got["fwd"][0], "Via").split(";branch=")[0],
        "ra": sorted(ln[ln.index("RA|"):] for ln in log.splitlines() if "RA|" in ln),
    }


def _run_kamailio() -> dict:
    with tempfile.TemporaryDirectory(prefix="fs-kam-") as tmp, Netns() as ns:
        proc, log_path = start_kamailio(ns, tmp, CFG, LISTENS, ("udp", "127.0.0.4", 5060))
        try:
            got = _exchange(ns)
            wait_for(lambda: read_text(log_path).count("RA|") >= 4, 5.0)
        finally:
            stop(proc, 5.0)
        return _summary(got, read_text(log_path))


def _run_cfgvm() -> dict:
    with tempfile.TemporaryDirectory(prefix="fs-cfgvm-") as tmp, Netns() as ns:
        cfg = os.path.join(tmp, "fs.cfg")
        with open(cfg, "w", encoding="latin-1") as f:
            f.write(CFG)
        argv = [sys.executable, "-m", "cfgvm", "run", "-DD", "-E", "-n", "1", "-f", cfg]
        for spec in LISTENS:
            argv += ["-l", spec]
        log_path = os.path.join(tmp, "cfgvm.log")
        proc = spawn(ns.name, argv, log_path, cwd=ROOT)
        try:
            problems = wait_bound(proc, [("udp", "127.0.0.4", 5060), ("tcp", "127.0.0.1", 5060)], 30.0)
            assert not problems, f"{problems}\n{read_text(log_path)}"
            got = _exchange(ns)
            wait_for(lambda: read_text(log_path).count("RA|") >= 4, 5.0)
        finally:
            stop(proc, 5.0)
        return _summary(got, read_text(log_path))


@pytest.fixture(scope="module")
def kamailio():
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    return _run_kamailio()


@pytest.fixture(scope="module")
def cfgvm():
    return _run_cfgvm()


def test_sl_totag_from_the_first_listen_socket(kamailio, cfgvm):
    assert cfgvm["sl_to"] == kamailio["sl_to"]


def test_tm_totag_from_the_first_listen_socket(kamailio, cfgvm):
    assert cfgvm["tm_to"] == kamailio["tm_to"]


def test_rcv_advertised_address_and_port(kamailio, cfgvm):
    assert cfgvm["ra"] == kamailio["ra"]


def test_forward_from_the_main_udp_socket(kamailio, cfgvm):
    assert (cfgvm["fwd_from"], cfgvm["fwd_via"]) == (kamailio["fwd_from"], kamailio["fwd_via"])
