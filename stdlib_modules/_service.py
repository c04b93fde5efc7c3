"""Shared by the out-of-band service modules (ctl, jsonrpcs, cfg_rpc, xhttp): their params load, their
script functions exist for the checker, and calling one is a clear error until the control interface
exists."""
from cfgvm.stdlib._common import not_implemented

NOT_YET = "control interface not implemented yet"


def refuse(module: str, function: str):
    return not_implemented(f"{module}: {function}(): {NOT_YET}")
