"""The xlog oracle fixture: a config full of xlog cases, the message it runs on, and Kamailio's values.

For the dry-run comparison test (issue 4, item 10), from a test module in tests/oracle/:

    from oracle.xlog_cases import CFG, MSG, ENV, SOURCE, LISTEN, load_cases, load_expected, values_from_messages
    expected = load_expected()                        # {"C0001": "INVITE", ...} as real Kamailio 5.6.3 logged
    got = values_from_messages(xlog_messages)         # xlog_messages: the text of each logged line
    assert got == expected

A case line in xlog.cfg logs "Cnnnn|<value>|" (value may span lines). A case that is in the cfg but
absent from expected.tsv is one Kamailio does not log (e.g. xdbg at debug=1): it must stay absent.
The marker C9999 ("end") is logged last and is not a case.

expected.tsv: one row per logged case, "Cnnnn<TAB>value", the value escaped so that it fits on one
line: backslash -> \\, tab -> \t, newline -> \n, carriage return -> \r (nothing else is escaped; the
file is latin-1, one character per byte, like the message).
"""
from __future__ import annotations

import dataclasses
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
CFG = HERE / "xlog.cfg"
MSG = HERE / "invite.sip"
EXPECTED = HERE / "expected.tsv"
# What Kamailio ran with: the environment for $env/$envn, and the addresses ($si/$sp, $Ri/$Rp).
ENV = {"ORACLE_ENV": "env-value", "ORACLE_NUM": "123"}
SOURCE = ("127.0.0.2", 5070)
LISTEN = ("127.0.0.1", 5060)
END_MARKER = "C9999|"

_CASE_IN_CFG = re.compile(r'"(C\d{4})\|')
_CAT = re.compile(r"^\s*# @cat (\S+)")
_CASE_VALUE = re.compile(r"(C\d{4})\|(.*)\|\s*\Z", re.S)
# A Kamailio stderr log record starts a line: " 1(6676) NOTICE: <script>: text"
_RECORD = re.compile(r"^\s*\d+\(\d+\) [A-Z]+: (?:<[^>]*>|[\w-]+)(?: \[[^\]]*\])?: ", re.M)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    category: str
    line: int          # line in xlog.cfg
    source: str        # the cfg line (the xlog call)


def load_cases() -> list[Case]:
    """Every case of xlog.cfg, in file order, with its category."""
    cases, cat = [], "?"
    for n, line in enumerate(CFG.read_text(encoding="latin-1").splitlines(), 1):
        m = _CAT.match(line)
        if m:
            cat = m.group(1)
        for cid in _CASE_IN_CFG.findall(line):
            if cid + "|" != END_MARKER:
                cases.append(Case(cid, cat, n, line.strip()))
    return cases


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text)


def load_expected() -> dict[str, str]:
    """{case id: value logged by real Kamailio 5.6.3}, from expected.tsv."""
    out = {}
    for row in EXPECTED.read_text(encoding="latin-1").split("\n"):
        if row and not row.startswith("#"):
            cid, value = row.split("\t", 1)
            out[cid] = unescape(value)
    return out


def write_expected(values: dict[str, str], header: str) -> None:
    rows = [f"# {h}" for h in header.splitlines()]
    rows += [f"{cid}\t{escape(v)}" for cid, v in sorted(values.items())]
    EXPECTED.write_text("\n".join(rows) + "\n", encoding="latin-1")


def values_from_messages(messages) -> dict[str, str]:
    """{case id: value} from logged message texts ("Cnnnn|value|" each, trailing newline allowed).

    Texts that are not case lines (module errors, the end marker) are ignored. A case logged twice
    raises: every case runs once."""
    out = {}
    for text in messages:
        m = _CASE_VALUE.match(text)
        if not m or m.group(1) + "|" == END_MARKER:
            continue
        if m.group(1) in out:
            raise ValueError(f"case {m.group(1)} logged twice")
        out[m.group(1)] = m.group(2)
    return out


def kamailio_messages(log_text: str) -> list[str]:
    """Split Kamailio's stderr into the message texts of its log records (prefix removed).

    A record runs from its " N(pid) LEVEL: <module>: " prefix to the next record's prefix, so values
    with newlines stay whole. Lines before the first record (the listen banner) are dropped."""
    starts = list(_RECORD.finditer(log_text))
    return [log_text[m.end():(starts[i + 1].start() if i + 1 < len(starts) else len(log_text))]
            for i, m in enumerate(starts)]
