"""Transactions: one server transaction (UAS side, the received request) and its client
transactions (UAC side, one per branch), kept in a table in the program's shared state.

Kamailio's `struct cell` reduced to what the script and the wire see: the request as it was when the
transaction was created (a clone with the script's lumps, so failure_route relays what request_route
prepared), the per-transaction AVPs and flags (their lifetime is the transaction's), the route hooks
(t_on_failure/t_on_reply/t_on_branch), the last reply sent upstream (for retransmissions) and the
branches. Labels are a per-table counter (Kamailio seeds them at random; branches are normalised).
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

from cfgvm.sip.forward import hash_index

from . import states as S

FAKED = "faked"          # a reply tm made up itself (timeout 408, cancel 487): Kamailio's FAKED_REPLY

# Transaction flags (h_table.h names)
T_CANCELED, T_6XX, T_NOISY_CTIMER, T_DISABLE_6XX, T_DISABLE_FAILOVER, T_DISABLE_INTERNAL_REPLY, \
    T_AUTO_INV_100, T_IS_LOCAL, T_ASYNC_SUSPENDED, T_ASYNC_CONTINUE, T_USE_UAC_HEADERS, \
    T_NO_E2E_CANCEL_REASON = (1 << i for i in range(12))


def clone_message(msg):
    """A copy of msg with its own lumps (the shm clone Kamailio's tm keeps of the request)."""
    from cfgvm.sip import Message
    new = Message.parse(msg.buf, lenient=getattr(msg, "header_error", None) is not None)
    new.new_uri, new.dst_uri = msg.new_uri, msg.dst_uri
    if msg._lumps is not None:
        lumps = copy.copy(msg._lumps)
        lumps.msg = new
        lumps.headers = [_copy_lump(lp) for lp in msg._lumps.headers]
        lumps.body = [_copy_lump(lp) for lp in msg._lumps.body]
        new._lumps = lumps
    return new


def _copy_lump(lp):
    c = copy.copy(lp)
    c.before_list, c.after_list = list(lp.before_list), list(lp.after_list)
    return c


@dataclass
class Uac:
    """One branch: a client transaction."""
    index: int
    uri: str
    dst_uri: str | None
    proto: str
    dst: tuple[str, int]
    src: tuple[str, int]
    request: bytes | None                # the buffer sent (retransmitted as is); None: a blind UAC
    bflags: int = 0
    state: str = ""
    last_received: int = 0               # highest status received (0: nothing yet)
    reply: object = None                 # the final reply Message kept for selection, or FAKED
    reply_code: int = 0
    on_reply: str | None = None
    on_branch_failure: str | None = None
    canceled: bool = False               # F_RB_CANCELED: a CANCEL is due/sent on this branch
    local_cancel: bytes | None = None    # the CANCEL sent on this branch
    timed_out: bool = False              # F_RB_TIMEOUT
    replied: bool = False                # F_RB_REPLIED
    dropped: bool = False                # its reply was discarded by failure_reply_mode
    retr_interval: float = 0.0
    retr_next: int | None = None         # the interval after the next retransmission (t_set_retr)
    retr_timer: object = None
    fr_timer: object = None
    cancel_timers: list = field(default_factory=list)
    dns_rest: list = field(default_factory=list)   # DNS failover destinations left (uac->dns_h)
    base: object = None                  # the branch's request before our Via (for a DNS failover rebuild)
    forced: object = None                # the forced send socket of the branch


@dataclass
class Transaction:
    hash_index: int
    label: int
    method: str
    request: object                      # Message clone (with the script's lumps at creation time)
    rcv: object                          # ReceiveInfo of the request
    created: float
    key3261: tuple | None = None
    key2543: tuple | None = None
    uas_state: str = ""
    uas_status: int = 0                  # last status sent upstream
    uas_reason: str = ""
    uas_reply: bytes | None = None       # last reply sent upstream (resent on retransmissions)
    uas_reply_dst: tuple | None = None   # (proto, dst, src)
    to_tag: str | None = None            # the to-tag of our local replies / of the relayed final reply
    uacs: list[Uac] = field(default_factory=list)
    flags: int = 0                       # T_* flags
    msg_flags: int = 0                   # the request's message flags ($mf), kept per transaction
    avps: dict = field(default_factory=dict)
    xavps: dict = field(default_factory=dict)
    on_failure: str | None = None
    on_reply: str | None = None
    on_branch: str | None = None
    on_branch_failure: str | None = None
    fr_timeout: int | None = None        # ms (t_set_fr), None: the modparam
    fr_inv_timeout: int | None = None
    max_lifetime: int | None = None      # ms (t_set_max_lifetime)
    retr_t1: int | None = None           # ms (t_set_retr), None: retr_timer1/retr_timer2
    retr_t2: int | None = None
    end_of_life: float = 0.0
    timers: list = field(default_factory=list)   # G/H/I/J/D/K and lifetime timers of the UAS side
    cancel_of: "Transaction | None" = None       # a CANCEL transaction: the INVITE it cancels
    canceled_by: object = None                   # the CANCEL Message that canceled this INVITE
    blind_uac: int = -1                  # the branch t_suspend() added to keep the fr timer running
    done: bool = False                   # freed from the table

    @property
    def is_invite(self) -> bool:
        return self.method == "INVITE"

    @property
    def canceled(self) -> bool:
        return bool(self.flags & T_CANCELED)

    def reply(self, ctx, code, reason):
        """sl's send_reply() through tm (the stateful reply path)."""
        from .reply import t_reply
        return t_reply(ctx, self, int(code), str(reason))


class Table:
    """The transaction table (per program, in SharedState.modules['tm'])."""

    def __init__(self):
        self.by3261: dict[tuple, Transaction] = {}
        self.by2543: dict[tuple, list[Transaction]] = {}
        self.by_label: dict[tuple[int, int], Transaction] = {}
        self._labels = itertools.count()

    def new(self, msg, rcv, now: float) -> Transaction:
        hidx = hash_index(msg.call_id or "", msg.cseq.number)
        t = Transaction(hidx, next(self._labels), msg.method_known or msg.method, clone_message(msg),
                        rcv, now)
        t.uas_state = S.initial(S.SERVER_INVITE if t.is_invite else S.SERVER_NON_INVITE)
        from .matching import request_keys
        t.key3261, t.key2543 = request_keys(msg)
        if t.key3261 is not None:
            self.by3261[t.key3261] = t
        else:
            self.by2543.setdefault(t.key2543, []).append(t)
        self.by_label[(hidx, t.label)] = t
        return t

    def new_local(self, msg, rcv, now: float) -> Transaction:
        """A transaction tm starts itself (t_uac_send, tm.t_uac_start): no UAS side, so requests
        never match it; replies find it by the branch label."""
        hidx = hash_index(msg.call_id or "", msg.cseq.number)
        t = Transaction(hidx, next(self._labels), msg.method_known or msg.method, msg, rcv, now)
        t.flags |= T_IS_LOCAL
        t.uas_state = S.initial(S.SERVER_INVITE if t.is_invite else S.SERVER_NON_INVITE)
        t.key2543 = ("local", hidx, t.label)
        self.by_label[(hidx, t.label)] = t
        return t

    def free(self, t: Transaction) -> None:
        if t.done:
            return
        t.done = True
        for h in t.timers:
            h.cancel()
        for u in t.uacs:
            for h in (u.retr_timer, u.fr_timer, *u.cancel_timers):
                if h is not None:
                    h.cancel()
        if t.key3261 is not None and self.by3261.get(t.key3261) is t:
            del self.by3261[t.key3261]
        lst = self.by2543.get(t.key2543)
        if lst and t in lst:
            lst.remove(t)
            if not lst:
                del self.by2543[t.key2543]
        self.by_label.pop((t.hash_index, t.label), None)

    def __len__(self) -> int:
        return len(self.by_label)
