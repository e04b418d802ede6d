"""Build and always tear down one emulated link: sender, router and receiver namespaces.

Names carry this process's id and a random tag, so parallel runs (two benchmarks, a test
and a benchmark) never collide, and a lab left behind by a process killed with SIGKILL is
recognised and removed by the next one (its pid is gone). Teardown is the one thing that
must not fail: :func:`open_lab` is a context manager, every open lab is also closed by
``atexit``, and SIGTERM is turned into ``SystemExit`` while a lab is open (when nothing
else handles it) so the context managers unwind. Deleting a namespace deletes its veth
ends, qdiscs and iptables rules with it; the processes started inside are killed first.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ferry.engine.lab.netns import LabError, remove_stale
from ferry.engine.lab.netns import kill_namespace as _kill_namespace
from ferry.engine.lab.netns import run as _run

logger = logging.getLogger(__name__)

PREFIX = "ferrylab"
SENDER_IP = "10.77.1.1"
RECEIVER_IP = "10.77.2.1"
_ROUTER_SENDER_SIDE = "10.77.1.2"
_ROUTER_RECEIVER_SIDE = "10.77.2.2"
#: NFQUEUE numbers in the router (per namespace, so every lab can use the same two).
QUEUE_FORWARD, QUEUE_BACKWARD = 1, 2
_READY_SECONDS = 20.0


@dataclass(frozen=True)
class LinkSpec:
    """What the link does to every packet, in each direction."""

    rate_mbit: float
    rtt_ms: float
    loss_percent: float = 0.0
    queue_ms: float | None = None
    """The bottleneck queue (tbf's limit) in milliseconds at the rate; default one round
    trip (at least 20 ms): a bandwidth-delay product of buffer, the usual sizing."""

    @property
    def rate_bytes(self) -> float:
        return self.rate_mbit * 1e6 / 8

    @property
    def link_mb_per_s(self) -> float:
        return self.rate_bytes / 1e6

    def queue_bytes(self) -> int:
        queue_ms = self.queue_ms if self.queue_ms is not None else max(self.rtt_ms, 20.0)
        return max(30_000, int(self.rate_bytes * queue_ms / 1000))

    def burst_bytes(self) -> int:
        """tbf's bucket: a millisecond at the rate, at least two full-size frames."""
        return max(3_028, int(self.rate_bytes / 1000))


def lab_missing() -> str | None:
    """Why a lab cannot be built here, in one line; None when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the WAN lab needs root (network namespaces, tc, iptables)"
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("iptables", "iptables")):
        if shutil.which(tool) is None:
            return f"the WAN lab needs {tool!r} (Debian package {package})"
    try:
        import netfilterqueue  # noqa: F401
    except ImportError:
        return "the WAN lab needs the netfilterqueue package (pip; libnetfilter-queue-dev)"
    return None


def remove_stale_labs() -> list[str]:
    """Delete WAN labs whose creating process is gone (killed before it could clean up)."""
    return remove_stale(PREFIX)


@dataclass
class Lab:
    """One built link. ``sender``/``receiver``/``router`` are namespace names."""

    spec: LinkSpec
    tag: str
    sender: str = ""
    router: str = ""
    receiver: str = ""
    impairer: subprocess.Popen[str] | None = None
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)
    closed: bool = False
    final_stats: dict[str, Any] | None = None
    _stats_lock: threading.Lock = field(default_factory=threading.Lock)

    sender_ip = SENDER_IP
    receiver_ip = RECEIVER_IP

    def argv_in(self, namespace: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside ``namespace``."""
        return ["ip", "netns", "exec", namespace, *argv]

    def popen(self, namespace: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start a process in ``namespace``; the lab kills it at close if it still runs."""
        process = subprocess.Popen(self.argv_in(namespace, argv), **kwargs)
        self.processes.append(process)
        return process

    def stats(self) -> dict[str, Any]:
        """The impairment stage's counters so far (packets, drops, held delay per direction)."""
        if self.impairer is None or self.impairer.poll() is not None:
            return dict(self.final_stats or {})
        with self._stats_lock:
            assert self.impairer.stdout is not None
            self.impairer.send_signal(signal.SIGUSR1)
            line = self.impairer.stdout.readline()
        return json.loads(line) if line else {}

    def set_forwarding(self, up: bool) -> None:
        """Cut the link (both of the router's interfaces down) or restore it."""
        state = "up" if up else "down"
        for device in ("to-s", "to-r"):
            _run(["ip", "-n", self.router, "link", "set", device, state])

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        _open_labs.discard(self)
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        if self.impairer is not None and self.impairer.poll() is None:
            self.impairer.terminate()
            try:
                out, _ = self.impairer.communicate(timeout=5)
                lines = [line for line in out.splitlines() if line.startswith("{")]
                self.final_stats = json.loads(lines[-1]) if lines else None
            except subprocess.TimeoutExpired:
                self.impairer.kill()
        for process in [*self.processes, *([self.impairer] if self.impairer else [])]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for name in (self.sender, self.router, self.receiver):
            if name:
                _kill_namespace(name)

    def __hash__(self) -> int:
        return hash(self.tag)


_open_labs: set[Lab] = set()


def _close_all() -> None:
    for lab in list(_open_labs):
        try:
            lab.close()
        except Exception:  # at exit: close every other lab regardless
            logger.exception("could not tear down lab %s", lab.tag)


atexit.register(_close_all)


def _sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _build(lab: Lab) -> None:
    spec = lab.spec
    for name in (lab.sender, lab.router, lab.receiver):
        _run(["ip", "netns", "add", name])
        _run(["ip", "-n", name, "link", "set", "lo", "up"])
    # Create each pair inside its namespaces: no name ever appears in the root namespace.
    _run(["ip", "-n", lab.sender, "link", "add", "eth0", "type", "veth",
          "peer", "name", "to-s", "netns", lab.router])  # fmt: skip
    _run(["ip", "-n", lab.receiver, "link", "add", "eth0", "type", "veth",
          "peer", "name", "to-r", "netns", lab.router])  # fmt: skip
    for ns, dev, address in (
        (lab.sender, "eth0", f"{SENDER_IP}/24"),
        (lab.router, "to-s", f"{_ROUTER_SENDER_SIDE}/24"),
        (lab.router, "to-r", f"{_ROUTER_RECEIVER_SIDE}/24"),
        (lab.receiver, "eth0", f"{RECEIVER_IP}/24"),
    ):
        _run(["ip", "-n", ns, "addr", "add", address, "dev", dev])
        _run(["ip", "-n", ns, "link", "set", dev, "up"])
        if shutil.which("ethtool"):  # wire-size packets everywhere: tbf and NFQUEUE see
            # what a real link carries, not 64 KiB offload super-packets
            _run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off",
                  "gro", "off"], check=False)  # fmt: skip
    _run(["ip", "-n", lab.sender, "route", "add", "default", "via", _ROUTER_SENDER_SIDE])
    _run(["ip", "-n", lab.receiver, "route", "add", "default", "via", _ROUTER_RECEIVER_SIDE])
    _run(["ip", "netns", "exec", lab.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    for device in ("to-s", "to-r"):
        _run(["tc", "-n", lab.router, "qdisc", "add", "dev", device, "root", "tbf",
              "rate", f"{spec.rate_mbit}mbit", "burst", str(spec.burst_bytes()),
              "limit", str(spec.queue_bytes())])  # fmt: skip
    if spec.rtt_ms > 0 or spec.loss_percent > 0:
        _start_impairer(lab)


def _start_impairer(lab: Lab) -> None:
    spec = lab.spec
    argv = [
        sys.executable, "-m", "ferry.benchmarks.lab.impair",
        "--delay-ms", str(spec.rtt_ms / 2), "--loss-percent", str(spec.loss_percent),
        "--queues", f"{QUEUE_FORWARD},{QUEUE_BACKWARD}", "--seed", str(secrets.randbits(32)),
    ]  # fmt: skip
    lab.impairer = subprocess.Popen(
        lab.argv_in(lab.router, argv), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    stdout: IO[str] | None = lab.impairer.stdout
    assert stdout is not None
    ready = stdout.readline().strip()  # the stage prints "ready" once both queues are bound
    if ready != "ready":
        raise LabError(f"the impairment stage did not start (said {ready!r})")
    for device, queue in (("to-s", QUEUE_FORWARD), ("to-r", QUEUE_BACKWARD)):
        _run(["ip", "netns", "exec", lab.router, "iptables", "-A", "FORWARD", "-i", device,
              "-j", "NFQUEUE", "--queue-num", str(queue)])  # fmt: skip


@contextlib.contextmanager
def open_lab(spec: LinkSpec) -> Iterator[Lab]:
    """Build the three namespaces for ``spec``; tear everything down on the way out."""
    missing = lab_missing()
    if missing:
        raise LabError(missing)
    remove_stale_labs()
    tag = secrets.token_hex(3)
    base = f"{PREFIX}-{os.getpid()}-{tag}"
    lab = Lab(spec, tag, f"{base}-s", f"{base}-r", f"{base}-d")
    _open_labs.add(lab)
    previous = None
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        _build(lab)
        yield lab
    finally:
        try:
            lab.close()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
