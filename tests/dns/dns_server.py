"""A tiny authoritative DNS server on 127.0.0.1 (random UDP port) for the tests, built on dnspython's
zone and message classes: answers from a zone text, follows CNAMEs inside the zone, puts the
addresses of SRV targets in the additional section when asked to, NXDOMAIN for unknown names, and
logs every question so tests can see what the cache saved."""
from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone

SOA = "@ 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 60\n"


class DnsServer:
    def __init__(self, zone_text: str, origin: str = "test.", srv_additional: bool = False, port: int = 0):
        self.zone = dns.zone.from_text(SOA + zone_text, origin=origin, relativize=False, check_origin=False)
        self.srv_additional = srv_additional
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    @property
    def address(self):
        return [("127.0.0.1", self.port)]

    def asked(self, name: str, rdtype: str) -> int:
        return self.queries.count((name.lower().rstrip("."), rdtype))

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            q = dns.message.from_wire(data)
            self.sock.sendto(self.answer(q).to_wire(), peer)

    def answer(self, q):
        r = dns.message.make_response(q)
        r.flags |= 0x0400                            # AA
        question = q.question[0]
        self.queries.append((question.name.to_text(omit_final_dot=True).lower(),
                             dns.rdatatype.to_text(question.rdtype)))
        name = question.name
        for _ in range(8):                           # CNAME chain inside the zone
            node = self.zone.get_node(name)
            if node is None:
                if name == question.name:
                    r.set_rcode(dns.rcode.NXDOMAIN)
                return r
            rds = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
            if rds is not None:
                r.answer.append(_rrset(name, rds))
                if question.rdtype == dns.rdatatype.SRV and self.srv_additional:
                    for srv in rds:
                        tnode = self.zone.get_node(srv.target)
                        for t in (dns.rdatatype.A, dns.rdatatype.AAAA):
                            trd = tnode and tnode.get_rdataset(dns.rdataclass.IN, t)
                            if trd:
                                r.additional.append(_rrset(srv.target, trd))
                return r
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                return r                             # no data
            r.answer.append(_rrset(name, cname))
            name = cname[0].target
        return r


def _rrset(name, rds):
    import dns.rrset
    rr = dns.rrset.RRset(name, rds.rdclass, rds.rdtype)
    rr.update(rds)
    rr.ttl = rds.ttl
    return rr
