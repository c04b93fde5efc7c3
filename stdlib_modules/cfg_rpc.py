"""cfg_rpc: RPC access to cfg variables (Kamailio 5.6 src/modules/cfg_rpc). Service-only: no params and
no script functions in 5.6; its cfg.* RPC commands are not implemented (control interface not
implemented yet)."""
from cfgvm.exports import Module

EXPORTS = Module(name="cfg_rpc", service_only=True)
