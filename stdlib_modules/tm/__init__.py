"""tm: stateful SIP transactions (Kamailio 5.6 src/modules/tm), RFC 3261 §17.

Pieces: states.py (the §17 state machines as tables, timers A-K), transaction.py (transactions and the
table), matching.py (RFC 3261 / RFC 2543 matching), runtime.py (t_relay, replies, timers, CANCEL,
failure/branch/onreply routes), reply.py (local replies, to-tag, best reply), cancel.py (CANCEL and
hop-by-hop ACK), pvs.py ($T_* pseudo-variables, registered by tmx).

serial.py: t_load_contacts/t_next_contacts/t_next_contact_flow (q-value forking, contacts_avp).
suspend.py: t_suspend/t_continue (exported by tmx) for request processing.
Host names as next hop go through cfgvm.dns (RFC 3263); with use_dns_failover a 503 or a timeout
without reply moves on to the next address as a new branch (runtime.dns_failover).
event_route[tm:branch-failure:NAME] runs for t_on_branch_failure("NAME"); modparams on_sl_reply,
fr_timer_avp and fr_inv_timer_avp are honoured.
uac.py: t_uac_send (a local transaction; event_route[tm:local-request] runs on it, not on local
CANCEL/ACK, as 5.6.3). event_route[tm:local-response] runs after a reply tm sends itself
(_reply_light: t_reply, 100 Trying, error replies, CANCEL's 200), once per worker as 5.6.3 does.
t_replicate* mark the transaction local: replies stop here. rpc.py: the tm.* RPC commands.
Not implemented (absent from the export table, so a cfg using them gets a clear unsupported error):
t_relay_to_sctp, t_forward_nonack_sctp, t_replicate_sctp, t_forward_nonack_uri, t_set_no_auto_ack
(not a 5.6.3 export either), suspending a reply (t_suspend in onreply_route refuses at run time),
blacklists (blst_* accepted, nothing is blacklisted), DNS failover for t_relay(host, port) (only
$du/R-URI destinations fail over: Kamailio's mk_proxy keeps no DNS handle for the branch either).
No ACK is sent for a 2xx to a local INVITE (t_uac_send/tm.t_uac_start); tm.t_uac_wait and
tm.t_uac_wait_block answer fault 600 as over binrpc.
Known simplifications: transaction labels are a counter (Kamailio seeds them at random; the branch
value differs, its shape does not); a local 1xx other than 100 whose request has no To tag gets the
reply builder's placeholder tag.
"""
from __future__ import annotations

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, INT_PARAM, ONREPLY_ROUTE,
                           REGEX, REQUEST_ROUTE, ROUTE, SGP, STR, STR_PARAM, TM_ONREPLY_ROUTE,
                           Function, Module, Param)
from cfgvm.stdlib._common import ModuleError

from .reply import retransmit_reply, t_reply
from .rpc import RPC
from .runtime import Sink, runtime
from .serial import t_load_contacts, t_next_contact_flow, t_next_contacts
from .transaction import (T_AUTO_INV_100, T_DISABLE_6XX, T_DISABLE_FAILOVER, T_DISABLE_INTERNAL_REPLY,
                          clone_message)

_RQ = REQUEST_ROUTE
_RFB = REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE
_RF = REQUEST_ROUTE | FAILURE_ROUTE


def _t(ctx, mod=None):
    rt = runtime(ctx, mod)
    return rt, rt.lookup(ctx) if ctx.msg is not None and ctx.msg.is_request else getattr(ctx, "transaction", None)


# ---- relaying ------------------------------------------------------------------------------------
def _rc(ret):
    return 1 if ret > 0 else (ret if ret < 0 else -1)


def w_t_relay(ctx, mod, host=None, port=None):
    return _rc(runtime(ctx, mod).relay(ctx, host, port))


def _relay_proto(proto):
    def h(ctx, mod, host=None, port=None):
        return _rc(runtime(ctx, mod).relay(ctx, host, port, proto))
    h.__name__ = f"t_relay_to_{proto}"
    return h


def _split_proxy(text):
    """'[proto:]host[:port]' -> (host, port, proto)."""
    proto = None
    s = text.strip()
    low = s.lower()
    for p in ("udp:", "tcp:", "tls:", "sctp:"):
        if low.startswith(p):
            proto, s = p[:-1], s[len(p):]
            break
    port = None
    if s.startswith("["):
        end = s.index("]")
        host, rest = s[1:end], s[end + 1:]
        if rest.startswith(":"):
            port = int(rest[1:])
    elif s.count(":") == 1:
        host, port = s.split(":")
        port = int(port)
    else:
        host = s
    return host, port, proto


def w_t_relay_to(ctx, mod, proxy, flags=0):
    if isinstance(proxy, int) or (isinstance(proxy, str) and proxy.isdigit() and flags == 0 and False):
        flags, proxy = int(proxy), ""
    rt = runtime(ctx, mod)
    if flags & 1:
        ctx.mod_state["tm_no_100"] = True
    host, port, proto = _split_proxy(proxy) if proxy else (None, None, None)
    if flags & 1:
        t = rt.lookup(ctx)
        if t is None and rt.newtran(ctx) == 1:
            ctx.transaction.flags &= ~T_AUTO_INV_100
    return _rc(rt.relay(ctx, host, port, proto, replicate=False))


def w_t_forward_nonack(ctx, mod, host=None, port=None, proto=None):
    rt, t = _t(ctx, mod)
    if t is None:
        ctx.log(-1, "ERROR: tm: cannot forward a request with no transaction (t_newtran first)\n")
        return -1
    return _rc(rt.forward_nonack(ctx, t, host, port, proto))


def _fwd_proto(proto):
    def h(ctx, mod, host, port):
        return w_t_forward_nonack(ctx, mod, host, port, proto)
    return h


def _hostport(text):
    """'host[:port]' (IPv6 in brackets) -> (host, port or None)."""
    host, port, _ = _split_proxy(text)
    return host, port


def _proto_name(proto):
    p = str(proto).strip().lower()
    if p not in ("udp", "tcp", "tls", "sctp"):
        raise ModuleError(f"tm: unknown transport protocol '{proto}' (udp, tcp, tls, sctp)")
    return p


def w_t_relay_to_avp(ctx, mod, proto, hostport):
    host, port = _hostport(hostport)
    return _rc(runtime(ctx, mod).relay(ctx, host, port, _proto_name(proto)))


def w_t_forward_nonack_to(ctx, mod, proto, hostport):
    host, port = _hostport(hostport)
    return w_t_forward_nonack(ctx, mod, host, port, _proto_name(proto))


# ---- t_replicate: a copy of the request to another hop; its replies stop at us -------------------
def w_t_replicate(ctx, mod, uri=None):
    """t_replicate([uri]): the uri's host/port/transport, else $du or the R-URI."""
    host = port = proto = None
    if uri:
        from cfgvm.sip.uri import parse_uri
        u = parse_uri(uri)
        host, port = u.host_noport_brackets, (u.port_no or (5061 if u.scheme == "sips" else 5060))
        proto = (u.transport or ("tls" if u.scheme == "sips" else "udp")).lower()
    return _rc(runtime(ctx, mod).relay(ctx, host, port, proto, replicate=True))


def w_t_replicate_hp(ctx, mod, host, port, proto=None):
    return _rc(runtime(ctx, mod).relay(ctx, host, port, proto, replicate=True))


def _replicate_proto(proto):
    def h(ctx, mod, host, port):
        return w_t_replicate_hp(ctx, mod, host, port, proto)
    h.__name__ = f"t_replicate_{proto}"
    return h


def w_t_replicate_to(ctx, mod, proto, hostport):
    host, port = _hostport(hostport)
    return w_t_replicate_hp(ctx, mod, host, port, _proto_name(proto))


# ---- locally generated requests ----------------------------------------------------------------------
def w_t_uac_send(ctx, mod, method, ruri, nexthop, socket, headers, body):
    from .uac import uac_send
    return uac_send(runtime(ctx, mod), method, ruri, nexthop, socket, headers, body, ctx, ctx)


# ---- transaction lookup / creation ----------------------------------------------------------------
def w_t_newtran(ctx, mod):
    rt = runtime(ctx, mod)
    if getattr(ctx, "transaction", None) is not None and ctx.mod_state.get("tm_created"):
        ctx.log(-1, "ERROR: tm [tm.c]: w_t_newtran(): transaction already in process\n")
        return -1
    r = rt.newtran(ctx)
    return 0 if r == 0 else (1 if r == 1 else -1)


def w_t_check_trans(ctx, mod):
    if ctx.route_type & (FAILURE_ROUTE | BRANCH_ROUTE | TM_ONREPLY_ROUTE):
        return 1
    rt = runtime(ctx, mod)
    msg = ctx.msg
    if msg.is_reply:
        from .matching import match_reply
        return 1 if match_reply(rt.table, msg) else -1
    method = msg.method_known or msg.method
    if method == "CANCEL":
        from .matching import lookup_cancel
        t = lookup_cancel(rt.table, msg)
        if t is None:
            return -1
        ctx.mod_state["tm_cancel_of"] = t
        return 1
    t = rt.lookup(ctx)
    if t is None:
        return -1
    if method == "ACK":
        rt.ack_received(t)
    else:
        retransmit_reply(t, ctx)
    return 0


def w_t_lookup_request(ctx, mod):
    rt, t = _t(ctx, mod)
    return 1 if t is not None else -1


def w_t_lookup_cancel(ctx, mod, strict=0):
    from .matching import lookup_cancel
    rt = runtime(ctx, mod)
    if (ctx.msg.method_known or ctx.msg.method) != "CANCEL":
        return -1
    t = lookup_cancel(rt.table, ctx.msg)
    return 1 if t is not None else -1


def w_t_relay_cancel(ctx, mod):
    if (ctx.msg.method_known or ctx.msg.method) != "CANCEL":
        return 1
    from .matching import lookup_cancel
    rt = runtime(ctx, mod)
    if lookup_cancel(rt.table, ctx.msg) is None:
        return 1
    rt.relay(ctx)
    return 0


def w_t_reply(ctx, mod, code, reason):
    msg = ctx.msg
    if msg is not None and msg.is_request and (msg.method_known or msg.method) == "ACK":
        return -1
    if getattr(ctx, "no_reply", False):
        return -2
    rt, t = _t(ctx, mod)
    if t is None:
        ctx.log(-1, "ERROR: tm [tm.c]: ki_t_reply(): cannot send a t_reply to a message for which no "
                    "T-state has been established\n")
        return -1
    return t_reply(ctx, t, int(code), reason)


def w_t_send_reply(ctx, mod, code, reason):
    rt, t = _t(ctx, mod)
    if t is None:
        r = rt.newtran(ctx)
        if r != 1:
            return -1
        t = ctx.transaction
    return t_reply(ctx, t, int(code), reason)


def w_t_retransmit_reply(ctx, mod):
    rt, t = _t(ctx, mod)
    if t is None or t.uas_reply is None:
        return -1
    retransmit_reply(t, ctx)
    return 1


def w_t_release(ctx, mod):
    rt, t = _t(ctx, mod)
    if t is None:
        return -1
    if t.uas_status >= 200:
        rt.put_on_wait(t)
        return 1
    rt.free(t)
    return 1


def w_t_use_uac_headers(ctx, mod):
    """Local CANCEL/ACK built from the UAC side headers: cfgvm always builds them from the request
    sent on the branch (reparse_invite behaviour), so the flag only records the request."""
    rt, t = _t(ctx, mod)
    if t is None:
        return -1
    from .transaction import T_USE_UAC_HEADERS
    t.flags |= T_USE_UAC_HEADERS
    return 1


def w_t_is_retr_async_reply(ctx, mod):
    """1 for a reply retransmission while its transaction is suspended (T_ASYNC_SUSPENDED)."""
    from .transaction import T_ASYNC_SUSPENDED
    t = getattr(ctx, "transaction", None)
    return 1 if t is not None and t.flags & T_ASYNC_SUSPENDED and ctx.msg.is_reply else -1


def w_t_save_lumps(ctx, mod):
    rt, t = _t(ctx, mod)
    if t is None:
        return -1
    t.request = clone_message(ctx.msg)
    return 1


# ---- route hooks -------------------------------------------------------------------------------------
def _on(name):
    def h(ctx, mod, route=None):
        t = getattr(ctx, "transaction", None)
        if route == "" or route == "0":
            route = None
        if t is not None:
            setattr(t, name, route)
            if name in ("on_reply", "on_branch_failure") and ctx.route_type & (FAILURE_ROUTE | BRANCH_ROUTE):
                pass
        ctx.mod_state["tm_" + name] = route
        return 1
    h.__name__ = "t_" + name
    return h


def w_t_is_set(ctx, mod, target):
    t = getattr(ctx, "transaction", None)
    key = {"failure_route": "on_failure", "branch_route": "on_branch", "onreply_route": "on_reply"}.get(target)
    if key is None:
        raise ModuleError(f"t_is_set: unknown target '{target}' (failure_route, branch_route, onreply_route)")
    v = getattr(t, key) if t is not None else ctx.mod_state.get("tm_" + key)
    return 1 if v else -1


# ---- status checks -------------------------------------------------------------------------------
def _status(ctx):
    """The status code t_check_status looks at: the reply in onreply_route, the picked one in
    failure_route, else the last status sent upstream."""
    msg = ctx.msg
    if ctx.route_type & ONREPLY_ROUTE and msg is not None and msg.is_reply:
        return msg.status
    f = ctx.mod_state.get("tm_failure")
    if f is not None:
        return f[1]
    t = getattr(ctx, "transaction", None)
    return t.uas_status if t is not None else None


def w_t_check_status(ctx, mod, regex):
    code = _status(ctx)
    if code is None:
        return -1
    return 1 if regex.search(str(code)) else -1


def w_t_grep_status(ctx, mod, code):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    return 1 if any(u.last_received == code for u in t.uacs) else -1


def w_t_get_status_code(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    return t.uas_status or -1


def w_t_is_canceled(ctx, mod):
    t = getattr(ctx, "transaction", None)
    return 1 if t is not None and t.canceled else -1


def w_t_is_expired(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    return 1 if ctx.clock() >= t.end_of_life else -1


def _branch(ctx):
    t = getattr(ctx, "transaction", None)
    b = ctx.mod_state.get("tm_branch_idx")
    if t is None or b is None or b >= len(t.uacs):
        return None
    return t.uacs[b]


def w_t_branch_timeout(ctx, mod):
    u = _branch(ctx)
    return 1 if u is not None and u.timed_out else -1


def w_t_branch_replied(ctx, mod):
    u = _branch(ctx)
    return 1 if u is not None and u.replied else -1


def w_t_any_timeout(ctx, mod):
    t = getattr(ctx, "transaction", None)
    return 1 if t is not None and any(u.timed_out for u in t.uacs) else -1


def w_t_any_replied(ctx, mod):
    t = getattr(ctx, "transaction", None)
    return 1 if t is not None and any(u.replied for u in t.uacs) else -1


def w_t_drop_replies(ctx, mod, mode="a"):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    for u in t.uacs:
        if mode != "l" or u is t.uacs[-1]:
            u.dropped, u.reply = True, None
    return 1


# ---- timers and flags ------------------------------------------------------------------------------
def w_t_set_fr(ctx, mod, fr_inv, fr=0):
    t = getattr(ctx, "transaction", None)
    inv, non = (fr_inv or None), (fr or None)
    if t is not None:
        if inv:
            t.fr_inv_timeout = inv
        if non:
            t.fr_timeout = non
    cur = ctx.mod_state.get("tm_fr", (None, None))
    ctx.mod_state["tm_fr"] = (non or cur[0], inv or cur[1])
    return 1


def w_t_reset_fr(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is not None:
        t.fr_timeout = t.fr_inv_timeout = None
    ctx.mod_state.pop("tm_fr", None)
    return 1


def w_t_set_max_lifetime(ctx, mod, inv, noninv):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    ms = inv if t.is_invite else noninv
    if ms:
        t.end_of_life = t.created + ms / 1000.0
    return 1


def w_t_reset_max_lifetime(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    ms = mod.params["max_inv_lifetime" if t.is_invite else "max_noninv_lifetime"]
    t.end_of_life = t.created + ms / 1000.0
    return 1


def w_t_set_retr(ctx, mod, t1, t2):
    """T1/T2 of the current transaction (or of the next one this route creates); 0 keeps a value.
    A running branch switches after its next retransmission: to T1 while below the old T2."""
    rt = runtime(ctx, mod)
    t = getattr(ctx, "transaction", None)
    cur = ctx.mod_state.get("tm_retr", (None, None))
    ctx.mod_state["tm_retr"] = (t1 or cur[0], t2 or cur[1])
    if t is None:
        return 1
    old_t2 = rt.t2(t)
    if t1:
        t.retr_t1 = t1
    if t2:
        t.retr_t2 = t2
    for u in t.uacs:
        if u.retr_timer is not None and u.retr_timer.active:
            u.retr_next = rt.t1(t) if u.retr_interval < old_t2 else rt.t2(t)
    return 1


def w_t_reset_retr(ctx, mod):
    t = getattr(ctx, "transaction", None)
    ctx.mod_state.pop("tm_retr", None)
    if t is not None:
        t.retr_t1 = t.retr_t2 = None
    return 1


def w_t_set_no_e2e_cancel_reason(ctx, mod, on):
    """Per INVITE transaction: 1 stops copying the CANCEL's Reason headers (e2e_cancel_reason)."""
    from .transaction import T_NO_E2E_CANCEL_REASON
    rt, t = _t(ctx, mod)
    if t is None:
        ctx.mod_state["tm_no_e2e_reason"] = bool(on)
        return 1
    t.flags = (t.flags | T_NO_E2E_CANCEL_REASON) if on else (t.flags & ~T_NO_E2E_CANCEL_REASON)
    return 1


LIFETIME_LIMIT = 90        # s past its end of life before t_clean/tm.clean frees a transaction


def w_t_clean(ctx, mod):
    runtime(ctx, mod).clean(ctx, LIFETIME_LIMIT)
    return 1


def _flag(flag):
    def h(ctx, mod, on):
        rt, t = _t(ctx, mod)
        if t is None:
            return -1
        t.flags = (t.flags | flag) if on else (t.flags & ~flag)
        return 1
    return h


def _auto100(ctx, mod, on):
    rt, t = _t(ctx, mod)
    if t is None:
        return -1
    t.flags = (t.flags | T_AUTO_INV_100) if on else (t.flags & ~T_AUTO_INV_100)
    return 1


# ---- engine hooks ----------------------------------------------------------------------------------
def hook_reply(mod, engine, ctx, res) -> bool:
    """A received reply: tm's if it matches a transaction; else onreply_route[on_sl_reply] (when
    set) decides: drop or return 0 there and the core does not forward it statelessly."""
    if "rt" in ctx.shared.modules.get("tm", {}) and runtime(ctx, mod).reply_received(ctx, ctx):
        return True
    name = mod.params.get("on_sl_reply")
    if not name:
        return False
    ctx.route_type = TM_ONREPLY_ROUTE
    engine._run(ctx, res, "onreply", name)
    return bool(res.dropped or ctx.rc == 0)


def hook_request_done(mod, engine, ctx, res) -> bool:
    """t_unref(): a transaction this request created that the script neither replied nor relayed
    nor released is put on wait, with Kamailio's warning."""
    t = getattr(ctx, "transaction", None)
    if t is None or not ctx.mod_state.get("tm_created") or t.uacs or t.uas_status or t.done:
        return False
    if ctx.msg is not None and (ctx.msg.method_known or ctx.msg.method) in ("ACK", "CANCEL"):
        return False
    ctx.log(0, "WARNING: tm [t_lookup.c]: t_unref(): script writer didn't release transaction\n")
    runtime(ctx, mod).put_on_wait(t)
    return False


def _params():
    return [
        Param("fr_timer", INT_PARAM, 30000), Param("fr_inv_timer", INT_PARAM, 120000),
        Param("wt_timer", INT_PARAM, 5000), Param("retr_timer1", INT_PARAM, 500),
        Param("retr_timer2", INT_PARAM, 4000), Param("max_inv_lifetime", INT_PARAM, 180000),
        Param("max_noninv_lifetime", INT_PARAM, 32000), Param("noisy_ctimer", INT_PARAM, 1),
        Param("restart_fr_on_each_reply", INT_PARAM, 1), Param("auto_inv_100", INT_PARAM, 1),
        Param("auto_inv_100_reason", STR_PARAM, "trying -- your call is important to us"),
        Param("unix_tx_timeout", INT_PARAM, 500), Param("aggregate_challenges", INT_PARAM, 1),
        Param("reparse_invite", INT_PARAM, 1), Param("ac_extra_hdrs", STR_PARAM, ""),
        Param("blst_503", INT_PARAM, 0), Param("blst_503_def_timeout", INT_PARAM, 60),
        Param("blst_503_min_timeout", INT_PARAM, 0), Param("blst_503_max_timeout", INT_PARAM, 3600),
        Param("blst_methods_add", INT_PARAM, 1), Param("blst_methods_lookup", INT_PARAM, 0xFFFFFFF7),
        Param("cancel_b_method", INT_PARAM, 1), Param("reparse_on_dns_failover", INT_PARAM, 1),
        Param("on_sl_reply", STR_PARAM, ""), Param("contacts_avp", STR_PARAM, ""),
        Param("contact_flows_avp", STR_PARAM, ""), Param("fr_timer_avp", STR_PARAM, ""),
        Param("fr_inv_timer_avp", STR_PARAM, ""), Param("unmatched_cancel", INT_PARAM, 0),
        Param("ruri_matching", INT_PARAM, 1), Param("via1_matching", INT_PARAM, 1),
        Param("callid_matching", INT_PARAM, 0), Param("callid_cseq_matching", INT_PARAM, 0),
        Param("pass_provisional_replies", INT_PARAM, 0), Param("default_code", INT_PARAM, 500),
        Param("default_reason", STR_PARAM, "Server Internal Error"),
        Param("disable_6xx_block", INT_PARAM, 0), Param("local_ack_mode", INT_PARAM, 0),
        Param("failure_reply_mode", INT_PARAM, 3), Param("faked_reply_prio", INT_PARAM, 0),
        Param("local_cancel_reason", INT_PARAM, 1), Param("e2e_cancel_reason", INT_PARAM, 1),
        Param("remap_503_500", INT_PARAM, 1), Param("failure_exec_mode", INT_PARAM, 0),
        Param("dns_reuse_rcv_socket", INT_PARAM, 0), Param("xavp_contact", STR_PARAM, "ulattrs"),
        Param("event_callback", STR_PARAM, ""), Param("event_callback_lres_sent", STR_PARAM, ""),
        Param("relay_100", INT_PARAM, 0), Param("rich_redirect", INT_PARAM, 0),
        Param("exec_time_check", INT_PARAM, 5000), Param("reply_relay_mode", INT_PARAM, 1),
        Param("enable_uac_fr", INT_PARAM, 0),
    ]


def _init(mod):
    if mod.params.get("contacts_avp") and not mod.params.get("contact_flows_avp"):
        raise ModuleError("tm: contact_flows_avp param has not been defined")      # as 5.6.3's mod_init


_ALL = ANY_ROUTE
EXPORTS = Module(
    name="tm",
    functions=[
        Function("t_relay", w_t_relay, (), _RF),
        Function("t_relay", w_t_relay, (SGP, IGP), _RF),
        *[Function(f"t_relay_to_{p}", _relay_proto(p), a, _RF)
          for p in ("udp", "tcp", "tls") for a in ((), (SGP, IGP))],
        Function("t_relay_to", w_t_relay_to, (SGP,), _RF),
        Function("t_relay_to", w_t_relay_to, (SGP, IGP), _RF),
        Function("t_forward_nonack", w_t_forward_nonack, (), _RF),
        Function("t_forward_nonack", w_t_forward_nonack, (SGP, IGP), _RF),
        *[Function(f"t_forward_nonack_{p}", _fwd_proto(p), (SGP, IGP), _RF) for p in ("udp", "tcp", "tls")],
        Function("t_relay_cancel", w_t_relay_cancel, (), _RQ),
        Function("t_relay_to_avp", w_t_relay_to_avp, (SGP, SGP), _RQ),
        Function("t_forward_nonack_to", w_t_forward_nonack_to, (SGP, SGP), _RQ),
        Function("t_replicate", w_t_replicate, (), _RQ),
        Function("t_replicate", w_t_replicate, (SGP,), _RQ),
        Function("t_replicate", w_t_replicate_hp, (SGP, IGP), _RQ),
        *[Function(f"t_replicate_{p}", _replicate_proto(p), (SGP, IGP), _RQ) for p in ("udp", "tcp", "tls")],
        Function("t_replicate_to", w_t_replicate_to, (SGP, SGP), _RQ),
        Function("t_uac_send", w_t_uac_send, (SGP,) * 6, _ALL),
        Function("t_clean", w_t_clean, (), _ALL),
        Function("t_set_retr", w_t_set_retr, (IGP, IGP), _RFB | TM_ONREPLY_ROUTE),
        Function("t_reset_retr", w_t_reset_retr, (), _RFB | TM_ONREPLY_ROUTE),
        Function("t_set_no_e2e_cancel_reason", w_t_set_no_e2e_cancel_reason, (IGP,), _RFB | TM_ONREPLY_ROUTE),
        Function("t_disable_e2e_cancel_reason", w_t_set_no_e2e_cancel_reason, (IGP,), _RFB | TM_ONREPLY_ROUTE),
        Function("t_on_failure", _on("on_failure"), (ROUTE,), _RFB),
        Function("t_on_reply", _on("on_reply"), (ROUTE,), _RFB | TM_ONREPLY_ROUTE),
        Function("t_on_branch", _on("on_branch"), (ROUTE,), _RF),
        Function("t_on_branch_failure", _on("on_branch_failure"), (ROUTE,), _RFB),
        Function("t_newtran", w_t_newtran, (), _RQ),
        Function("t_check_trans", w_t_check_trans, (), _RQ | ONREPLY_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE),
        Function("t_lookup_request", w_t_lookup_request, (), _RQ),
        Function("t_lookup_cancel", w_t_lookup_cancel, (), _RQ),
        Function("t_lookup_cancel", w_t_lookup_cancel, (IGP,), _RQ),
        Function("t_reply", w_t_reply, (IGP, FMT), _RQ | FAILURE_ROUTE | ONREPLY_ROUTE),
        Function("t_send_reply", w_t_send_reply, (IGP, FMT), _RQ | FAILURE_ROUTE | ONREPLY_ROUTE),
        Function("t_retransmit_reply", w_t_retransmit_reply, (), _RQ),
        Function("t_release", w_t_release, (), _RQ),
        Function("t_save_lumps", w_t_save_lumps, (), _RQ),
        Function("t_use_uac_headers", w_t_use_uac_headers, (), _ALL),
        Function("t_is_retr_async_reply", w_t_is_retr_async_reply, (), TM_ONREPLY_ROUTE),
        Function("t_is_set", w_t_is_set, (STR,), _ALL),
        Function("t_check_status", w_t_check_status, (REGEX,), _RQ | FAILURE_ROUTE | ONREPLY_ROUTE | BRANCH_ROUTE),
        Function("t_grep_status", w_t_grep_status, (IGP,), _ALL),
        Function("t_get_status_code", w_t_get_status_code, (), _ALL),
        Function("t_is_canceled", w_t_is_canceled, (), _ALL),
        Function("t_is_expired", w_t_is_expired, (), _ALL),
        Function("t_branch_timeout", w_t_branch_timeout, (), FAILURE_ROUTE),
        Function("t_branch_replied", w_t_branch_replied, (), FAILURE_ROUTE),
        Function("t_any_timeout", w_t_any_timeout, (), _ALL),
        Function("t_any_replied", w_t_any_replied, (), _ALL),
        Function("t_drop_replies", w_t_drop_replies, (), FAILURE_ROUTE),
        Function("t_drop_replies", w_t_drop_replies, (STR,), FAILURE_ROUTE),
        Function("t_set_fr", w_t_set_fr, (IGP,), _RFB),
        Function("t_set_fr", w_t_set_fr, (IGP, IGP), _RFB),
        Function("t_reset_fr", w_t_reset_fr, (), _RFB),
        Function("t_set_max_lifetime", w_t_set_max_lifetime, (IGP, IGP), _RFB),
        Function("t_reset_max_lifetime", w_t_reset_max_lifetime, (), _RFB),
        Function("t_set_auto_inv_100", _auto100, (IGP,), _RFB),
        Function("t_set_disable_6xx", _flag(T_DISABLE_6XX), (IGP,), _RFB),
        Function("t_set_disable_failover", _flag(T_DISABLE_FAILOVER), (IGP,), _RFB),
        Function("t_set_disable_internal_reply", _flag(T_DISABLE_INTERNAL_REPLY), (IGP,), _RFB),
        Function("t_load_contacts", t_load_contacts, (), _RF),
        Function("t_load_contacts", t_load_contacts, (IGP,), _RF),
        Function("t_next_contacts", t_next_contacts, (), _RF),
        Function("t_next_contact_flow", t_next_contact_flow, (), _RQ),
    ],
    params=_params(),
    rpc=RPC,
    init=_init,
    hooks={"reply_received": hook_reply, "request_done": hook_request_done},
)
