"""Helpers for module tests: a real Context around a real cfgvm.sip Message."""
from __future__ import annotations

import types

from cfgvm.exports import ModuleInstance, REQUEST_ROUTE
from cfgvm.sip import Message
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState

INVITE = (
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.org>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.org\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.1>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n")


def mod_instance(module, **params) -> ModuleInstance:
    exp = module.EXPORTS
    vals = {p.name: p.default for p in exp.params}
    vals.update(params)
    inst = ModuleInstance(exp, vals)
    if exp.init:
        exp.init(inst)
    return inst


def make_ctx(raw=INVITE, route_type=REQUEST_ROUTE, program=None, shared=None, worker=None, now=1000.0,
             **prog):
    msg = Message.parse(raw.encode("latin-1") if isinstance(raw, str) else raw)
    rcv = ReceiveInfo("udp", "10.0.0.1", 5060, "127.0.0.1", 5060)
    if program is None:
        program = types.SimpleNamespace(params=prog.pop("params", {}), modules=prog.pop("modules", {}),
                                        **prog)
    clock = now if callable(now) else (lambda: now)
    return Context(program, msg, rcv, worker=worker or WorkerState(), shared=shared or SharedState(),
                   clock=clock, route_type=route_type)


class Ref:
    """A stand-in PVRef: a named slot in a dict (what the VM passes for PVAR arguments)."""
    def __init__(self, store, name):
        self.store, self.name = store, name

    def get(self, ctx):
        return self.store.get(self.name)

    def set(self, ctx, value):
        self.store[self.name] = value
