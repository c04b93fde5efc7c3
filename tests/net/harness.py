"""Differential SIP harness: one SIPp scenario x proxy config pair, run against a proxy under test.

A run happens in a fresh network namespace that has only loopback (unique name, always deleted):

    proxy      127.0.0.1:5060   (command from a Proxy template: real Kamailio, later `cfgvm run`)
    uac sipp   127.0.0.2:5070
    uas sipp   127.0.0.3:5080   (and uas2 at 127.0.0.4:5080 for serial forking)

The proxy starts first, then the UAS sipps (each waited for until its socket is bound), then the
UAC. Every process is bounded (sipp -m 1 -timeout N -timeout_error, a wall limit for the whole run)
and stopped by its own PID. The result is what each agent RECEIVED, parsed from sipp's -trace_msg
log, and normalised (see `normalise`) so that two runs of the same proxy give the same transcript.

    from net.harness import KAMAILIO, run_pair, differential
    result = run_pair(PAIRS["invite_stateful_udp"], KAMAILIO)
    result.ok, result.transcript.render()
    print(differential(pair, KAMAILIO, cfgvm_proxy()))
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shutil
import subprocess
import tempfile
import time

from support.netns import DEFAULT_PATH, Netns, read_text, socket_bound, spawn, stop, wait_bound, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIOS = os.path.join(ROOT, "tools", "sipp-scenarios")
CFGS = os.path.join(HERE, "cfgs")

# Fixed addresses inside the namespace: transcripts mention them, so they never change.
PROXY_ADDR = ("127.0.0.1", 5060)
AGENT_ADDR = {"uac": ("127.0.0.2", 5070), "uas": ("127.0.0.3", 5080), "uas2": ("127.0.0.4", 5080)}
MEDIA_PORT = {"uac": 6000, "uas": 6100, "uas2": 6200}
# cfgvm's parser tables are cached there (grammar/lrcache.py): without it every proxy start in a
# fresh HOME spent ~2 s of CPU rebuilding them, a start-up that stretched under load
CACHE_HOME = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
SIPP_TIMEOUT = 10          # seconds: sipp -timeout for every agent
WALL_LIMIT = 25.0          # seconds: the whole pair, start-up to teardown
UAS_GRACE = 5.0            # seconds a UAS may run on after the UAC ended


# ---- what a pair is ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Agent:
    """One sipp: role (uac/uas/uas2), scenario file name, transport (udp/tcp), -key values."""
    role: str
    scenario: str
    transport: str = "udp"
    keys: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Pair:
    """A scenario x cfg pair: the proxy's listeners, the agents, and the first lines each agent must
    have received (checked on top of sipp's own verdict, e.g. which final reply the UAC got)."""
    name: str
    cfg: str
    listen: tuple[str, ...]
    uac: Agent
    uas: tuple[Agent, ...] = ()
    expect: tuple[tuple[str, str], ...] = ()    # (role, first line that must be in its transcript)
    proves: str = ""

    @property
    def agents(self) -> tuple[Agent, ...]:
        return (self.uac,) + self.uas


@dataclasses.dataclass(frozen=True)
class Proxy:
    """How to start a proxy: an argv template. Placeholders: {cfg}, {workdir}, {rundir}; the -l
    options of the pair are appended (one `-l ADDR` per listener)."""
    name: str
    argv: tuple[str, ...]
    process_names: tuple[str, ...] = ()   # /proc/PID/comm once exec'd (to know setns is done)


KAMAILIO = Proxy("kamailio", ("kamailio", "-DD", "-E", "-n", "1", "-f", "{cfg}", "-Y", "{rundir}",
                              "-w", "{workdir}", "-m", "32", "-M", "8"), ("kamailio",))


def cfgvm_proxy(command: str | None = None) -> Proxy:
    """`cfgvm run` with Kamailio's flags; command defaults to $CFGVM or .venv/bin/cfgvm."""
    cmd = command or os.environ.get("CFGVM") or os.path.join(ROOT, ".venv", "bin", "cfgvm")
    return Proxy("cfgvm", (cmd, "run", "-DD", "-E", "-n", "1", "-f", "{cfg}"), ())


# ---- availability --------------------------------------------------------------------------

def live_reason(proxy: Proxy | None = KAMAILIO) -> str:
    """'' when pairs can run here with proxy, else why not (for pytest.skip)."""
    if os.geteuid() != 0:
        return "not root: network namespaces (ip netns) need root"
    for tool in ("ip", "sipp"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    if proxy is KAMAILIO:
        if shutil.which("kamailio") is None:
            return "kamailio is not installed (needs Kamailio 5.6.3 on PATH)"
        out = subprocess.run(["kamailio", "-v"], capture_output=True, text=True, timeout=10).stdout
        if "5.6.3" not in out:
            return f"kamailio is not 5.6.3: {out.splitlines()[0] if out else '?'}"
    return ""


def cfgvm_run_reason(proxy: Proxy) -> str:
    """'' when `cfgvm run --help` exits 0, else why `cfgvm run` cannot be used."""
    cmd = proxy.argv[0]
    if not (os.access(cmd, os.X_OK) or shutil.which(cmd)):
        return f"{cmd} not found"
    try:
        r = subprocess.run([cmd, "run", "--help"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`cfgvm run --help` failed: {e}"
    if r.returncode != 0:
        return f"`cfgvm run` is not available yet (`cfgvm run --help` exited {r.returncode})"
    return ""


def differential_proxy() -> tuple[Proxy | None, str]:
    """(`cfgvm run` as a Proxy, '') when pairs can run here on it and on real Kamailio, else
    (None, why not) for pytest.skip."""
    why = live_reason(KAMAILIO)
    if why:
        return None, why
    proxy = cfgvm_proxy()
    why = cfgvm_run_reason(proxy)
    return (None, why) if why else (proxy, "")


# ---- transcripts ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Message:
    first_line: str
    headers: tuple[tuple[str, str], ...]
    body: str

    def render(self) -> str:
        lines = [self.first_line] + [f"  {n}: {v}" for n, v in self.headers]
        if self.body:
            lines += ["  | " + b for b in self.body.split("\r\n")]
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What each agent received, in arrival order, keyed by role."""
    received: tuple[tuple[str, tuple[Message, ...]], ...]

    def render(self) -> str:
        out = []
        for role, msgs in self.received:
            out.append(f"=== {role} received {len(msgs)} message(s)")
            out += [m.render() for m in msgs]
        return "\n".join(out) + "\n"

    def messages(self, role: str) -> tuple[Message, ...]:
        return dict(self.received).get(role, ())


_LOG_SEP = re.compile(r"^-{20,} \d{4}-\d\d-\d\d [\d:.]+\n", re.M)
_LOG_HEAD = re.compile(r"^(UDP|TCP|TLS|SCTP) message (received|sent) [\[(]\d+[\])] bytes ?:\n\n")


def parse_message_log(text: str) -> list[str]:
    """The raw messages a sipp -trace_msg log says were RECEIVED, in order."""
    out = []
    for chunk in _LOG_SEP.split(text):
        m = _LOG_HEAD.match(chunk)
        if m and m.group(2) == "received":
            out.append(chunk[m.end():].rstrip("\n") + "\n")
    return out


def parse_sip(raw: str) -> tuple[str, list[tuple[str, str]], str]:
    """Split a logged message into first line, headers (name, value) in order, body. sipp logs
    with \\n line ends; a body keeps its own lines joined by \\r\\n for rendering."""
    text = raw.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:      # folded continuation
            n, v = headers[-1]
            headers[-1] = (n, v + " " + line.strip())
        elif ":" in line:
            n, _, v = line.partition(":")
            headers.append((n.strip(), v.strip()))
    return lines[0], headers, body.strip("\n").replace("\n", "\r\n")


# ---- the normaliser ------------------------------------------------------------------------
# Values that legitimately differ between two runs of the same proxy. Each distinct value gets a
# placeholder numbered by first appearance, so equality between values (a CANCEL carrying the
# INVITE's branch, an ACK's To-tag matching the 200's) is kept while the value itself is not.
_VOLATILE = (
    ("BRANCH", re.compile(r"(?i)\bbranch=([^;,\s>]+)")),
    ("TAG", re.compile(r"(?i)(?<![A-Za-z-])tag=([^;,\s>]+)")),     # also ftag= (rr) by value
    ("CALLID", re.compile(r"(?im)^(?:Call-ID|i)\s*:\s*(\S+)")),
)
# Ports the kernel picks (ip_local_port_range 32768-60999 in a fresh namespace): TCP source ports
# show up in rport=, received/alias params and Contact of connection-oriented peers.
_EPHEMERAL_PORT = re.compile(r"(?<=[:=])(3276[89]|327[7-9]\d|32[89]\d\d|3[3-9]\d{3}|[45]\d{4}|60\d{3})\b")


def normalise(raw: list[tuple[str, list[str]]]) -> Transcript:
    """Raw received messages per role -> Transcript with volatile values replaced by placeholders."""
    names: dict[str, str] = {}
    counters: dict[str, int] = {}
    for _role, msgs in raw:
        for m in msgs:
            for kind, rx in _VOLATILE:
                for v in rx.findall(m):
                    if v not in names:
                        counters[kind] = counters.get(kind, 0) + 1
                        names[v] = f"<{kind}{counters[kind]}>"
    # longest first so that a value containing another (a tag inside a Call-ID) is replaced whole
    order = sorted(names, key=len, reverse=True)
    token_rx = re.compile("|".join(re.escape(v) for v in order)) if order else None

    def clean(s: str) -> str:
        if token_rx is not None:
            s = token_rx.sub(lambda m: names[m.group(0)], s)
        return _EPHEMERAL_PORT.sub("<EPORT>", s)

    out = []
    for role, msgs in raw:
        parsed = []
        for m in msgs:
            first, headers, body = parse_sip(clean(m))
            parsed.append(Message(first, tuple(headers), body))
        out.append((role, tuple(parsed)))
    return Transcript(tuple(out))


# ---- running a pair ------------------------------------------------------------------------

@dataclasses.dataclass
class AgentRun:
    role: str
    returncode: int | None
    received: list[str]
    output: str                  # sipp's screen/stderr tail, for failure reports


@dataclasses.dataclass
class PairResult:
    pair: Pair
    proxy: str
    transcript: Transcript
    agents: list[AgentRun]
    proxy_log: str
    seconds: float
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        tail = "\n".join(self.proxy_log.splitlines()[-30:])
        parts = [f"pair {self.pair.name} on {self.proxy}: " + ("; ".join(self.problems) or "ok")]
        for a in self.agents:
            if a.returncode != 0:
                parts.append(f"--- {a.role} sipp exit {a.returncode}:\n{a.output[-1500:]}")
        parts.append(f"--- proxy log tail:\n{tail}")
        parts.append(f"--- transcript:\n{self.transcript.render()}")
        return "\n".join(parts)


def ns_run(ns: str, argv: list[str], log_path: str, cwd: str) -> subprocess.Popen:
    """argv inside ns with cwd as its HOME (sipp and cfgvm write there) and cfgvm's parser cache."""
    return spawn(ns, argv, log_path, cwd, {"PATH": os.environ.get("PATH", DEFAULT_PATH), "LANG": "C",
                                           "HOME": cwd, "XDG_CACHE_HOME": CACHE_HOME})


def sipp_argv(agent: Agent, msg_log: str) -> list[str]:
    ip, port = AGENT_ADDR[agent.role]
    argv = ["sipp", "-sf", os.path.join(SCENARIOS, agent.scenario), "-i", ip, "-p", str(port),
            "-bind_local", "-mp", str(MEDIA_PORT[agent.role]), "-t", "t1" if agent.transport == "tcp" else "u1",
            "-m", "1", "-nostdin", "-timeout", f"{SIPP_TIMEOUT}s", "-timeout_error",
            "-trace_msg", "-message_file", msg_log, "-trace_err", "-error_file", msg_log + ".err"]
    for k, v in agent.keys:
        argv += ["-key", k, v]
    if agent.role == "uac":
        argv += ["-s", "uas", f"{PROXY_ADDR[0]}:{PROXY_ADDR[1]}"]
    return argv


def _await_agents(sipps, deadline: float) -> None:
    """Wait for the sipps: the UAC until the deadline, each UAS at most UAS_GRACE after the UAC
    ended; once any agent failed, the others get 1 s more. Whatever still runs is stopped."""
    cutoff = deadline
    while time.monotonic() < cutoff:
        codes = {a.role: p.poll() for a, p, _ in sipps}
        if all(c is not None for c in codes.values()):
            return
        if any(c not in (None, 0) for c in codes.values()):
            cutoff = min(cutoff, time.monotonic() + 1.0)
        elif codes.get("uac") == 0:
            cutoff = min(cutoff, time.monotonic() + UAS_GRACE)
        time.sleep(0.02)
    for _a, p, _ in sipps:
        if p.poll() is None:
            stop(p, group=True)
            p.returncode = None   # report it as "still running", not by the signal it got


def run_pair(pair: Pair, proxy: Proxy, keep: str | None = None) -> PairResult:
    """Run pair with proxy in a fresh namespace; never raises for a failing pair (see .problems).
    keep: a directory to copy the logs into (for debugging)."""
    t0 = time.monotonic()
    deadline = t0 + WALL_LIMIT
    problems: list[str] = []
    procs: list[subprocess.Popen] = []
    agent_runs: list[AgentRun] = []
    with tempfile.TemporaryDirectory(prefix=f"net-{pair.name}-") as tmp:
        rundir = os.path.join(tmp, "run")
        os.mkdir(rundir)
        proxy_log = os.path.join(tmp, "proxy.log")
        ns = Netns("cfgvmnet").__enter__()
        try:
            fill = {"cfg": os.path.join(CFGS, pair.cfg), "workdir": tmp, "rundir": rundir}
            argv = [a.format(**fill) for a in proxy.argv]
            for addr in pair.listen:
                argv += ["-l", addr]
            pproc = ns_run(ns.name, argv, proxy_log, tmp)
            procs.append(pproc)
            binds = [(proto, ip, int(port)) for proto, ip, port in (a.split(":") for a in pair.listen)]
            problems += ["proxy " + p for p in wait_bound(pproc, binds, 15, proxy.process_names)]
            sipps = []
            if not problems:
                for agent in pair.uas + (pair.uac,):
                    log = os.path.join(tmp, f"{agent.role}.msg")
                    p = ns_run(ns.name, sipp_argv(agent, log), os.path.join(tmp, f"{agent.role}.out"), tmp)
                    procs.append(p)
                    sipps.append((agent, p, log))
                    if agent.role != "uac":
                        ip, port = AGENT_ADDR[agent.role]
                        if not wait_for(lambda: p.poll() is not None or
                                        socket_bound(p.pid, port, ip, agent.transport, ("sipp",)), 10):
                            problems.append(f"{agent.role} sipp did not bind within 10 s")
                _await_agents(sipps, deadline)
                for agent, p, log in sipps:
                    rc = p.returncode
                    if rc is None:
                        problems.append(f"{agent.role} sipp was still running when stopped")
                    elif rc != 0:
                        problems.append(f"{agent.role} sipp exited {rc}")
                    out = read_text(os.path.join(tmp, f"{agent.role}.out")) + read_text(log + ".err")
                    agent_runs.append(AgentRun(agent.role, rc, parse_message_log(read_text(log)), out))
            if pproc.poll() is not None:
                problems.append(f"proxy died during the run (status {pproc.returncode})")
        finally:
            for p in reversed(procs):
                stop(p, group=True)
            ns.delete()
            if keep:
                shutil.copytree(tmp, os.path.join(keep, f"{pair.name}-{proxy.name}"), dirs_exist_ok=True)
        log_text = read_text(proxy_log)
    order = {a.role: i for i, a in enumerate(pair.agents)}
    agent_runs.sort(key=lambda a: order[a.role])
    transcript = normalise([(a.role, a.received) for a in agent_runs])
    for role, line in pair.expect:
        if line not in [m.first_line for m in transcript.messages(role)]:
            problems.append(f"{role} did not receive {line!r}")
    return PairResult(pair, proxy.name, transcript, agent_runs, log_text, time.monotonic() - t0, problems)


def differential(pair: Pair, proxy_a: Proxy, proxy_b: Proxy) -> str:
    """Run pair on both proxies, one after the other; '' when the normalised transcripts are
    identical, else a readable report (problems of either run, then a unified diff)."""
    ra, rb = run_pair(pair, proxy_a), run_pair(pair, proxy_b)
    return compare(ra, rb)


def compare(ra: PairResult, rb: PairResult) -> str:
    """'' when both runs succeeded with identical normalised transcripts, else a readable report."""
    out = []
    for r in (ra, rb):
        if not r.ok:
            out.append(f"{r.proxy}: " + "; ".join(r.problems))
    a, b = ra.transcript.render(), rb.transcript.render()
    if a != b:
        out += difflib.unified_diff(a.splitlines(), b.splitlines(), f"{ra.pair.name} on {ra.proxy}",
                                    f"{rb.pair.name} on {rb.proxy}", lineterm="")
    if out:
        # what a diagnosis needs: retransmissions betray a hop slower than T1 (a timing flake, not
        # a behaviour difference); then each run's own report with its proxy log
        for r in (ra, rb):
            again = retransmissions(r.transcript)
            if again:
                out.append(f"{r.proxy}: retransmissions received (a hop took longer than T1): {again}")
        out += ["", ra.report(), "", rb.report()]
    return "\n".join(out)


def retransmissions(t: Transcript) -> list[str]:
    """Messages an agent received more than once (same first line, branch and CSeq), as role: line."""
    out = []
    for role, msgs in t.received:
        seen = set()
        for m in msgs:
            h = dict((n.lower(), v) for n, v in m.headers)
            key = (m.first_line, h.get("via", "").split(",")[0], h.get("cseq"))
            if key in seen:
                out.append(f"{role}: {m.first_line}")
            seen.add(key)
    return out


def run_pairs(pairs: list[Pair], proxy: Proxy, jobs: int = 4) -> dict[str, PairResult]:
    """Run many pairs, each in its own namespace, `jobs` at a time; results by pair name."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(zip([p.name for p in pairs], pool.map(lambda p: run_pair(p, proxy), pairs)))
