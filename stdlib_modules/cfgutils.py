"""cfgutils: random events, global flags, locks, route checks, hashing (Kamailio 5.6 src/modules/cfgutils).

Random numbers come from a seeded generator (ctx.program.random, a random.Random; one is made from
seed 0 when the program has none) so that dry-runs are deterministic. sleep/usleep never sleep the wall
clock: they advance the engine clock when the program offers one (program.advance_clock(seconds)),
otherwise they refuse. lock/unlock/trylock act on a per-program lock set (one process runs the script at
a time in cfgvm, so a held lock means the script took it twice: trylock then fails, as Kamailio's
non-recursive locks would block).
abort() stops the whole server in Kamailio: cfgvm raises ModuleError naming it (a dry-run reports it as
the outcome instead of exiting). pkg_status/pkg_summary/shm_status/shm_summary dump Kamailio's
allocators, which do not exist here: each logs one line at NOTICE saying so and returns 1.
RPC: cfgutils.rand_set_prob/rand_reset_prob/rand_get_prob/set_gflag/reset_gflag/is_gflag/get_gflags/
get_config_hash/check_config_hash (handlers taking the module instance and shared state, returning what
5.6.3 prints; failures as RpcError). hash_file's MD5 is taken at init, as Kamailio's mod_init.
"""
from __future__ import annotations

import hashlib
import random

from cfgvm.exports import ANY_ROUTE, FMT, IGP, INT_PARAM, STR, STR_PARAM, PV, Function, Module, Param, RpcError
from cfgvm.stdlib._common import ModuleError

MAX_PROB = 100


def _state(ctx):
    return ctx.shared.modules.setdefault("cfgutils", {"prob": None, "gflags": None, "locks": set()})


def _rng(ctx):
    rng = getattr(ctx.program, "random", None)
    if rng is None:
        rng = random.Random(0)
        try:
            ctx.program.random = rng
        except AttributeError:
            raise ModuleError("cfgutils: the program has no random generator") from None
    return rng


def _prob(ctx, mod):
    st = _state(ctx)
    if st["prob"] is None:
        st["prob"] = mod.params.get("initial_probability", 10)
    return st["prob"]


def fixup_prob(args, coord, program):
    text = args[0].value if hasattr(args[0], "value") else args[0]
    n = int(text)
    if not 0 <= n <= MAX_PROB:
        raise ValueError(f"probability {n} outside 0..{MAX_PROB}")
    return [n]


def rand_set_prob(ctx, mod, n):
    _state(ctx)["prob"] = n
    return 1


def rand_reset_prob(ctx, mod):
    _state(ctx)["prob"] = mod.params.get("initial_probability", 10)
    return 1


def rand_get_prob(ctx, mod):
    return _prob(ctx, mod)


def rand_event(ctx, mod):
    p = _prob(ctx, mod)
    if p == 0:
        return -1
    if p == MAX_PROB:
        return 1
    return 1 if _rng(ctx).random() * MAX_PROB < p else -1


def _sleep(ctx, seconds):
    adv = getattr(ctx.program, "advance_clock", None)
    if adv is None:
        raise ModuleError("cfgutils: sleep/usleep need an engine clock (refusing to sleep the wall clock)")
    adv(seconds)
    return 1


def m_sleep(ctx, mod, s):
    return _sleep(ctx, s)


def m_usleep(ctx, mod, us):
    return _sleep(ctx, us / 1e6)


def _gflags(ctx, mod):
    st = _state(ctx)
    if st["gflags"] is None:
        st["gflags"] = mod.params.get("initial_gflags", 0) & 0xFFFFFFFF
    return st["gflags"]


def fixup_gflag(args, coord, program):
    v = args[0].value if hasattr(args[0], "value") else args[0]
    n = v if isinstance(v, int) else int(v.strip(), 0)   # `is_gflag(1)` parses as a number
    if not 0 <= n <= 31:
        raise ValueError(f"global flag {n} outside 0..31")
    return [n]


def set_gflag(ctx, mod, flag):
    _state(ctx)["gflags"] = _gflags(ctx, mod) | (1 << flag)
    return 1


def reset_gflag(ctx, mod, flag):
    _state(ctx)["gflags"] = _gflags(ctx, mod) & ~(1 << flag)
    return 1


def is_gflag(ctx, mod, flag):
    return 1 if _gflags(ctx, mod) & (1 << flag) else -1


def _lock_slot(ctx, mod, key, op):
    """The lock-set slot of key (core_case_hash over 2^lock_set_size slots, at most 2^14), or None
    after Kamailio's error when lock_set_size is 0 (its default: no lock set, every op fails)."""
    size = mod.params.get("lock_set_size", 0)
    if size <= 0:
        ctx.log(-1, f"ERROR: cfgutils: cfg_lock_helper(): lock set not initialized (attempt to do op: {op}"
                    f" on: {key}) - see param lock_set_size\n")
        return None
    return _hash(key.translate(_ASCII_LOWER), None, 1 << min(size, 14))


def lock(ctx, mod, key):
    slot = _lock_slot(ctx, mod, key, 0)
    if slot is None:
        return -1
    locks = _state(ctx)["locks"]
    if slot in locks:
        raise ModuleError(f"cfgutils: lock('{key}'): its lock-set slot is already held: Kamailio would deadlock here")
    locks.add(slot)
    return 1


def trylock(ctx, mod, key):
    slot = _lock_slot(ctx, mod, key, 2)
    if slot is None:
        return -1
    locks = _state(ctx)["locks"]
    if slot in locks:
        return -1
    locks.add(slot)
    return 1


def unlock(ctx, mod, key):
    slot = _lock_slot(ctx, mod, key, 1)
    if slot is None:
        return -1
    _state(ctx)["locks"].discard(slot)
    return 1


def _route_exists(ctx, name):
    routes = getattr(ctx.program, "routes", {}) or {}
    return name in (routes.get("request") or routes.get("route") or {})


def check_route_exists(ctx, mod, name):
    return 1 if _route_exists(ctx, name) else -1


def route_if_exists(ctx, mod, name):
    if not _route_exists(ctx, name):
        return -1
    return ctx.program.call_route(ctx, name)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _hash(s1, s2, slots):
    """Kamailio's core_hash(s1, s2, slots): the hash masked to a power-of-two table."""
    from cfgvm.sip.forward import _hash_update
    h = _hash_update(s1, 0)
    if s2:
        h = _hash_update(s2, h)
    h = ((h + (h >> 11)) + ((h >> 13) + (h >> 23))) & 0xFFFFFFFF
    return h & (slots - 1)


def core_hash(ctx, mod, s1, s2, size):
    """core_hash(s1, s2, size): Kamailio's core_hash() over both strings into a table of 2^size slots
    (2 when size <= 0), plus one so that the result is never 0. Kamailio computes `1 << size` on a
    32-bit int, and x86 takes the shift count modulo 32: size 64 means 1 slot (always 1)."""
    return _hash(s1, s2, 2 if size <= 0 else 1 << (size & 31)) + 1


def m_abort(ctx, mod):
    raise ModuleError("cfgutils: abort() called: Kamailio would abort the whole server here")


def _mem_dump(what):
    def handler(ctx, mod):
        ctx.log(1, f"cfgutils: {what}(): no {what.split('_')[0]} memory allocator in cfgvm, nothing to dump")
        return 1
    handler.__name__ = what
    return handler


# ---- RPC: handler(mod, shared, *params) -> plain data -----------------------------------------------
class _Shared:
    """What _state() needs from a context, for RPC handlers that get only the shared state."""
    def __init__(self, shared):
        self.shared = shared


def _rpc_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        raise RpcError(500, "Invalid Parameters") from None


def rpc_rand_set_prob(mod, shared, n):
    n = _rpc_int(n)
    if not 0 <= n <= MAX_PROB:
        raise RpcError(500, "Invalid Percent")
    _state(_Shared(shared))["prob"] = n
    return None


def rpc_rand_reset_prob(mod, shared):
    _state(_Shared(shared))["prob"] = mod.params.get("initial_probability", 10)
    return None


def rpc_rand_get_prob(mod, shared):
    return f"actual probability: {_prob(_Shared(shared), mod)} percent"


# the gflags RPCs take a bit mask, not a flag index as the script functions do
def rpc_set_gflag(mod, shared, mask):
    st = _state(_Shared(shared))
    st["gflags"] = (_gflags(_Shared(shared), mod) | _rpc_int(mask)) & 0xFFFFFFFF
    return None


def rpc_reset_gflag(mod, shared, mask):
    st = _state(_Shared(shared))
    st["gflags"] = _gflags(_Shared(shared), mod) & ~_rpc_int(mask) & 0xFFFFFFFF
    return None


def rpc_is_gflag(mod, shared, mask):
    mask = _rpc_int(mask) & 0xFFFFFFFF
    return "TRUE" if _gflags(_Shared(shared), mod) & mask == mask else "FALSE"


def rpc_get_gflags(mod, shared):
    g = _gflags(_Shared(shared), mod)
    return f"0x{g:X} ({g})"


def file_md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def init(mod):
    """hash_file: its MD5 is taken once at start-up (Kamailio's mod_init); a file that cannot be read
    fails the start-up as in Kamailio."""
    path = mod.params.get("hash_file")
    if mod.params.get("initial_probability", 10) > MAX_PROB:
        raise ValueError(f"invalid probability <{mod.params['initial_probability']}>")
    if path:
        try:
            mod.state = {"config_hash": file_md5(path)}
        except OSError as e:
            raise ValueError(f"could not hash the config file {path}: {e.strerror}") from None


def rpc_get_config_hash(mod, shared):
    """The start-up hash (Kamailio prints an empty one when no hash_file is set)."""
    return (mod.state or {}).get("config_hash", "")


def rpc_check_config_hash(mod, shared):
    path = mod.params.get("hash_file")
    if not path:
        raise RpcError(500, "No hash file")
    try:
        now = file_md5(path)
    except OSError:
        raise RpcError(500, "Failed to hash the file") from None
    return "Identical hash" if now == rpc_get_config_hash(mod, shared) else "Different hash"


def get_random(ctx, spec):
    """$RANDOM: a random non-negative 31-bit int (Kamailio uses random())."""
    return _rng(ctx).randrange(0, 2 ** 31)


EXPORTS = Module(
    name="cfgutils",
    functions=[
        Function("rand_set_prob", rand_set_prob, (STR,), ANY_ROUTE, fixup=fixup_prob),
        Function("rand_reset_prob", rand_reset_prob, (), ANY_ROUTE),
        Function("rand_get_prob", rand_get_prob, (), ANY_ROUTE),
        Function("rand_event", rand_event, (), ANY_ROUTE),
        Function("sleep", m_sleep, (IGP,), ANY_ROUTE),
        Function("usleep", m_usleep, (IGP,), ANY_ROUTE),
        Function("set_gflag", set_gflag, (STR,), ANY_ROUTE, fixup=fixup_gflag),
        Function("reset_gflag", reset_gflag, (STR,), ANY_ROUTE, fixup=fixup_gflag),
        Function("is_gflag", is_gflag, (STR,), ANY_ROUTE, fixup=fixup_gflag),
        Function("lock", lock, (FMT,), ANY_ROUTE),
        Function("unlock", unlock, (FMT,), ANY_ROUTE),
        Function("trylock", trylock, (FMT,), ANY_ROUTE),
        Function("core_hash", core_hash, (FMT, FMT, IGP), ANY_ROUTE),
        Function("check_route_exists", check_route_exists, (FMT,), ANY_ROUTE),
        Function("route_if_exists", route_if_exists, (FMT,), ANY_ROUTE),
        Function("abort", m_abort, (), ANY_ROUTE),
        Function("pkg_status", _mem_dump("pkg_status"), (), ANY_ROUTE),
        Function("pkg_summary", _mem_dump("pkg_summary"), (), ANY_ROUTE),
        Function("shm_status", _mem_dump("shm_status"), (), ANY_ROUTE),
        Function("shm_summary", _mem_dump("shm_summary"), (), ANY_ROUTE),
    ],
    rpc={"cfgutils.rand_set_prob": rpc_rand_set_prob, "cfgutils.rand_reset_prob": rpc_rand_reset_prob,
         "cfgutils.rand_get_prob": rpc_rand_get_prob, "cfgutils.set_gflag": rpc_set_gflag,
         "cfgutils.reset_gflag": rpc_reset_gflag, "cfgutils.is_gflag": rpc_is_gflag,
         "cfgutils.get_gflags": rpc_get_gflags, "cfgutils.get_config_hash": rpc_get_config_hash,
         "cfgutils.check_config_hash": rpc_check_config_hash},
    params=[
        Param("initial_probability", INT_PARAM, 10),
        Param("initial_gflags", INT_PARAM, 0),
        Param("hash_file", STR_PARAM, None),
        Param("lock_set_size", INT_PARAM, 0),
    ],
    pvs=[PV("RANDOM", get_random)],
    init=init,
)
