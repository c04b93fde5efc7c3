"""The request checks of Kamailio's default config (REQINIT: force_rport, maxfwd, OPTIONS keepalive,
sanity_check) as a small config ending in a 404: the sanity oracle runs it through real Kamailio and
the dry-run, bench/vm.py adds a few PV tests (`extra`) before the final reply."""

_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
auto_aliases=no

loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "sanity.so"

request_route {
    force_rport();
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if (is_method("OPTIONS") && uri==myself && $rU==$null) {
        sl_send_reply("200", "Keepalive");
        exit;
    }
    if (!sanity_check("17895", "7")) {
        xlog("Malformed SIP request from $si:$sp\\n");
        exit;
    }
@EXTRA@    sl_send_reply("404", "Not here");
    exit;
}
"""


def reqinit_cfg(extra: str = "") -> str:
    """The config; `extra`: statements (4-space indented lines) run before the 404."""
    return _CFG.replace("@EXTRA@", extra)
