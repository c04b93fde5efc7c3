"""corex msg_iflag_* and send_udp's route types compared with real Kamailio 5.6.3 (fixture
corex_iflag_expected.json, recorded by `python tests/modules/cfgcases.py corex_iflag`)."""
import os
import shutil
import subprocess
import sys

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "corex_iflag_expected.json")
MSG = """OPTIONS sip:a@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-if1
From: <sip:t@127.0.0.2>;tag=1
To: <sip:a@127.0.0.1>
Call-ID: if1
CSeq: 1 OPTIONS
Max-Forwards: 5
Content-Length: 0

"""
rc = cfgcases.rc
CASES = {
    "set": rc('msg_iflag_set("UAC_AUTH");') + rc('msg_iflag_is_set("UAC_AUTH");'),
    "notset": rc('msg_iflag_is_set("USE_UAC_FROM");'),
    "lower": rc('msg_iflag_set("use_uac_to");') + rc('msg_iflag_is_set("USE_UAC_TO");'),
    "reset": rc('msg_iflag_set("UAC_AUTH");') + rc('msg_iflag_reset("UAC_AUTH");') + rc('msg_iflag_is_set("UAC_AUTH");'),
    "unknown": rc('msg_iflag_is_set("FOO");') + rc('msg_iflag_reset("FOO");'),
    "other": rc('msg_iflag_set("USE_UAC_FROM");') + rc('msg_iflag_is_set("uac_auth");')
             + rc('msg_iflag_is_set("use_uac_from");') + rc('msg_iflag_reset("use_uac_FROM");')
             + rc('msg_iflag_is_set("USE_UAC_FROM");'),
}


def regenerate():
    cfgcases.record(CASES, MSG, FIXTURE)


@pytest.mark.parametrize("name", list(CASES))
def test_iflag_as_kamailio(name):
    cfgcases.check(cfgcases.load(FIXTURE)[name], cfgcases.dryrun(CASES, MSG)[name])


ONREPLY = '#!KAMAILIO\nloadmodule "corex.so"\nrequest_route { drop; }\nonreply_route { send_udp("127.0.0.2:5070"); }\n'


def test_send_udp_refused_in_onreply_route(tmp_path):
    """5.6.3's `kamailio -c` says "misused command send_udp ... Command cannot be used in the block";
    its export table allows only request and failure routes."""
    p = tmp_path / "onr.cfg"
    p.write_text(ONREPLY, encoding="latin-1")
    if shutil.which("kamailio"):
        r = subprocess.run(["kamailio", "-c", "-f", str(p), "-Y", str(tmp_path)], capture_output=True, timeout=20)
        assert b"misused command send_udp" in r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "cfgvm", "check", "-f", str(p)], capture_output=True, timeout=60)
    assert r.returncode != 0, r.stdout + r.stderr
    assert b"send_udp" in r.stdout + r.stderr
