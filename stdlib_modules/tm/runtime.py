"""The tm runtime: creating transactions, relaying branches, receiving replies, timers, CANCEL.

One Runtime per program (SharedState.modules['tm']['rt']); it reaches the engine (timer queue, route
runner) through the engine that created it. Effects go to a sink: the Context of the route that
called a tm function, or a Sink around the Result of a received reply / a timer tick.
Kamailio sources followed: t_funcs.c t_relay_to, t_lookup.c t_newtran, t_fwd.c t_forward_nonack /
e2e_cancel, t_reply.c reply_received / relay_reply / t_should_relay_response, timer.c.
"""
from __future__ import annotations

import ipaddress

from cfgvm.dns import DnsError
from cfgvm.exports import (BRANCH_FAILURE_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, REQUEST_ROUTE,
                           TM_ONREPLY_ROUTE)
from cfgvm.sip import forward as fw
from cfgvm.sip.uri import parse_uri
from cfgvm.stdlib._common import ModuleError
from cfgvm.vm.context import LogRecord, SendAction

from . import states as S
from .cancel import build_local, reason_header
from .matching import lookup_cancel, lookup_request, match_reply
from .reply import (ERROR_REPLIES, REASONS, build_local_reply, pick_branch, retransmit_reply,
                    send_upstream)
from .serial import ruri_consume, ruri_is_new
from .transaction import (FAKED, T_AUTO_INV_100, T_CANCELED, T_DISABLE_FAILOVER, T_IS_LOCAL,
                          T_NO_E2E_CANCEL_REASON, T_6XX, Table, Uac, clone_message)

CANCELING, CANCEL_DONE = "canceling", "ok -- no more pending branches"
RELIABLE = ("tcp", "tls", "sctp", "ws", "wss")


def _build(ctx, msg, proto, dst, branch, rcv):
    """The bytes of msg sent to proto:dst (our Via on top with `branch`, received/rport on the
    previous one, send-time lumps resolved) and the local (ip, port) it leaves from."""
    from cfgvm.transport.sockets import send_socket, via_params
    sock = send_socket(ctx, proto, dst[0])
    if sock is None:
        ctx.log(-1, f"ERROR: tm: no listening {proto} socket for the address family of {dst[0]}\n")
        return None, None
    via_host, via_port, extra = via_params(ctx, sock)
    fw.prepare_forward(msg, via_host, via_port, proto.upper(), branch=branch, src_ip=rcv.src_ip,
                       src_port=rcv.src_port, force_rport=bool(getattr(ctx, "force_rport", False)),
                       extra=extra)
    data = msg.to_bytes(sock, ctx.rcv, global_address=getattr(ctx, "advertised_address", None),
                        global_port=getattr(ctx, "advertised_port", None))
    return data, (sock.ip, sock.port)


class Sink:
    """Where effects go when no route is running (a received reply, a timer): a Result."""

    def __init__(self, res):
        self.res = res
        self.sent, self.logs = res.sent, res.logs

    def send(self, action):
        self.sent.append(action)

    def log(self, level, text, facility=None):
        self.logs.append(LogRecord(level, text, facility))


def runtime(ctx, mod=None) -> "Runtime":
    state = ctx.shared.modules.setdefault("tm", {})
    rt = state.get("rt")
    if rt is None:
        engine = getattr(ctx, "engine", None)
        if engine is None:
            raise ModuleError("tm needs the engine (timers, routes): run the config through cfgvm's engine")
        mod = mod or ctx.program.modules["tm"]
        rt = state["rt"] = Runtime(engine, mod)
    return rt


class Runtime:
    def __init__(self, engine, mod):
        self.engine, self.mod, self.p = engine, mod, mod.params
        self.table = Table()
        self.stats = dict.fromkeys(("total", "total_local", "rpl_received", "rpl_generated", "rpl_sent",
                                    "6xx", "5xx", "4xx", "3xx", "2xx", "created", "freed"), 0)

    # ---- timers -----------------------------------------------------------------------------------
    def now(self) -> float:
        return self.engine.clock()

    def arm(self, ms: float, fn, name: str):
        return self.engine.timers.arm(self.now() + ms / 1000.0, fn, name)

    def ms(self, name: str) -> int:
        return int(self.p.get(name))

    def t1(self, t) -> int:
        """T1 of a transaction: t_set_retr's value, else retr_timer1."""
        return t.retr_t1 or self.ms("retr_timer1")

    def t2(self, t) -> int:
        return t.retr_t2 or self.ms("retr_timer2")

    # ---- server side ------------------------------------------------------------------------------
    def lookup(self, ctx):
        """The transaction of ctx.msg (cached per message): ctx.transaction or None."""
        if "tm_looked_up" not in ctx.mod_state:
            ctx.mod_state["tm_looked_up"] = True
            if getattr(ctx, "transaction", None) is None and ctx.msg.is_request:
                ctx.transaction = lookup_request(self.table, ctx.msg)
        return getattr(ctx, "transaction", None)

    def newtran(self, ctx) -> int:
        """t_newtran(): 1 new transaction, 0 retransmission (absorbed; reply resent), -1 error,
        'script' when this message already has one (E_SCRIPT)."""
        msg = ctx.msg
        t = getattr(ctx, "transaction", None)
        if t is not None and ctx.mod_state.get("tm_created"):
            t.msg_flags = ctx.flags
            return "script"
        if msg.call_id is None or msg.cseq is None or msg.from_ is None or msg.to is None:
            return -1
        found = self.lookup(ctx)
        if found is not None:
            if (msg.method_known or msg.method) == "ACK":
                self.ack_received(found)
            else:
                retransmit_reply(found, ctx)
            return 0
        if (msg.method_known or msg.method) == "ACK":
            return 1                  # an e2e ACK (or unmatched): no transaction
        t = self.table.new(msg, ctx.rcv, self.now())
        self.count("total", "created")
        t.avps, t.xavps, t.msg_flags = ctx.avps, ctx.xavps, ctx.flags
        if self.p["auto_inv_100"]:
            t.flags |= T_AUTO_INV_100
        t.fr_timeout, t.fr_inv_timeout = ctx.mod_state.get("tm_fr", (None, None))
        t.retr_t1, t.retr_t2 = ctx.mod_state.get("tm_retr", (None, None))
        if ctx.mod_state.get("tm_no_e2e_reason"):
            t.flags |= T_NO_E2E_CANCEL_REASON
        if t.fr_timeout is None:
            t.fr_timeout = self._avp_timer(ctx, "fr_timer_avp")
        if t.fr_inv_timeout is None:
            t.fr_inv_timeout = self._avp_timer(ctx, "fr_inv_timer_avp")
        life = self.ms("max_inv_lifetime" if t.is_invite else "max_noninv_lifetime")
        t.end_of_life = t.created + life / 1000.0
        ctx.transaction = t
        ctx.mod_state["tm_created"] = True
        ctx.mod_state["tm_looked_up"] = True
        for name in ("on_failure", "on_reply", "on_branch", "on_branch_failure"):
            v = ctx.mod_state.get("tm_" + name)
            if v is not None:
                setattr(t, name, v)
        return 1

    def _avp_timer(self, ctx, param):
        """fr_timer_avp / fr_inv_timer_avp: the AVP's value in seconds (non-zero) -> ms, else None."""
        text = (self.p.get(param) or "").strip()
        if not text:
            return None
        keys = self.__dict__.setdefault("_avp_keys", {})
        if param not in keys:
            from cfgvm.vm.pvs.vars import avp_key
            inner = text[5:-1] if text.startswith("$avp(") and text.endswith(")") else text
            keys[param] = avp_key(inner, self.engine.program)
        from cfgvm.vm.avp import avp_get
        v = avp_get(ctx.avps, keys[param])
        try:
            secs = int(v) if v is not None else 0
        except ValueError:
            return None
        return secs * 1000 if secs > 0 else None

    def ack_received(self, t):
        """An ACK for a negative reply: Completed -> Confirmed (timer I), retransmissions stop."""
        if t.is_invite:
            t.uas_state, actions = S.step(S.SERVER_INVITE, t.uas_state, S.ACK)
            for a in actions:
                self.server_action(t, a)

    def server_action(self, t, action):
        p = self.p
        if action == S.START_G and t.rcv.proto not in RELIABLE:
            self._arm_g(t, self.t1(t))
        elif action == S.START_H:
            # timer H ends the reply retransmissions; the transaction then waits (final_response_handler
            # put_on_wait), so a late CANCEL/ACK still matches it
            t.timers.append(self.arm(self.ms("fr_timer"), lambda now, res: self._timer_h(t), "H"))
        elif action in (S.START_I, S.START_J):
            self.put_on_wait(t)
        elif action == S.STOP_RETR:
            for h in t.timers:
                if h.name == "G":
                    h.cancel()
        elif action == S.DESTROY and t.uas_status >= 200:
            self.put_on_wait(t)
        del p

    def _timer_h(self, t):
        for h in t.timers:
            if h.name == "G":
                h.cancel()
        self.put_on_wait(t)

    def _arm_g(self, t, interval):
        def fire(now, res):
            if t.uas_state == S.COMPLETED and not t.done:
                retransmit_reply(t, Sink(res))
                self._arm_g(t, min(interval * 2, self.t2(t)))
        t.timers.append(self.arm(interval, fire, "G"))

    def put_on_wait(self, t):
        """wt_timer, then the transaction is freed (timers D/I/J/K)."""
        if t.done or any(h.name == "wait" and h.active for h in t.timers):
            return
        for u in t.uacs:
            for h in (u.retr_timer, u.fr_timer):
                if h is not None:
                    h.cancel()
        t.timers.append(self.arm(self.ms("wt_timer"), lambda now, res: self.free(t), "wait"))

    def free(self, t):
        if not t.done:
            self.count("freed")
        self.table.free(t)

    def count(self, *names):
        """tm.stats counters (t_stats.c)."""
        for n in names:
            self.stats[n] += 1

    def count_reply(self, code, local):
        """A reply sent upstream: generated (tm's own) or relayed; finals by class."""
        self.count("rpl_sent", *(("rpl_generated",) if local else ()))
        if 200 <= code < 700:
            self.count(f"{code // 100}xx")

    def clean(self, sink, limit_s: float = 90.0):
        """tm_clean_lifetime(): free transactions more than limit_s past their end of life."""
        now = self.now()
        for t in list(self.table.by_label.values()):
            if now - limit_s > t.end_of_life:
                sink.log(0, f"WARNING: tm [t_funcs.c]: tm_clean_lifetime(): [hard cleanup] transaction "
                         f"tindex={t.hash_index} tlabel={t.label} method='{t.method}'\n")
                self.free(t)

    # ---- t_relay ----------------------------------------------------------------------------------
    def relay(self, ctx, host=None, port=None, proto=None, replicate=False) -> int:
        msg = ctx.msg
        method = msg.method_known or msg.method
        if ctx.route_type & (FAILURE_ROUTE | BRANCH_FAILURE_ROUTE):
            t = ctx.transaction
            return self.forward_nonack(ctx, t, host, port, proto)
        if method == "CANCEL":
            return self.forward_cancel(ctx, host, port, proto)
        new = self.newtran(ctx)
        if new == "script":
            if method == "ACK":
                return 1
        elif new == -1:
            return -1
        elif new == 0:
            return 1
        if method == "ACK":
            return self._forward_stateless(ctx, host, port, proto)
        t = ctx.transaction
        if replicate:
            t.flags |= T_IS_LOCAL                # replies stop here (t_replicate)
        if t.is_invite and t.flags & T_AUTO_INV_100 and t.uas_status < 100 and not replicate:
            data = build_local_reply(t, ctx.program, 100, self.p["auto_inv_100_reason"])
            send_upstream(self, t, data, 100, self.p["auto_inv_100_reason"], ctx)
            self.local_response(t, data, ctx)
        ret = self.forward_nonack(ctx, t, host, port, proto)
        if ret <= 0 and not replicate:
            code, text = ERROR_REPLIES.get(ret, (500, "Server Internal Error"))
            if t.uas_status < 200:
                self.reply_local(ctx, t, code, text)
        return ret

    def _forward_stateless(self, ctx, host, port, proto):
        msg = ctx.msg
        try:
            proto, dst, _ = self.next_hop(msg.dst_uri or ctx.dst_uri, msg.current_uri_str, host, port, proto)
        except DnsError as e:
            ctx.log(-1, f"ERROR: tm: cannot resolve the next hop: {e}\n")
            return -478
        data, src = _build(ctx, msg, proto, dst, None, ctx.rcv)
        if data is None:
            return -1
        ctx.send(SendAction("forward", proto, dst, data, src))
        return 1

    def next_hop(self, dst_uri, ruri, host=None, port=None, proto=None, now=None):
        """(proto, (ip, port), failover) from t_relay(host, port) or $du or the R-URI. A host name
        goes through cfgvm.dns (RFC 3263); `failover` is the rest of the destination list, tried
        on 503/timeout when use_dns_failover is on (Kamailio's uac->dns_h). Raises DnsError."""
        proxy = host is not None            # t_relay(host, port): mk_proxy, one address, no dns_h
        if proxy:
            target, want, given = host, proto, (int(port) if port else None)
            literal_port, pr = int(port or 5060), proto or "udp"
        else:
            target = dst_uri or ruri
            u = parse_uri(target)
            host = u.host_noport_brackets
            want, given = proto, None
            literal_port = u.port_no or (5061 if u.scheme == "sips" else 5060)
            pr = proto or (u.transport or ("tls" if u.scheme == "sips" else "udp")).lower()
        ip = host.strip("[]")
        try:
            ipaddress.ip_address(ip)
            return pr, (ip, literal_port), []
        except ValueError:
            pass
        from cfgvm import dns
        dests = dns.resolver_for(self.engine.program).resolve_sip_destinations(
            target, want, given, self.now() if now is None else now)
        (p0, ip0, port0), rest = dests[0], dests[1:]
        return p0, (ip0, int(port0)), ([] if proxy else rest)

    def forward_nonack(self, ctx, t, host=None, port=None, proto=None) -> int:
        """t_forward_nonack(): one branch per destination (R-URI + append_branch set), each sent."""
        msg = ctx.msg
        dests = []
        forced = getattr(ctx, "force_socket", None)
        if ruri_is_new(ctx):
            dests.append((msg.current_uri_str, msg.dst_uri or ctx.dst_uri, ctx.bflags, forced))
        for b in ctx.branches:
            dests.append((b.uri, b.dst_uri, b.bflags, b.socket if b.socket is not None else forced))
        ctx.branches = []
        if not dests:
            return -1
        max_branches = int((getattr(ctx.program, "params", None) or {}).get("max_branches", 12))
        sent, lowest = 0, -477
        try:
            for uri, dst_uri, bflags, sock in dests:
                if len(t.uacs) >= max_branches:
                    return -12 if not sent else sent
                ctx.force_socket = sock               # a branch leaves from its own forced socket
                r = self.send_branch(ctx, t, uri, dst_uri, bflags, host, port, proto)
                if r > 0:
                    sent += 1
                elif r < 0:
                    lowest = min(lowest, r)
        finally:
            ctx.force_socket = forced
            ruri_consume(ctx)                         # clear_branches(): the R-URI was used
        if t.canceled and t.is_invite:
            for u in t.uacs[-sent:] if sent else ():
                u.canceled = True
        return 1 if sent else lowest

    def send_branch(self, ctx, t, uri, dst_uri, bflags, host, port, proto) -> int:
        """One branch: 1 sent, 0 dropped by branch_route or no socket, -478 unresolvable."""
        req = clone_message(ctx.msg)
        req.new_uri = uri if uri != req.ruri_str else req.new_uri
        req.dst_uri = dst_uri
        if t.on_branch:
            bctx = self.engine.context(req, ctx.rcv, BRANCH_ROUTE)
            self._share(bctx, t)
            bctx.transaction, bctx.bflags, bctx.dst_uri = t, bflags, dst_uri
            bctx.mod_state["tm_branch_idx"] = len(t.uacs)
            dropped = self._run(bctx, "branch", t.on_branch, ctx)
            t.msg_flags = bctx.flags
            bflags = bctx.bflags
            if dropped:
                return 0
            dst_uri = req.dst_uri if req.dst_uri is not None else bctx.dst_uri
        try:
            pr, dst, rest = self.next_hop(dst_uri, req.current_uri_str, host, port, proto)
        except DnsError as e:
            ctx.log(-1, f"ERROR: tm [t_fwd.c]: add_uac(): can't fwd to unresolvable destination ({e})\n")
            return -478
        base = clone_message(req) if rest else None
        idx = len(t.uacs)
        data, src = _build(ctx, req, pr, dst, fw.tm_branch(t.hash_index, t.label, idx), t.rcv)
        if data is None:
            return 0
        u = Uac(idx, req.current_uri_str, dst_uri, pr, dst, src, data, bflags)
        u.dns_rest, u.base, u.forced = rest, base, getattr(ctx, "force_socket", None)
        self._start_uac(t, u, ctx)
        return 1

    def _start_uac(self, t, u, sink):
        """Append branch u, put its request on the wire, start its retransmission and fr timers."""
        u.state = S.initial(S.CLIENT_INVITE if t.is_invite else S.CLIENT_NON_INVITE)
        u.on_reply = t.on_reply
        u.on_branch_failure = t.on_branch_failure
        t.uacs.append(u)
        sink.send(SendAction("relay", u.proto, u.dst, u.request, u.src))
        if u.proto not in RELIABLE:
            self._arm_retr(t, u, self.t1(t))
        self._arm_fr(t, u, self._fr(t, provisional=False))

    # ---- DNS failover -------------------------------------------------------------------------------
    def dns_failover(self, t, u, sink) -> bool:
        """add_uac_dns_fallback() + t_send_branch(): after a 503 or a timeout without any reply,
        the next destination the branch's host name resolved to becomes a new branch (same
        R-URI/$du; branch_route is not run again). With reparse_on_dns_failover (the default) the
        old buffer is reused with a new Via branch; else, or when the new destination needs
        another socket, the request is rebuilt."""
        from cfgvm import dns
        if not u.dns_rest or t.done or t.flags & (T_DISABLE_FAILOVER | T_CANCELED):
            return False
        if not dns.resolver_for(self.engine.program).config.use_failover:
            return False
        max_branches = int((getattr(self.engine.program, "params", None) or {}).get("max_branches", 12))
        while u.dns_rest:
            (pr, ip, port), rest = u.dns_rest[0], u.dns_rest[1:]
            u.dns_rest = []                       # the handle moves on to the new branch
            if len(t.uacs) >= max_branches:
                sink.log(-1, "ERROR: tm: add_uac_dns_fallback: maximum number of branches exceeded\n")
                return False
            idx = len(t.uacs)
            data, src = self._failover_request(t, u, pr, ip, fw.tm_branch(t.hash_index, t.label, idx))
            if data is None:
                u.dns_rest = rest
                continue
            nu = Uac(idx, u.uri, u.dst_uri, pr, (ip, int(port)), src, data, u.bflags)
            nu.dns_rest, nu.base, nu.forced = rest, u.base, u.forced
            self._start_uac(t, nu, sink)
            return True
        return False

    def _failover_request(self, t, u, pr, ip, branch):
        fctx = self.engine.context(clone_message(u.base), t.rcv, REQUEST_ROUTE)
        fctx.force_socket = u.forced
        if u.forced is None and self.p["dns_reuse_rcv_socket"]:
            fctx.force_socket = (t.rcv.proto, t.rcv.dst_ip, t.rcv.dst_port)
        from cfgvm.transport.sockets import send_socket
        sock = send_socket(fctx, pr, ip)
        if sock is None:
            return None, None
        if self.p["reparse_on_dns_failover"] and (sock.ip, sock.port) == tuple(u.src) and pr == u.proto:
            old = "branch=" + fw.tm_branch(t.hash_index, t.label, u.index)
            return u.request.replace(old.encode("latin-1"), ("branch=" + branch).encode("latin-1"), 1), u.src
        return _build(fctx, fctx.msg, pr, (ip, None), branch, t.rcv)

    def _fr(self, t, provisional):
        if provisional and t.is_invite:
            ms = t.fr_inv_timeout if t.fr_inv_timeout else self.ms("fr_inv_timer")
        else:
            ms = t.fr_timeout if t.fr_timeout else self.ms("fr_timer")
        left = (t.end_of_life - self.now()) * 1000.0
        return max(0.0, min(ms, left)) if provisional else ms

    def _arm_retr(self, t, u, interval):
        def fire(now, res):
            if t.done or u.last_received >= (100 if t.is_invite else 200) or u.canceled and \
                    u.last_received == 0 and self.p["cancel_b_method"] == 0:
                return
            table = S.CLIENT_INVITE if t.is_invite else S.CLIENT_NON_INVITE
            u.state, _ = S.step(table, u.state, S.TIMER_A if t.is_invite else S.TIMER_E)
            res.sent.append(SendAction("relay", u.proto, u.dst, u.request, u.src))
            nxt, u.retr_next = u.retr_next, None        # t_set_retr on a running branch
            self._arm_retr(t, u, nxt or min(interval * 2, self.t2(t)))
        u.retr_interval = interval
        u.retr_timer = self.arm(interval, fire, "A" if t.is_invite else "E")

    def _arm_fr(self, t, u, ms):
        if u.fr_timer is not None:
            u.fr_timer.cancel()

        def fire(now, res):
            if t.done or u.last_received >= 200:
                return
            u.timed_out = True
            sink = Sink(res)
            if u.last_received == 0 and u.dns_rest and now < t.end_of_life:
                self.dns_failover(t, u, sink)     # final_response_handler: next address first
            self.fake_reply(t, u, 408, sink)
        u.fr_timer = self.arm(ms, fire, "B" if t.is_invite else "F")

    # ---- routes run by tm ---------------------------------------------------------------------------
    def _share(self, rctx, t):
        rctx.avps, rctx.xavps, rctx.flags = t.avps, t.xavps, t.msg_flags
        rctx.transaction = t
        rctx.mod_state["tm_looked_up"] = True

    def _run(self, rctx, kind, name, sink) -> bool:
        from cfgvm.engine import Result
        res = Result("request")
        self.engine._run(rctx, res, kind, name)
        sink.sent.extend(res.sent)
        sink.logs.extend(res.logs)
        if res.error:
            if isinstance(sink, Sink):
                sink.res.error = res.error
            else:
                raise ModuleError(f"tm: error in {kind}_route[{name}]:\n{res.error}")
        return res.dropped

    # ---- replies from downstream ------------------------------------------------------------------
    def reply_received(self, ctx, sink) -> bool:
        msg = ctx.msg
        m = match_reply(self.table, msg)
        if m is None:
            return False
        self.count("rpl_received")
        t, b, is_cancel = m
        if t.done:
            return True
        u = t.uacs[b]
        code = msg.status
        ctx.transaction = t
        ctx.mod_state["tm_branch_idx"] = b
        if is_cancel:
            for h in u.cancel_timers:
                if code >= 200 or h.name != "fr":
                    h.cancel()
            return True
        last = u.last_received
        table = S.CLIENT_INVITE if t.is_invite else S.CLIENT_NON_INVITE
        u.state, actions = S.step(table, u.state, S.reply_event(code))
        if code >= 200:
            if u.retr_timer is not None:
                u.retr_timer.cancel()
            if u.fr_timer is not None and not u.on_reply:
                u.fr_timer.cancel()
            if S.SEND_ACK in actions or (t.is_invite and code >= 300):
                to_hf = msg.header("to")
                ack = build_local(u.request, "ACK", to_hf.text if to_hf else None,
                                  extra_prefix=self.p["ac_extra_hdrs"])
                sink.send(SendAction("relay", u.proto, u.dst, ack, u.src))
        else:
            if u.canceled:
                if u.local_cancel is None and last < 100:
                    u.last_received = code
                    self.cancel_branch(t, u, sink, force=True)
                return True
            if t.is_invite and u.retr_timer is not None:
                u.retr_timer.cancel()
            elif u.retr_timer is not None and u.retr_interval < self.t2(t):
                u.retr_timer.cancel()
                self._arm_retr(t, u, self.t2(t))
        dropped = False
        if u.on_reply:
            rctx = ctx
            rctx.route_type = TM_ONREPLY_ROUTE
            rctx.avps, rctx.xavps, rctx.flags = t.avps, t.xavps, t.msg_flags
            rctx.bflags = u.bflags
            if code > last:
                u.last_received = code
            dropped = self._run(rctx, "onreply", u.on_reply, sink)
            u.last_received = last
            t.msg_flags, u.bflags = rctx.flags, rctx.bflags
            if code >= 200 and u.fr_timer is not None:
                u.fr_timer.cancel()
        if dropped and code < 200:
            return True
        if code < 200 and (self.p["restart_fr_on_each_reply"] or code > last):
            self._arm_fr(t, u, self._fr(t, provisional=True))
        u.replied = True
        if code == 503 and u.dns_rest:
            self.dns_failover(t, u, sink)         # reply_received: before the 503 is relayed/stored
        self.relay_reply(t, u, code, msg, sink)
        return True

    def relay_reply(self, t, u, code, reply, sink):
        """relay_reply(): decide (t_should_relay_response), send upstream, run failure_route."""
        inv_through = t.is_invite and 200 <= code < 300
        if t.uas_status >= 200:
            if inv_through:
                u.last_received = code
                self._send_relayed(t, reply, code, sink)
            return
        if u.last_received >= 200 and not (inv_through and u.last_received < 300):
            return                                   # final reply retransmission / rewrite
        if code >= 300:
            u.last_received, u.reply_code = code, code
            u.reply = FAKED if reply is FAKED else reply
            if u.on_branch_failure:
                self.run_branch_failure(t, u, code, sink)
            b, picked = pick_branch(t, u.index, code, self.p["faked_reply_prio"])
            if b == -2:
                if 600 <= code < 700 and not self.p["disable_6xx_block"] and not t.flags & T_6XX:
                    t.flags |= T_6XX
                    self.cancel_pending(t, sink, cause=code)
                return
            branch_cnt = len(t.uacs)
            if t.on_failure:
                self.run_failure(t, b, picked, sink)
            if t.uas_status >= 200:
                return
            if branch_cnt < len(t.uacs):
                mode = self.p["failure_reply_mode"]
                if mode in (1, 3):
                    for old in t.uacs[:branch_cnt]:      # their replies are freed (t_pick_branch skips them)
                        old.dropped, old.reply = True, None
                b, picked = pick_branch(t, -1, 0, self.p["faked_reply_prio"], skip_dropped=True)
                if b < 0:
                    if b == -2:
                        return
                    self.reply_local_sink(t, 500, "Server Internal Error", sink)
                    return
            best = t.uacs[b]
            self._send_final(t, best, picked, sink)
            return
        if code >= 100:
            u.last_received = max(u.last_received, code) if code < 200 else code
            if code >= 200:
                u.reply, u.reply_code = reply, code
                self._send_relayed(t, reply, code, sink)
                self.cancel_pending(t, sink, cause=code)
            elif code > 100 or self.p["relay_100"]:
                self._send_relayed(t, reply, code, sink)

    def _send_final(self, t, best, code, sink):
        if best.reply is FAKED or best.reply is None:
            self.reply_local_sink(t, code, REASONS.get(code, "Server Internal Error"), sink)
        else:
            self._send_relayed(t, best.reply, code, sink)

    def _absorbed(self, t, code, reason, sink) -> bool:
        """A local transaction (t_uac_send, t_replicate) keeps the reply it would relay
        (local_reply()): status recorded, nothing sent upstream, freed after a final one."""
        if not t.flags & T_IS_LOCAL:
            return False
        if code >= t.uas_status:
            t.uas_status, t.uas_reason = code, reason
        if code >= 200:
            self.cancel_pending(t, sink, cause=code)
            self.put_on_wait(t)
        return True

    def _send_relayed(self, t, reply, code, sink):
        if self._absorbed(t, code, reply.reason, sink):
            if code >= 200 and reply.to is not None and reply.to.tag:
                t.to_tag = reply.to.tag
            return
        from cfgvm.engine import _remove_top_via
        msg = clone_message(reply) if reply.lumps else reply
        _remove_top_via(msg)
        data = msg.lumps.apply()
        to = reply.to
        if code >= 200 and to is not None and to.tag:
            t.to_tag = to.tag
        send_upstream(self, t, data, code, reply.reason, sink, local=False)

    def reply_local_sink(self, t, code, reason, sink, light=False):
        """A reply tm builds itself; light: sent as _reply_light() does (t_reply, kill_transaction,
        CANCEL replies), which runs event_route[tm:local-response]; else a faked reply relayed."""
        if not light and self._absorbed(t, code, reason, sink):
            return
        data = build_local_reply(t, self.engine.program, code, reason)
        send_upstream(self, t, data, code, reason, sink)
        if light:
            self.local_response(t, data, sink)
        if code >= 200:
            self.cancel_pending(t, sink, cause=code)

    def reply_local(self, ctx, t, code, reason):
        self.reply_local_sink(t, code, reason, ctx, light=True)

    def local_response(self, t, data, sink):
        """event_route[tm:local-response] on the reply tm just sent (LOCAL_ROUTE). Kamailio 5.6.3
        runs it for the first such reply of a worker process only (observed: later _reply_light()
        calls of the same process skip it), so it runs once per worker here too."""
        route = "tm:local-response"
        worker = self.engine.worker
        if route not in self.engine.routes.get("event", {}) or getattr(worker, "tm_local_response_ran", False):
            return
        worker.tm_local_response_ran = True
        from cfgvm.exports import LOCAL_ROUTE
        from cfgvm.sip import Message
        rctx = self.engine.context(Message.parse(data, lenient=True), t.rcv, LOCAL_ROUTE)
        rctx.transaction = t
        rctx.mod_state["tm_looked_up"] = True
        self._run(rctx, "event", route, sink)

    def fake_reply(self, t, u, code, sink):
        """A branch timed out (408) or was given up (487): relay a reply tm makes up."""
        do_cancel = t.is_invite and 100 <= u.last_received < 200 and u.local_cancel is None
        u.canceled = True
        if u.retr_timer is not None:
            u.retr_timer.cancel()
        self.relay_reply(t, u, code, FAKED, sink)
        if do_cancel:
            self.cancel_branch(t, u, sink, force=True)
        if t.uas_status >= 200 and all(x.last_received >= 200 for x in t.uacs):
            self.put_on_wait(t)

    def run_failure(self, t, b, code, sink):
        name, t.on_failure = t.on_failure, None
        fmsg = clone_message(t.request)
        fctx = self.engine.context(fmsg, t.rcv, FAILURE_ROUTE)
        self._share(fctx, t)
        ruri_consume(fctx)              # not forked to again unless R-URI or $du is written
        fctx.mod_state["tm_branch_idx"] = b
        fctx.mod_state["tm_failure"] = (b, code)
        self._run(fctx, "failure", name, sink)
        t.msg_flags = fctx.flags

    def run_branch_failure(self, t, u, code, sink):
        """event_route[tm:branch-failure:NAME] for a branch's negative final reply (run before the
        best-reply selection, as run_branch_failure_handlers), on a faked copy of the request."""
        name = "tm:branch-failure:" + u.on_branch_failure
        t.on_branch_failure = None                  # armed once per t_on_branch_failure() call
        if name not in self.engine.routes.get("event", {}):
            return
        fctx = self.engine.context(clone_message(t.request), t.rcv, BRANCH_FAILURE_ROUTE)
        self._share(fctx, t)
        ruri_consume(fctx)
        fctx.mod_state["tm_branch_idx"] = u.index
        fctx.mod_state["tm_failure"] = (u.index, code)
        self._run(fctx, "event", name, sink)
        t.msg_flags = fctx.flags

    # ---- CANCEL -----------------------------------------------------------------------------------
    def forward_cancel(self, ctx, host, port, proto) -> int:
        inv = lookup_cancel(self.table, ctx.msg)
        if inv is None:
            if self.p["unmatched_cancel"] == 2:
                return 1
            return self._forward_stateless(ctx, host, port, proto)
        new = self.newtran(ctx)
        if new == 0:
            return 1
        if new == -1:
            return -1
        tc = ctx.transaction
        tc.cancel_of = inv
        self.e2e_cancel(ctx, tc, inv)
        return 1

    def e2e_cancel(self, ctx, tc, inv):
        inv.flags |= T_CANCELED
        inv.canceled_by = ctx.msg
        reasons = tuple(hf.text for hf in ctx.msg.headers("reason")) \
            if self.p["e2e_cancel_reason"] and not inv.flags & T_NO_E2E_CANCEL_REASON else ()
        pending = [u for u in inv.uacs if u.last_received < 200 and not u.canceled]
        if not inv.uacs or not pending:
            if inv.uas_status < 200:
                self.reply_local_sink(inv, 487, "Request Terminated", ctx, light=True)
            self._reply_cancel(ctx, tc, CANCEL_DONE)
            return
        for u in pending:
            self.cancel_branch(inv, u, ctx, reasons=reasons)
        self._reply_cancel(ctx, tc, CANCELING)

    def _reply_cancel(self, ctx, tc, text):
        data = build_local_reply(tc, ctx.program, 200, text)
        send_upstream(self, tc, data, 200, text, ctx)
        self.local_response(tc, data, ctx)
        ctx.replied = True

    def cancel_pending(self, t, sink, cause):
        """prepare_to_cancel + cancel_branch on every branch still without a final reply."""
        if not t.is_invite:
            return
        text = "Call completed elsewhere" if 200 <= cause < 300 else None
        for u in t.uacs:
            if u.last_received < 200 and not u.canceled:
                self.cancel_branch(t, u, sink, reasons=(reason_header(cause, text),)
                                   if self.p["local_cancel_reason"] and cause else ())

    def cancel_branch(self, t, u, sink, reasons=(), force=False, method=None):
        """cancel_branch(): a CANCEL on a branch that had a provisional reply; a branch without one
        waits for it (cancel_b_method 1), gets a faked 487 (0) or a CANCEL anyway (2)."""
        u.canceled = True
        if u.request is None:                   # a blind UAC (t_suspend): nothing to send a CANCEL to
            if u.last_received < 200:
                for h in (u.retr_timer, u.fr_timer):
                    if h is not None:
                        h.cancel()
                self.relay_reply(t, u, 487, FAKED, sink)       # F_CANCEL_B_FAKE_REPLY
            return
        method = self.p["cancel_b_method"] if method is None else method
        if u.last_received < 100 and not force and method != 2:
            if method == 0:
                if u.retr_timer is not None:
                    u.retr_timer.cancel()
                if u.fr_timer is not None:
                    u.fr_timer.cancel()
                self.relay_reply(t, u, 487, FAKED, sink)
            u.pending_reasons = reasons
            return
        if u.retr_timer is not None:
            u.retr_timer.cancel()
        reasons = reasons or getattr(u, "pending_reasons", ())
        u.local_cancel = build_local(u.request, "CANCEL", reasons=reasons,
                                     extra_prefix=self.p["ac_extra_hdrs"])
        sink.send(SendAction("relay", u.proto, u.dst, u.local_cancel, u.src))
        if u.proto not in RELIABLE:
            self._arm_cancel_retr(t, u, self.t1(t))
        u.cancel_timers.append(self.arm(self.ms("fr_timer"), lambda now, res: None, "fr"))

    def _arm_cancel_retr(self, t, u, interval):
        def fire(now, res):
            if t.done or not any(h.active and h.name == "fr" for h in u.cancel_timers):
                return
            res.sent.append(SendAction("relay", u.proto, u.dst, u.local_cancel, u.src))
            self._arm_cancel_retr(t, u, min(interval * 2, self.t2(t)))
        u.cancel_timers.append(self.arm(interval, fire, "E"))
