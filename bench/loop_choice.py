"""Which event loop for `cfgvm run`? A bare UDP relay (no parsing) in three shapes, CPU per message.

    .venv/bin/python bench/loop_choice.py [--rounds 20000]

client -> relay -> echo -> relay -> client, ping-pong on 127.0.0.1; the relay handles 2 datagrams
per round. Printed: relay CPU (utime+stime from /proc/PID/stat) per message, for
  blocking   one blocking socket, recvfrom/sendto loop (the floor: cannot serve TCP at the same time)
  selectors  non-blocking socket in a selectors (epoll) loop, recvfrom until EAGAIN (cfgvm's choice)
  asyncio    asyncio DatagramProtocol (datagram_received -> transport.sendto)
Bounded: --rounds round trips, each waited for at most 2 s.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

CLK = os.sysconf("SC_CLK_TCK")


def relay(mode: str, port: int, echo_port: int) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    echo = ("127.0.0.1", echo_port)
    client = None
    if mode == "blocking":
        while True:
            data, addr = s.recvfrom(65535)
            if addr == echo:
                s.sendto(data, client)
            else:
                client = addr
                s.sendto(data, echo)
    elif mode == "selectors":
        import selectors
        s.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(s, selectors.EVENT_READ)
        while True:
            for _key, _ in sel.select(1.0):
                while True:
                    try:
                        data, addr = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if addr == echo:
                        s.sendto(data, client)
                    else:
                        client = addr
                        s.sendto(data, echo)
    else:
        import asyncio

        class Relay(asyncio.DatagramProtocol):
            client = None

            def connection_made(self, transport):
                self.t = transport

            def datagram_received(self, data, addr):
                if addr == echo:
                    self.t.sendto(data, self.client)
                else:
                    self.client = addr
                    self.t.sendto(data, echo)

        async def main():
            loop = asyncio.get_running_loop()
            await loop.create_datagram_endpoint(Relay, sock=s)
            await asyncio.Future()
        asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def measure(mode: str, rounds: int) -> tuple[float, float]:
    """(µs CPU per relayed message, messages/s)."""
    def free():
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.bind(("127.0.0.1", 0))
        return t
    echo_s, cli = free(), free()
    probe = free()
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen([sys.executable, __file__, "--relay", mode, str(port), str(echo_s.getsockname()[1])])
    try:
        time.sleep(0.5)
        echo_s.settimeout(2)
        cli.settimeout(2)
        payload = b"OPTIONS sip:x SIP/2.0\r\n" + b"X" * 400
        for _ in range(200):                           # warm-up
            cli.sendto(payload, ("127.0.0.1", port))
            d, a = echo_s.recvfrom(65535)
            echo_s.sendto(d, a)
            cli.recvfrom(65535)
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        for _ in range(rounds):
            cli.sendto(payload, ("127.0.0.1", port))
            d, a = echo_s.recvfrom(65535)
            echo_s.sendto(d, a)
            cli.recvfrom(65535)
        c1, t1 = cpu_seconds(proc.pid), time.monotonic()
    finally:
        proc.kill()
        proc.wait()
    msgs = 2 * rounds
    return (c1 - c0) / msgs * 1e6, msgs / (t1 - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20000)
    ap.add_argument("--relay", nargs=3, metavar=("MODE", "PORT", "ECHO_PORT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.relay:
        relay(a.relay[0], int(a.relay[1]), int(a.relay[2]))
        return 0
    print(f"bare UDP relay, {a.rounds} round trips ({2 * a.rounds} relayed messages) per mode")
    rows = {}
    for mode in ("blocking", "selectors", "asyncio"):
        us, rate = measure(mode, a.rounds)
        rows[mode] = us
        print(f"  {mode:10s} {us:6.1f} µs CPU/message   {rate:8.0f} messages/s (ping-pong)")
    print(f"  asyncio / selectors = {rows['asyncio'] / rows['selectors']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
