"""The seed's topology in network namespaces built with pyroute2: UAC - P1 - P2 - UAS.

Four namespaces linked by veth pairs, one subnet per link, no default route and no link to the
host, so nothing can leave them (private addresses exist only inside namespaces we create):

    uac 10.0.1.2 ---- 10.0.1.1 P1 10.0.2.1 ---- 10.0.2.2 P2 10.0.3.1 ---- 10.0.3.2 uas
                                   (BRIDGE: fd00:2::1 - fd00:2::2 ... fd00:3::1 - fd00:3::2)

In BRIDGE, P1 takes IPv4 from the UAC and relays over IPv6 towards P2 and the UAS. Both proxies
run tests/net/cfgs/hop.cfg (record_route + t_relay to -A NEXT_HOP) from a Proxy template, so the
same run works with real Kamailio now and `cfgvm run` later. Everything is torn down in finally.

    with Topology(PLAIN) as topo:
        result = run_call(topo, KAMAILIO)
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time

from pyroute2 import NetNS, IPRoute, netns

from net.harness import (CFGS, SCENARIOS, KAMAILIO, Proxy, Transcript, _await_agents, normalise, ns_run,
                         parse_message_log)
from support.netns import read_text, socket_bound, stop, wait_for

IFA_F_NODAD = 0x02        # IPv6 address usable at once (no duplicate address detection wait)


@dataclasses.dataclass(frozen=True)
class Link:
    a: str
    b: str
    addr_a: str
    addr_b: str

    @property
    def prefixlen(self) -> int:
        return 64 if ":" in self.addr_a else 24


NODES = ("uac", "p1", "p2", "uas")
PLAIN = (Link("uac", "p1", "10.0.1.2", "10.0.1.1"), Link("p1", "p2", "10.0.2.1", "10.0.2.2"),
         Link("p2", "uas", "10.0.3.1", "10.0.3.2"))
BRIDGE = (Link("uac", "p1", "10.0.1.2", "10.0.1.1"), Link("p1", "p2", "fd00:2::1", "fd00:2::2"),
          Link("p2", "uas", "fd00:3::1", "fd00:3::2"))
SIP_PORT = {"p1": 5060, "p2": 5060, "uac": 5070, "uas": 5080}


def uri_host(addr: str) -> str:
    return f"[{addr}]" if ":" in addr else addr


class Topology:
    """Namespaces and veth links; `addrs[node]` lists a node's addresses in link order."""
    _count = 0

    def __init__(self, links: tuple[Link, ...]):
        Topology._count += 1
        self.tag = f"{os.getpid() % 100000}x{Topology._count}"
        self.links = links
        self.ns = {n: f"cfgvmtopo{n}{self.tag}" for n in NODES}
        self.addrs: dict[str, list[str]] = {n: [] for n in NODES}
        for link in links:
            self.addrs[link.a].append(link.addr_a)
            self.addrs[link.b].append(link.addr_b)

    def __enter__(self):
        try:
            self._build()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc):
        self.teardown()

    def _build(self):
        for node in NODES:
            netns.create(self.ns[node])
            with NetNS(self.ns[node]) as ns:
                ns.link("set", index=ns.link_lookup(ifname="lo")[0], state="up")
        with IPRoute() as ipr:
            for i, link in enumerate(self.links):
                ea, eb = f"ct{self.tag}{i}a"[:15], f"ct{self.tag}{i}b"[:15]
                ipr.link("add", ifname=ea, kind="veth", peer={"ifname": eb, "net_ns_fd": self.ns[link.b]})
                ipr.link("set", index=ipr.link_lookup(ifname=ea)[0], net_ns_fd=self.ns[link.a])
                for node, ifname, addr in ((link.a, ea, link.addr_a), (link.b, eb, link.addr_b)):
                    with NetNS(self.ns[node]) as ns:
                        idx = ns.link_lookup(ifname=ifname)[0]
                        ns.addr("add", index=idx, address=addr, prefixlen=link.prefixlen,
                                **({"flags": IFA_F_NODAD} if ":" in addr else {}))
                        ns.link("set", index=idx, state="up")

    def teardown(self):
        for node in NODES:
            try:
                netns.remove(self.ns[node])
            except OSError:
                pass

    def exists(self) -> bool:
        return any(os.path.exists(f"/var/run/netns/{n}") for n in self.ns.values())


@dataclasses.dataclass
class CallResult:
    transcript: Transcript
    problems: list[str]
    logs: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        logs = "\n".join(f"--- {k}:\n" + "\n".join(v.splitlines()[-25:]) for k, v in self.logs.items())
        return "; ".join(self.problems) + "\n" + logs + "\n--- transcript:\n" + self.transcript.render()


def _sipp(topo: Topology, role: str, scenario: str, log: str, remote: str | None) -> list[str]:
    ip = topo.addrs[role][0]
    argv = ["sipp", "-sf", os.path.join(SCENARIOS, scenario), "-i", ip, "-p", str(SIP_PORT[role]),
            "-bind_local", "-t", "u1", "-m", "1", "-nostdin", "-timeout", "10s", "-timeout_error",
            "-trace_msg", "-message_file", log, "-trace_err", "-error_file", log + ".err"]
    return argv + (["-s", "uas", remote] if remote else [])


def run_call(topo: Topology, proxy: Proxy = KAMAILIO, wall: float = 25.0) -> CallResult:
    """INVITE-ACK-BYE from the UAC through P1 and P2 to the UAS (scenarios uac_2hop / uas_2hop)."""
    t0 = time.monotonic()
    problems: list[str] = []
    procs = []
    logs: dict[str, str] = {}
    received = []
    next_hop = {"p1": f"sip:{uri_host(topo.addrs['p2'][0])}:{SIP_PORT['p2']}",
                "p2": f"sip:{uri_host(topo.addrs['uas'][0])}:{SIP_PORT['uas']}"}
    with tempfile.TemporaryDirectory(prefix="net-topo-") as tmp:
        try:
            for node in ("p1", "p2"):
                rundir = os.path.join(tmp, f"run-{node}")
                os.mkdir(rundir)
                fill = {"cfg": os.path.join(CFGS, "hop.cfg"), "workdir": tmp, "rundir": rundir}
                argv = [a.format(**fill) for a in proxy.argv]
                for addr in topo.addrs[node]:
                    argv += ["-l", f"udp:{uri_host(addr)}:{SIP_PORT[node]}"]
                argv += ["-A", f'NEXT_HOP="{next_hop[node]}"']
                p = ns_run(topo.ns[node], argv, os.path.join(tmp, f"{node}.log"), tmp)
                procs.append((node, p))
                if not wait_for(lambda: p.poll() is not None or socket_bound(p.pid, SIP_PORT[node], names=proxy.process_names), 15):
                    problems.append(f"{node} did not bind within 15 s")
                if p.poll() is not None:
                    problems.append(f"{node} exited during start-up ({p.returncode})")
            sipps = []
            if not problems:
                for role, scenario, remote in (("uas", "uas_2hop.xml", None),
                                               ("uac", "uac_2hop.xml", f"{uri_host(topo.addrs['p1'][0])}:5060")):
                    log = os.path.join(tmp, f"{role}.msg")
                    p = ns_run(topo.ns[role], _sipp(topo, role, scenario, log, remote), os.path.join(tmp, f"{role}.out"), tmp)
                    procs.append((role, p))
                    sipps.append((dataclasses.make_dataclass("A", ["role"])(role), p, log))
                    if role == "uas" and not wait_for(lambda: p.poll() is not None or socket_bound(p.pid, SIP_PORT["uas"], names=("sipp",)), 10):
                        problems.append("uas sipp did not bind within 10 s")
                _await_agents(list(reversed(sipps)), t0 + wall)
                for agent, p, log in reversed(sipps):
                    if p.returncode != 0:
                        problems.append(f"{agent.role} sipp exited {p.returncode}")
                    received.append((agent.role, parse_message_log(read_text(log))))
                    logs[f"{agent.role} sipp"] = read_text(os.path.join(tmp, f"{agent.role}.out"))[-1500:] + read_text(log + ".err")
        finally:
            for _node, p in reversed(procs):
                stop(p, group=True)
            for node in ("p1", "p2"):
                logs[node] = read_text(os.path.join(tmp, f"{node}.log"))
    return CallResult(normalise(received), problems, logs)


def record_routes(msg) -> list[str]:
    """The Record-Route entries of a message, one per URI (sipp may join several in one header)."""
    out = []
    for name, value in msg.headers:
        if name.lower() == "record-route":
            out += [v.strip() for v in value.split(",")]
    return out


def via_count(msg) -> int:
    return sum(1 for n, _ in msg.headers if n.lower() in ("via", "v"))

