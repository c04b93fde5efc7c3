"""cfgt's dump of dual-typed PVs (a string and an int, pv_get_strintval/intstrval in pv_core.c):
cfgt prints the int ($rm 512, $rP 1 ...). Fixture cfgt_dual_expected.json: the cfgt JSON real
Kamailio 5.6.3 wrote (cfgt + debugger cfgtest=1) for CFG and the MESSAGES, recorded by
`python tests/modules/cfgcases.py cfgt_dual` (needs root and kamailio)."""
import glob
import json
import os
import shutil
import tempfile

import pytest

from modules import cfgcases

FIXTURE = os.path.join(cfgcases.HERE, "cfgt_dual_expected.json")

CFG = """#!KAMAILIO
debug=2
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
    setflag(3);
    setflag(31);
    $du = "sip:1.2.3.4:5080;transport=tcp";
    xlog("L_NOTICE", "rm=$rm rp=$rp rP=$rP rz=$rz op=$op oP=$oP dp=$dp dP=$dP cl=$cl rs=$rs rsi=$rsi\\n");
    xlog("L_NOTICE", "Rp=$Rp RAp=$RAp pr=$pr proto=$proto mF=$mF bF=$bF sF=$sF true=$true\\n");
    xnotice("DONE\\n");
    exit;
}
"""

_HEAD = ("{method} {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{n}\r\n"
         "From: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: NGCP%tst%{n}\r\n"
         "CSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n")
MESSAGES = [
    _HEAD.format(method="OPTIONS", ruri="sip:127.0.0.1", n=1),
    _HEAD.format(method="INVITE", ruri="sips:bob@127.0.0.1:5099;transport=tcp", n=2),
    _HEAD.format(method="FOO", ruri="tel:+123", n=3),
]


def regenerate():
    import sys
    sys.path.insert(0, os.path.dirname(cfgcases.HERE))
    from oracle.kamailio import run_kamailio
    base = tempfile.mkdtemp(prefix="cfgt-")
    try:
        os.chmod(base, 0o777)
        # cfgt has to be initialised before the debugger binds to it
        cfg = CFG.replace('loadmodule "sl.so"\n', 'loadmodule "sl.so"\nloadmodule "cfgt.so"\n'
                          'loadmodule "debugger.so"\nmodparam("debugger", "cfgtest", 1)\n'
                          f'modparam("cfgt", "basedir", "{base}")\n')
        msgs = [m.encode("latin-1") for m in MESSAGES]
        run = run_kamailio(cfg, msgs, until="DONE", reply_wait=0.3)
        out = {}
        for i in range(1, len(MESSAGES) + 1):
            path = os.path.join(base, "tst", f"{i}.json")
            if not os.path.exists(path):
                raise RuntimeError(f"cfgt wrote no {path}:\n{run.log_text[-2000:]}")
            with open(path, encoding="latin-1") as f:
                out[str(i)] = json.load(f)["flow"]
    finally:
        shutil.rmtree(base, ignore_errors=True)
    with open(FIXTURE, "w", encoding="latin-1") as f:
        json.dump(out, f, indent=1, sort_keys=True)


def _ours(tmp_path, i):
    from cfgvm.cli import main
    import contextlib
    import io
    cfg = tmp_path / "t.cfg"
    cfg.write_text(CFG, encoding="latin-1")
    msg = tmp_path / f"m{i}.sip"
    msg.write_bytes(MESSAGES[i - 1].encode("latin-1"))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["dry-run", "-f", str(cfg), "--msg", str(msg), "--trace", "cfgt"])
    assert rc == 0
    return json.loads(buf.getvalue())["flow"]


@pytest.mark.parametrize("i", range(1, len(MESSAGES) + 1))
def test_cfgt_dual_typed_pvs_as_kamailio(tmp_path, i):
    with open(FIXTURE, encoding="latin-1") as f:
        want = json.load(f)[str(i)]
    assert _ours(tmp_path, i) == want
