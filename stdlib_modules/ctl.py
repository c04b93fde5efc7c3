"""ctl: binrpc/fifo control sockets (Kamailio 5.6 src/modules/ctl). Service-only: params accepted, no
socket is opened (control interface not implemented yet). No script functions in 5.6.
RPC commands ctl.listen, ctl.connections, ctl.who: not implemented."""
from cfgvm.exports import INT_PARAM, STR_PARAM, Module, Param

EXPORTS = Module(
    name="ctl",
    params=[
        Param("binrpc", STR_PARAM, None, multi=True),
        Param("fifo", STR_PARAM, None, multi=True),
        Param("mode", INT_PARAM, 0o600),
        Param("user", STR_PARAM, None),
        Param("group", STR_PARAM, None),
        Param("autoconversion", INT_PARAM, 0),
        Param("binrpc_max_body_size", INT_PARAM, 32),
        Param("binrpc_struct_max_body_size", INT_PARAM, 8),
        Param("binrpc_buffer_size", INT_PARAM, 1024),
    ],
    service_only=True,
)
