"""jsonrpcs: JSON-RPC server over HTTP/FIFO/datagram (Kamailio 5.6 src/modules/jsonrpcs). Service-only:
params accepted (fifo_group/fifo_user/dgram_group/dgram_user take an int or a name), the functions
exist and raise "control interface not implemented yet" when called. Not implemented: $jsonrpl(...)
(absent), every RPC transport."""
from cfgvm.exports import ANY_ROUTE, FMT, INT_PARAM, REQUEST_ROUTE, STR_PARAM, Function, Module, Param
from cfgvm.stdlib._service import refuse

EXPORTS = Module(
    name="jsonrpcs",
    functions=[
        Function("jsonrpc_dispatch", refuse("jsonrpcs", "jsonrpc_dispatch"), (), REQUEST_ROUTE),
        Function("jsonrpc_exec", refuse("jsonrpcs", "jsonrpc_exec"), (FMT,), ANY_ROUTE),
    ],
    params=[
        Param("pretty_format", INT_PARAM, 1),
        Param("transport", INT_PARAM, 0),
        Param("fifo_name", STR_PARAM, "kamailio_rpc.fifo"),
        Param("fifo_mode", INT_PARAM, 0o660),
        Param("fifo_group", STR_PARAM, None),
        Param("fifo_user", STR_PARAM, None),
        Param("fifo_reply_dir", STR_PARAM, "/tmp/"),
        Param("dgram_socket", STR_PARAM, "kamailio_rpc.sock"),
        Param("dgram_workers", INT_PARAM, 1),
        Param("dgram_timeout", INT_PARAM, 10),
        Param("dgram_mode", INT_PARAM, 0o660),
        Param("dgram_group", STR_PARAM, None),
        Param("dgram_user", STR_PARAM, None),
    ],
    service_only=True,
)
