"""xhttp: HTTP requests in event_route[xhttp:request] (Kamailio 5.6 src/modules/xhttp). Service-only:
params accepted, xhttp_reply() exists and raises "control interface not implemented yet".
$hu exists and raises the same error when read. Not implemented: the `url` transformation class."""
from cfgvm.exports import FMT, IGP, PV, REQUEST_ROUTE, STR_PARAM, Function, Module, Param
from cfgvm.stdlib._common import ModuleError
from cfgvm.stdlib._service import NOT_YET, refuse


def get_hu(ctx, spec):
    raise ModuleError(f"xhttp: $hu: {NOT_YET}")

EXPORTS = Module(
    name="xhttp",
    functions=[Function("xhttp_reply", refuse("xhttp", "xhttp_reply"), (IGP, FMT, FMT, FMT), REQUEST_ROUTE)],
    params=[
        Param("url_match", STR_PARAM, None),
        Param("url_skip", STR_PARAM, None),
        Param("event_callback", STR_PARAM, None),
    ],
    pvs=[PV("hu", get_hu)],
    service_only=True,
)
