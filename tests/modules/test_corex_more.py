"""corex: send_udp compared with real Kamailio 5.6.3 (fixture corex_expected.json, recorded by
`python tests/modules/cfgcases.py corex_more`), files, iflags, socket setters."""
import os

from modules import cfgcases
from modules.helpers import Ref, make_ctx, mod_instance
from cfgvm.stdlib import corex

FIXTURE = os.path.join(cfgcases.HERE, "corex_expected.json")
MSG = """MESSAGE sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1
Max-Forwards: 70
From: <sip:alice@127.0.0.2>;tag=ft
To: <sip:bob@127.0.0.1>
Call-ID: c1@x
CSeq: 1 MESSAGE
Content-Length: 0

"""
CASES = {"send": 'append_hf("X-S: 1\\r\\n"); send_udp("127.0.0.2:5070"); xnotice("@@$rc\\n");'
                 ' xnotice("@@END\\n"); exit;'}
M = mod_instance(corex)


def regenerate():
    cfgcases.record(CASES, MSG, FIXTURE)


def test_send_udp_as_kamailio():
    want = cfgcases.load(FIXTURE)["send"]
    got = cfgcases.dryrun(CASES, MSG)["send"]
    cfgcases.check(want, got)


def test_file_read_write(tmp_path):
    ctx = make_ctx()
    p = str(tmp_path / "f.txt")
    assert corex.file_write(ctx, M, p, "abc\n") == 1
    store = {}
    assert corex.file_read(ctx, M, p, Ref(store, "v")) == 1 and store["v"] == "abc\n"
    assert corex.file_read(ctx, M, str(tmp_path / "missing"), Ref(store, "v")) == -1


def test_iflags_and_sockets():
    ctx = make_ctx()
    assert corex.msg_iflag_is_set(ctx, M, "USE_UAC_FROM") == -2     # not set: -2 in 5.6.3 (test_corex_iflag)
    assert corex.msg_iflag_set(ctx, M, "USE_UAC_FROM") == 1 and corex.msg_iflag_is_set(ctx, M, "use_uac_from") == 1
    assert corex.msg_iflag_reset(ctx, M, "USE_UAC_FROM") == 1 and corex.msg_iflag_is_set(ctx, M, "USE_UAC_FROM") == -2
    assert corex.set_source_address(ctx, M, "udp:10.1.2.3:5999") == 1
    assert (ctx.rcv.src_ip, ctx.rcv.src_port) == ("10.1.2.3", 5999)
    # not a listening socket: warned about, nothing changes, still 1 (5.6.3, see test_corex_sockets)
    assert corex.set_recv_socket(ctx, M, "udp:127.0.0.9:5080") == 1
    assert (ctx.rcv.dst_ip, ctx.rcv.dst_port) == ("127.0.0.1", 5060)
    assert corex.set_send_socket(ctx, M, "udp:127.0.0.9:5080") == 1 and ctx.force_socket is None
    assert corex.set_send_socket(ctx, M, "udp:127.0.0.1:5060") == 1 and str(ctx.force_socket) == "udp:127.0.0.1:5060"
    assert corex.set_send_socket(ctx, M, "") == 1 and ctx.force_socket is None
