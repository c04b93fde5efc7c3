"""Where real Kamailio 5.6.3 forward()s a request whose R-URI host is a name, with a DNS server on
127.0.0.1:53 and a hosts file, inside a network namespace with only loopback (its resolv.conf and
hosts come from /etc/netns/<ns>/, as `ip netns exec` bind-mounts them).

    python oracle_dns.py                 # creates the netns, runs itself inside, prints JSON
Prints {"cache_on": {ruri: [proto, ip, port] | null}, "cache_off": {...}}."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from support.netns import Netns, stop  # noqa: E402
ZONE = """
_sip._udp.pbx     60 IN SRV 10 0 5070 b.pbx
_sip._udp.pbx     60 IN SRV  5 0 5072 a.pbx
_sip._udp.pbx     60 IN SRV  5 9 5074 c.pbx
a.pbx             60 IN A    127.0.0.5
b.pbx             60 IN A    127.0.0.6
c.pbx             60 IN A    127.0.0.8
gw                60 IN A    127.0.0.7
_sip._tcp.tcponly 60 IN SRV  0 0 5090 t.tcponly
t.tcponly         60 IN A    127.0.0.20
tcponly           60 IN A    127.0.0.21
alias             60 IN CNAME gw
"""
HOSTS = "127.0.0.1 localhost\n127.0.0.77 pbx.local\n"
RURIS = ["sip:b@pbx.test", "sip:b@gw.test:5080", "sip:b@tcponly.test", "sip:b@alias.test",
         "sip:b@pbx.local", "sip:b@nope.test"]
LISTEN = [("127.0.0.5", 5072), ("127.0.0.6", 5070), ("127.0.0.8", 5074), ("127.0.0.7", 5080),
          ("127.0.0.21", 5060), ("127.0.0.20", 5090), ("127.0.0.7", 5060), ("127.0.0.77", 5060)]


def invite(ruri, n):
    return (f"OPTIONS {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5999;branch=z9hG4bK-o{n}\r\n"
            f"From: <sip:a@127.0.0.2>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: o{n}@t\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def inner():
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    from tests.dns.dns_server import DnsServer
    server = DnsServer(ZONE, port=53)
    out = {}
    with server:
        socks = {}
        for ip, port in LISTEN:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((ip, port))
            s.settimeout(0.05)
            socks[(ip, port)] = s
        uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        uac.bind(("127.0.0.2", 5999))
        for mode, extra in (("cache_on", ""), ("cache_off", "use_dns_cache=off\n")):
            d = tempfile.mkdtemp()
            cfg = os.path.join(d, "k.cfg")
            with open(cfg, "w") as f:
                f.write("#!KAMAILIO\nlisten=udp:127.0.0.1:5060\nchildren=1\n" + extra +
                        "request_route {\n forward();\n drop;\n}\n")
            log = open(os.path.join(d, "log"), "w")
            k = subprocess.Popen(["kamailio", "-f", cfg, "-DD", "-E", "-Y", d, "-P", os.path.join(d, "pid")],
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                time.sleep(1.0)
                res = {}
                for n, ruri in enumerate(RURIS):
                    uac.sendto(invite(ruri, n), ("127.0.0.1", 5060))
                    res[ruri] = None
                    deadline = time.time() + 1.0
                    while time.time() < deadline and res[ruri] is None:
                        for addr, s in socks.items():
                            try:
                                s.recvfrom(65535)
                                res[ruri] = ["udp", addr[0], addr[1]]
                            except socket.timeout:
                                pass
                out[mode] = res
            finally:
                stop(k, 5.0)
                shutil.rmtree(d, ignore_errors=True)
    print(json.dumps(out))


def main():
    with Netns("cfgvmdns") as ns:
        # `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc for what runs inside
        etc = f"/etc/netns/{ns.name}"
        os.makedirs(etc)
        try:
            with open(f"{etc}/resolv.conf", "w") as f:
                f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
            with open(f"{etc}/hosts", "w") as f:
                f.write(HOSTS)
            r = subprocess.run(["ip", "netns", "exec", ns.name, sys.executable, os.path.abspath(__file__),
                                "--inner"], capture_output=True, text=True, timeout=60)
            sys.stdout.write(r.stdout)
            sys.stderr.write(r.stderr)
            return r.returncode
        finally:
            shutil.rmtree(etc, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(inner() if "--inner" in sys.argv else main())
