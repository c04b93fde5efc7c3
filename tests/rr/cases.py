"""rr cases shared by the cfgvm tests and the Kamailio recorder (regen_expected.py).

One config per modparam group; every request says what the script does with it (X-Op: rr, rrp,
arp, arp2, preset, preset2, adv, rm, lr, pv) and where it goes (X-Dst, else $du from loose_route,
else the R-URI). The script writes its rr results into an X-Result header, so the forwarded bytes
carry them. Expected bytes: real Kamailio 5.6.3 (expected.json, written by regen_expected.py).
"""
from __future__ import annotations

CFG = """#!KAMAILIO
debug=1
log_stderror=yes
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "rr.so"
{modparams}
request_route {{
    if ($hdr(X-Op) =~ "(^|,)lr(,|$)") {{
        loose_route();
        $var(rc) = $rc;
        $var(dir) = "down";
        {direction}
        $var(p) = "no";
        if (check_route_param("foo=bar")) {{ $var(p) = "yes"; }}
        $var(nh) = "no";
        if (rr_next_hop_route()) {{ $var(nh) = "yes"; }}
        append_hf("X-Result: rc=$var(rc) du=$du ru=$ru dir=$var(dir) param=$var(p) nexthop=$var(nh)\\r\\n");
    }}
    if ($hdr(X-Op) =~ "(^|,)pv(,|$)") {{
        append_hf("X-PV: route_uri=$route_uri fti=$fti tti=$tti rdir=$rdir(name)/$rdir(id)\\r\\n");
    }}
    if ($hdr(X-Op) =~ "(^|,)arp(,|$)") {{ add_rr_param(";a=1"); }}
    if ($hdr(X-Op) =~ "(^|,)rr(,|$)") {{ record_route(); }}
    if ($hdr(X-Op) =~ "(^|,)rrp(,|$)") {{ record_route(";foo=bar;u=$rU"); }}
    if ($hdr(X-Op) =~ "(^|,)preset(,|$)") {{ record_route_preset("127.0.0.1:5060;p=$rU"); }}
    if ($hdr(X-Op) =~ "(^|,)preset2(,|$)") {{
        record_route_preset("127.0.0.1;transport=tcp;r2=on", "127.0.0.1;r2=on");
    }}
    if ($hdr(X-Op) =~ "(^|,)adv(,|$)") {{ record_route_advertised_address("10.1.2.3:5099"); }}
    if ($hdr(X-Op) =~ "(^|,)twice(,|$)") {{
        if (!record_route()) {{ append_hf("X-Twice: refused\\r\\n"); }}
    }}
    if ($hdr(X-Op) =~ "(^|,)arp2(,|$)") {{ add_rr_param(";b=2"); }}
    if ($hdr(X-Op) =~ "(^|,)rm(,|$)") {{ remove_record_route(); }}
    if ($du == $null && $hdr(X-Dst) != $null) {{ $du = $hdr(X-Dst); }}
    forward();
}}
"""

GROUPS = {
    "default": "",
    "nodouble": 'modparam("rr", "enable_double_rr", 0)',
    "double2": 'modparam("rr", "enable_double_rr", 2)',
    "options": '\n'.join(['modparam("rr", "append_fromtag", 0)', 'modparam("rr", "enable_full_lr", 1)',
                          'modparam("rr", "add_username", 1)']),
}

UDP4 = "sip:127.0.0.3:5080"
TCP4 = "sip:127.0.0.3:5080;transport=tcp"
UDP6 = "sip:[::1]:5080"


def request(method="INVITE", ruri="sip:bob@127.0.0.1", *, op="rr", dst=None, to_tag=None,
            from_tag="ft1", routes=(), via="SIP/2.0/UDP 127.0.0.2:5070", cid="c1"):
    lines = [f"{method} {ruri} SIP/2.0", f"Via: {via};branch=z9hG4bK-{cid};rport"]
    lines += [f"Route: {r}" for r in routes]
    lines += [f"From: <sip:alice@127.0.0.2>;tag={from_tag}",
              "To: <sip:bob@127.0.0.1>" + (f";tag={to_tag}" if to_tag else ""),
              f"Call-ID: {cid}", f"CSeq: 1 {method}", "Max-Forwards: 70", f"X-Op: {op}"]
    if dst:
        lines.append(f"X-Dst: {dst}")
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode("latin-1")


V6 = "SIP/2.0/UDP [::1]:5070"
TCPV = "SIP/2.0/TCP 127.0.0.2:5070"
R2 = "<sip:127.0.0.1;r2=on;lr;ftag=ft1>, <sip:127.0.0.1;transport=tcp;r2=on;lr;ftag=ft1>"

# (group, name, source, request)
CASES = [
    # record_route: single when in and out sockets are the same, double (;r2=on) when they differ
    ("default", "rr_udp_udp", "udp", request(dst=UDP4, cid="rr1")),
    ("default", "rr_udp_tcp", "udp", request(dst=TCP4, cid="rr2")),
    ("default", "rr_udp4_udp6", "udp", request(dst=UDP6, cid="rr3")),
    ("default", "rr_tcp_udp", "tcp", request(dst=UDP4, via=TCPV, cid="rr4")),
    ("default", "rr_udp6_udp4", "udp6", request(ruri="sip:bob@[::1]", dst=UDP4, via=V6, cid="rr5")),
    ("default", "rr_params_udp_tcp", "udp", request(op="arp,rrp,arp2", dst=TCP4, cid="rr6")),
    ("default", "rr_params_same", "udp", request(op="arp,rrp,arp2", dst=UDP4, cid="rr7")),
    ("default", "rr_sips", "udp", request(ruri="sips:bob@127.0.0.1", dst=UDP4, cid="rr8")),
    ("default", "rr_twice", "udp", request(op="rr,twice", dst=UDP4, cid="rr9")),
    ("default", "rr_removed", "udp", request(op="rr,rm", dst=TCP4, cid="rr10")),
    ("default", "preset", "udp", request(op="preset", dst=TCP4, cid="ps1")),
    ("default", "preset2", "udp", request(op="preset2", dst=TCP4, cid="ps2")),
    ("default", "adv_same_proto", "udp", request(op="adv", dst=UDP6, cid="ad1")),
    ("default", "adv_udp_tcp", "udp", request(op="adv", dst=TCP4, cid="ad2")),
    ("nodouble", "nodouble_udp_tcp", "udp", request(dst=TCP4, cid="nd1")),
    ("nodouble", "nodouble_params", "udp", request(op="arp,rr,arp2", dst=TCP4, cid="nd2")),
    ("double2", "double2_same", "udp", request(op="rr", dst=UDP4, cid="d21")),
    ("double2", "double2_adv", "udp", request(op="adv", dst=UDP4, cid="d22")),
    ("options", "options_rr", "udp", request(op="rr", dst=TCP4, cid="op1")),
    ("options", "options_preset", "udp", request(op="preset", dst=UDP4, cid="op2")),
    # loose_route: our Route removed, $du = next hop
    ("default", "lr_loose", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="lr1",
                                          routes=["<sip:127.0.0.1;lr;ftag=ft1;foo=bar>, <sip:127.0.0.3:5080;lr>"])),
    ("default", "lr_loose_headers", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="lr2",
                                                  routes=["<sip:127.0.0.1;lr;ftag=ft1>", "<sip:127.0.0.3:5080;lr>",
                                                          "<sip:10.0.0.8;lr>"])),
    ("default", "lr_upstream", "udp", request("BYE", "sip:alice@10.0.0.9", op="lr,rr", to_tag="ft1", from_tag="tt1",
                                             cid="lr3", routes=["<sip:127.0.0.1;lr;ftag=ft1>, <sip:127.0.0.3:5080;lr>"])),
    ("default", "lr_double", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="lr4",
                                           routes=[R2 + ", <sip:127.0.0.3:5080;transport=tcp;lr>"])),
    ("default", "lr_double_headers", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="lr5",
                                                   routes=["<sip:127.0.0.1;r2=on;lr;ftag=ft1>",
                                                           "<sip:127.0.0.1;transport=tcp;r2=on;lr;ftag=ft1>",
                                                           "<sip:127.0.0.3:5080;transport=tcp;lr>"])),
    ("default", "lr_double_last", "udp", request("BYE", "sip:bob@127.0.0.3:5080;transport=tcp", op="lr",
                                                to_tag="tt1", cid="lr6", routes=[R2])),
    ("default", "lr_not_me", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="lr7",
                                           routes=["<sip:127.0.0.3:5080;lr>, <sip:10.0.0.8;lr>"])),
    ("default", "lr_none", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", dst=UDP4, cid="lr8")),
    ("default", "lr_preloaded_me", "udp", request("INVITE", "sip:bob@10.0.0.9", op="lr", dst=UDP4, cid="lr9",
                                                 routes=["<sip:127.0.0.1;lr>"])),
    ("default", "lr_preloaded_next", "udp", request("INVITE", "sip:bob@10.0.0.9", op="lr", cid="lr10",
                                                   routes=["<sip:127.0.0.1;lr>", "<sip:127.0.0.3:5080;lr>"])),
    # RFC 3261 16.12: the next hop is a strict router (no ;lr): R-URI <-> Route swap
    ("default", "lr_next_strict", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="sr1",
                                                routes=["<sip:127.0.0.1;lr;ftag=ft1>, <sip:127.0.0.3:5080>, <sip:10.0.0.8;lr>"])),
    ("default", "lr_next_strict_last", "udp", request("BYE", "sip:bob@10.0.0.9;x=1", op="lr", to_tag="tt1",
                                                     cid="sr2", routes=["<sip:127.0.0.3:5080>"])),
    # RFC 3261 16.4: the previous hop was a strict router (R-URI is us): R-URI from the last Route
    ("default", "lr_after_strict", "udp", request("BYE", "sip:127.0.0.1;lr;ftag=ft1;foo=bar", op="lr", to_tag="tt1",
                                                 cid="sr3", routes=["<sip:127.0.0.3:5080;lr>, <sip:10.0.0.8;lr>",
                                                                    "<sip:bob@10.0.0.9>"])),
    ("default", "lr_after_strict_strict", "udp", request("BYE", "sip:127.0.0.1", op="lr", to_tag="tt1", cid="sr4",
                                                        routes=["<sip:127.0.0.3:5080>, <sip:bob@10.0.0.9>"])),
    ("default", "lr_maddr", "udp", request("BYE", "sip:bob@10.0.0.9", op="lr", to_tag="tt1", cid="ma1",
                                          routes=["<sip:127.0.0.1;lr>, <sip:proxy.example.com:5080;maddr=127.0.0.3;lr>"])),
    ("default", "pv_route_uri", "udp", request("BYE", "sip:bob@10.0.0.9", op="pv", to_tag="tt1", dst=UDP4, cid="pv1",
                                              routes=["<sip:127.0.0.1;lr;ftag=ft1>, <sip:10.0.0.8;lr>"])),
    ("default", "pv_upstream", "udp", request("BYE", "sip:bob@10.0.0.9", op="pv", to_tag="ft1", from_tag="tt1",
                                             dst=UDP4, cid="pv2", routes=["<sip:127.0.0.1;lr;ftag=ft1>"])),
    ("default", "pv_no_route", "udp", request("BYE", "sip:bob@10.0.0.9", op="pv", to_tag="tt1", dst=UDP4,
                                             cid="pv3")),
]


def cfg_for(group: str) -> str:
    # is_direction() is refused at start-up when append_fromtag is off
    direction = "" if "append_fromtag" in GROUPS[group] else \
        'if (is_direction("upstream")) { $var(dir) = "up"; }'
    return CFG.format(modparams=GROUPS[group], direction=direction)
