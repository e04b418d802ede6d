"""The raw aiortc data-channel ceiling: what aiortc alone moves between two processes.

Ferry's end-to-end throughput is reported as a fraction of this figure, so this benchmark does
the least that a real transfer must: one aiortc peer per process (two peers in one process
share one GIL and measure nothing useful), one reliable ordered RTCDataChannel, and the same
sender-side backpressure Ferry uses (send only while ``bufferedAmount`` is at or under
``bufferedAmountLowThreshold``; resume on the ``bufferedamountlow`` event, never by polling).
The payload is one preallocated block sliced per message: no file I/O, no hashing, no framing.
The receiver only counts bytes. SCTP acknowledges every packet, as aiortc does, and the
UDP sockets keep the system's receive buffers, unless ``delayed_acks`` gives both peers the
transport tuning Ferry uses: its SACK policy (``actors.sctp_acks``) and 4 MiB receive
buffers (``actors.udp_buffers``, since 2026-11-26). The ceiling with it is the
like-for-like reference for what Ferry's own work costs.

``source`` (a file) adds the work any correct transfer into an encrypted store must do, done
the cheapest way, inline on each peer's loop with no threads and no framing: the sender
reads the file in 1 MiB blocks and hashes them (SHA-256); the receiver feeds what arrives
to the vault's own blob writer (``actors.vault.format.SegmentWriter``: SHA-256, AES-256-GCM
in 1 MiB segments, one fsync at the end), and the runner checks the digests match. Ferry
against this reference is what its design (actors, framing, sessions, credit, resume
checkpoints, the vault's index) costs beyond aiortc and the work itself.

Measurement definition (one run):

- ``seconds`` = receiver's ``time.monotonic()`` when its byte count reaches ``size_bytes``
  minus the sender's ``time.monotonic()`` just before its first ``channel.send()``. Both
  processes read the same machine-wide clock (CLOCK_MONOTONIC), so the difference is exact.
- ``mb_per_s`` = ``size_bytes / seconds / 1e6`` (MB = 10**6 bytes; the payload only, not
  SCTP/DTLS overhead).
- ``setup_seconds`` = from the sender creating its RTCPeerConnection (both processes already
  started and imported) to the channel's ``open`` event on the sender: certificate,
  offer/answer, ICE on 127.0.0.1, DTLS and SCTP handshakes, DCEP. Process start-up is not in
  either figure.
- CPU % per side (100 = one full core): process CPU time over the side's own window, sender
  from first send until the receiver's "done" arrives, receiver from first to last byte.
  MB per sender CPU-second (``mb_per_s / sender CPU share``) is steadier than MB/s on a
  shared machine (other jobs take cores and MB/s falls with the CPU share), though not immune.
- Peak RSS per process: that child's own high-water mark (see ``benchmarks._procs``);
  ``*_start_rss_mb`` is the RSS when the transfer began, so growth is peak minus start.

Network rule: ICE may gather only 127.0.0.1 (``actors.ice.restricted_ice_addresses``), no STUN
or TURN server is configured, and the two peers signal over a local pipe. The sender checks
its own offer and refuses to run if any candidate names another address.

Run: ``.venv/bin/python -m benchmarks.ceiling --size-mib 256 --message-sizes 16384,65536
--loops uvloop,asyncio --repeat 3``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ferry.benchmarks import _procs

if TYPE_CHECKING:
    from ferry.actors.storage.vault.format import SegmentWriter

T = TypeVar("T")

MIB = 1 << 20
LOOPBACK = ("127.0.0.1",)
LOOPS = ("uvloop", "asyncio")
DEFAULT_LOOP = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
DEFAULT_THRESHOLD = 1 << 20
_BLOCK_BYTES = 1 << 20
_SPAWN_SECONDS = 60.0
_CLOSE_SECONDS = 10.0
_GUARD_TICK_SECONDS = 1.0


class MessageTooLarge(ValueError):
    """The remote peer advertises a smaller max message size (aiortc: 262144 bytes)."""


@dataclass(frozen=True)
class CeilingResult:
    """One transfer's figures; see the module docstring for exact definitions."""

    mb_per_s: float
    seconds: float
    setup_seconds: float
    sender_peak_rss_mb: float
    receiver_peak_rss_mb: float
    loop: str
    message_size: int
    size_bytes: int
    threshold: int
    sender_start_rss_mb: float
    receiver_start_rss_mb: float
    sender_cpu_pct: float
    receiver_cpu_pct: float
    messages: int
    sender_waits: int
    """How often the sender blocked on ``bufferedamountlow``."""
    sender_cpu_seconds: float = float("nan")
    """The sender's CPU time from its first send to the receiver's "done"."""
    receiver_cpu_seconds: float = float("nan")
    """The receiver's CPU time from its first byte to its last."""
    delayed_acks: bool = False
    """Both peers had Ferry's transport tuning: a SACK every second packet, not every one
    (aiortc's), and 4 MiB socket receive buffers."""
    work: bool = False
    """The peers read, hashed, encrypted and wrote the bytes (see the module docstring)."""
    stored_bytes: int = 0
    """With the work: the size of the vault blob the receiver wrote."""

    @property
    def sender_mb_per_cpu_second(self) -> float:
        """MB moved per CPU-second of the sender: steadier than MB/s on a shared machine.

        The work is CPU-bound, so when other jobs take the cores MB/s falls with the
        sender's CPU share; this figure moves much less (cache and wake-up costs remain).
        """
        return self.mb_per_s * 100 / self.sender_cpu_pct if self.sender_cpu_pct else 0.0


@dataclass(frozen=True)
class _SenderReport:
    setup_started: float
    opened: float
    first_send: float
    done_received: float
    cpu_seconds: float
    start_rss_mb: float
    messages: int
    waits: int
    sha256: str = ""
    """Of what was read, when the peers did the work."""


@dataclass(frozen=True)
class _ReceiverReport:
    first_byte: float
    last_byte: float
    received: int
    messages: int
    cpu_seconds: float
    start_rss_mb: float
    sha256: str = ""
    """Of what arrived, when the peers did the work."""
    stored_bytes: int = 0


# --------------------------------------------------------------------------- child side


def _run_on_loop(loop: str, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` on a fresh event loop of the named kind."""
    factory = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main())


class _Signal:
    """Offer, answer and "done" between the peers over a local pipe, awaited without threads."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def send(self, kind: str, payload: Any = None) -> None:
        self._conn.send((kind, payload))

    async def recv(self, expected: str, timeout: float) -> Any:
        if not self._conn.poll():
            loop = asyncio.get_running_loop()
            readable = loop.create_future()
            fd = self._conn.fileno()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                async with asyncio.timeout(timeout):
                    await readable
            except TimeoutError:
                raise TimeoutError(
                    f"no {expected!r} from the other peer within {timeout:.0f} s"
                ) from None
            finally:
                loop.remove_reader(fd)
        try:
            kind, payload = self._conn.recv()
        except EOFError:
            raise ConnectionError(f"the other peer went away before sending {expected!r}") from None
        if kind != expected:
            raise RuntimeError(f"expected {expected!r} from the other peer, got {kind!r}")
        return payload


async def _guarded(
    work: Awaitable[T], progress: Callable[[], int], stall_timeout: float, what: str
) -> T:
    """Await ``work``, failing clearly if ``progress()`` stops moving for ``stall_timeout``.

    A watchdog that wakes once a second costs nothing on the hot path, unlike a timeout
    around every ``bufferedamountlow`` wait (one per message at steady state).
    """
    task = asyncio.ensure_future(work)
    last, last_change = progress(), time.monotonic()
    while True:
        done, _ = await asyncio.wait({task}, timeout=_GUARD_TICK_SECONDS)
        if done:
            return task.result()
        now = progress()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > stall_timeout:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise TimeoutError(f"{what}: no progress for {stall_timeout:.0f} s at {now} bytes")


def _check_loopback(sdp: str) -> None:
    """Refuse to run if ICE offered any address but loopback (the network rule)."""
    addresses = {line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate:")}
    if not addresses or not addresses <= set(LOOPBACK):
        raise RuntimeError(f"ICE candidates must be loopback only, got {sorted(addresses)}")


async def _close(pc: Any) -> None:
    """Close a peer connection; teardown is not measured, so a slow close only warns."""
    try:
        await asyncio.wait_for(pc.close(), _CLOSE_SECONDS)
    except TimeoutError:
        print(f"warning: peer connection did not close in {_CLOSE_SECONDS:.0f} s", file=sys.stderr)


def _block_bytes(message_size: int) -> int:
    """A whole number of messages, about 1 MiB."""
    return message_size * max(1, _BLOCK_BYTES // message_size)


class _Payload:
    """The sender's blocks: one preallocated block over and over, or a file read and hashed."""

    def __init__(self, message_size: int, source: str | None) -> None:
        self._size = _block_bytes(message_size)
        self._file = open(source, "rb", buffering=0) if source else None  # noqa: SIM115
        self._block = b"" if self._file else os.urandom(self._size)
        self.digest = hashlib.sha256()

    def next_block(self) -> bytes:
        if self._file is None:
            return self._block
        block = self._file.read(self._size)
        self.digest.update(block)
        return block

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


async def _sender(
    signal: _Signal,
    size_bytes: int,
    message_size: int,
    threshold: int,
    setup_timeout: float,
    stall_timeout: float,
    delayed_acks: bool = False,
    source: str | None = None,
) -> _SenderReport:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from ferry.actors.transport.ice import restricted_ice_addresses
    from ferry.actors.transport.sctp_acks import delay_acks
    from ferry.actors.transport.udp_buffers import enlarge_receive_buffers

    payload = _Payload(message_size, source)
    await signal.recv("ready", setup_timeout)
    setup_started = time.monotonic()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        channel = pc.createDataChannel("ceiling")
        if delayed_acks and delay_acks(pc.sctp) is None:
            raise RuntimeError("this aiortc cannot delay SACKs (see actors/sctp_acks.py)")
        opened = asyncio.Event()
        channel.on("open", opened.set)
        try:
            async with asyncio.timeout(setup_timeout):
                with restricted_ice_addresses(LOOPBACK):
                    await pc.setLocalDescription(await pc.createOffer())
                    if delayed_acks:
                        enlarge_receive_buffers(pc)
                    _check_loopback(pc.localDescription.sdp)
                    signal.send("offer", pc.localDescription.sdp)
                    answer = await signal.recv("answer", setup_timeout)
                    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
                await opened.wait()
        except TimeoutError:
            raise TimeoutError(
                f"WebRTC setup not done within {setup_timeout:.0f} s (ICE "
                f"{pc.iceConnectionState}, connection {pc.connectionState})"
            ) from None
        opened_at = time.monotonic()

        low = asyncio.Event()
        channel.bufferedAmountLowThreshold = threshold
        channel.on("bufferedamountlow", low.set)
        channel.on("close", low.set)  # wake a waiting sender so send() reports the close
        state: dict[str, float] = {"sent": 0, "messages": 0, "waits": 0}

        async def pump() -> None:
            sent = messages = waits = offset = 0
            send = channel.send
            state["start_rss"] = _procs.rss_mb()
            state["cpu_start"] = time.process_time()
            state["first_send"] = time.monotonic()
            block = payload.next_block()
            block_len = len(block)
            while sent < size_bytes:
                if channel.bufferedAmount > threshold:
                    low.clear()  # nothing ran since the check, so no event can be lost
                    waits += 1
                    state["sent"] = sent
                    await low.wait()
                n = min(message_size, size_bytes - sent)
                try:
                    send(block[offset : offset + n])
                except ValueError as exc:
                    raise MessageTooLarge(str(exc)) from exc
                sent += n
                messages += 1
                offset += n
                if offset >= block_len:
                    block, offset = payload.next_block(), 0
                    block_len = len(block)
            state.update(sent=sent, messages=messages, waits=waits)

        await _guarded(pump(), lambda: int(state["sent"]), stall_timeout, "sender")
        await signal.recv("done", stall_timeout)
        done_received = time.monotonic()
        cpu_seconds = time.process_time() - state["cpu_start"]
    finally:
        payload.close()
        await _close(pc)
    return _SenderReport(
        setup_started=setup_started,
        opened=opened_at,
        first_send=state["first_send"],
        done_received=done_received,
        cpu_seconds=cpu_seconds,
        start_rss_mb=state["start_rss"],
        messages=int(state["messages"]),
        waits=int(state["waits"]),
        sha256=payload.digest.hexdigest() if source else "",
    )


class _Counter:
    """The receiver's whole job: count bytes, stamp the first and the last."""

    __slots__ = (
        "_blob",
        "_size",
        "complete",
        "cpu_first",
        "cpu_last",
        "first",
        "last",
        "messages",
        "received",
        "sha256",
    )

    def __init__(self, size_bytes: int, blob: SegmentWriter | None = None) -> None:
        self.received = self.messages = 0
        self.first = self.last = self.cpu_first = self.cpu_last = 0.0
        self.complete = asyncio.Event()
        self.sha256 = ""  # of what arrived, once the blob is finished
        self._size = size_bytes
        self._blob = blob

    def on_message(self, data: bytes | str) -> None:
        if not self.messages:
            self.first, self.cpu_first = time.monotonic(), time.process_time()
        self.messages += 1
        self.received += len(data)
        if self._blob is not None:
            self._blob.write(data)  # type: ignore[arg-type]  # the sender sends bytes only
        if self.received >= self._size and not self.complete.is_set():
            if self._blob is not None:
                self.sha256 = self._blob.finish()[1].hex()
            self.last, self.cpu_last = time.monotonic(), time.process_time()
            self.complete.set()


async def _receiver(
    signal: _Signal,
    size_bytes: int,
    setup_timeout: float,
    stall_timeout: float,
    delayed_acks: bool = False,
    work_dir: str | None = None,
) -> _ReceiverReport:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from ferry.actors.transport.ice import restricted_ice_addresses
    from ferry.actors.transport.sctp_acks import delay_acks
    from ferry.actors.transport.udp_buffers import enlarge_receive_buffers

    blob = None
    if work_dir is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from ferry.actors.storage.vault.format import SegmentWriter

        blob_path = Path(work_dir) / "ceiling.blob"
        blob = SegmentWriter(blob_path, AESGCM.generate_key(bit_length=256), "ceiling")
    counter = _Counter(size_bytes, blob)
    start_rss = [float("nan")]
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))

    @pc.on("datachannel")
    def on_datachannel(channel: Any) -> None:
        start_rss[0] = _procs.rss_mb()
        channel.on("message", counter.on_message)

    try:
        signal.send("ready")
        offer = await signal.recv("offer", setup_timeout)
        with restricted_ice_addresses(LOOPBACK):
            await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            if delayed_acks and delay_acks(pc.sctp) is None:
                raise RuntimeError("this aiortc cannot delay SACKs (see actors/sctp_acks.py)")
            await pc.setLocalDescription(await pc.createAnswer())
        if delayed_acks:
            enlarge_receive_buffers(pc)
        signal.send("answer", pc.localDescription.sdp)
        await _guarded(
            counter.complete.wait(),
            lambda: counter.received,
            setup_timeout + stall_timeout,
            "receiver",
        )
        signal.send("done")
    finally:
        if blob is not None:
            blob.close()  # after finish() a no-op; on a failure, the file is left unfinished
        await _close(pc)
    return _ReceiverReport(
        first_byte=counter.first,
        last_byte=counter.last,
        received=counter.received,
        messages=counter.messages,
        cpu_seconds=counter.cpu_last - counter.cpu_first,
        start_rss_mb=start_rss[0],
        sha256=counter.sha256,
        stored_bytes=blob.path.stat().st_size if blob is not None else 0,
    )


def _sender_main(conn: Connection, loop: str, *args: Any) -> _SenderReport:
    """Child entry point: the sending peer."""
    return _run_on_loop(loop, lambda: _sender(_Signal(conn), *args))


def _receiver_main(conn: Connection, loop: str, *args: Any) -> _ReceiverReport:
    """Child entry point: the receiving peer."""
    return _run_on_loop(loop, lambda: _receiver(_Signal(conn), *args))


# --------------------------------------------------------------------------- runner side


def run_ceiling(
    size_mib: int,
    message_size: int,
    loop: str = DEFAULT_LOOP,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    setup_timeout: float = 30.0,
    stall_timeout: float = 30.0,
    delayed_acks: bool = False,
    source: Path | None = None,
    work_dir: str | None = None,
) -> CeilingResult:
    """Move ``size_mib`` MiB in ``message_size``-byte messages between two fresh processes.

    With ``source`` (a file of exactly ``size_mib`` MiB) the peers also do the work of a
    transfer into an encrypted store (module docstring), the receiver's file going to a
    temporary folder under ``work_dir``. Raises MessageTooLarge when the receiver's
    advertised max message size is smaller than ``message_size``, and
    ``_procs.ChildError`` with a clear message when a peer fails, the setup takes longer
    than ``setup_timeout`` or the transfer stalls for ``stall_timeout``.
    """
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, not {loop!r}")
    if loop == "uvloop" and importlib.util.find_spec("uvloop") is None:
        raise ValueError("uvloop is not installed here: use loop='asyncio'")
    if size_mib < 1 or message_size < 1 or threshold < 0:
        raise ValueError("size_mib and message_size must be positive, threshold not negative")
    size_bytes = size_mib * MIB
    if source is not None and source.stat().st_size != size_bytes:
        raise ValueError(f"{source} is {source.stat().st_size} bytes, not {size_mib} MiB")
    # Last resort only: each peer fails by itself on a slow setup or a stall.
    overall = _SPAWN_SECONDS + 2 * setup_timeout + stall_timeout + size_bytes / 1e6
    sender_end, receiver_end = _procs.pipe()
    with contextlib.ExitStack() as stack, _procs.child_processes() as start:
        store_dir = None
        if source is not None:
            store_dir = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="ferry-ceiling-", dir=work_dir)
            )
        receiver = start(
            "ceiling-receiver",
            _receiver_main,
            receiver_end,
            loop,
            size_bytes,
            setup_timeout,
            stall_timeout,
            delayed_acks,
            store_dir,
        )
        sender = start(
            "ceiling-sender",
            _sender_main,
            sender_end,
            loop,
            size_bytes,
            message_size,
            threshold,
            setup_timeout,
            stall_timeout,
            delayed_acks,
            None if source is None else str(source),
        )
        sender_end.close()
        receiver_end.close()
        try:
            sent, received = _procs.wait_all([sender, receiver], overall)
        except _procs.ChildError as exc:
            if isinstance(exc.exception, MessageTooLarge):
                raise exc.exception from None
            raise
    s: _SenderReport = sent.value
    r: _ReceiverReport = received.value
    if r.received != size_bytes:
        raise RuntimeError(f"receiver counted {r.received} bytes, expected {size_bytes}")
    if r.sha256 != s.sha256:
        raise RuntimeError(f"the receiver stored SHA-256 {r.sha256}, the sender read {s.sha256}")
    seconds = r.last_byte - s.first_send
    return CeilingResult(
        mb_per_s=size_bytes / seconds / 1e6,
        seconds=seconds,
        setup_seconds=s.opened - s.setup_started,
        sender_peak_rss_mb=sent.peak_rss_mb,
        receiver_peak_rss_mb=received.peak_rss_mb,
        loop=loop,
        message_size=message_size,
        size_bytes=size_bytes,
        threshold=threshold,
        sender_start_rss_mb=s.start_rss_mb,
        receiver_start_rss_mb=r.start_rss_mb,
        sender_cpu_pct=100 * s.cpu_seconds / (s.done_received - s.first_send),
        receiver_cpu_pct=100 * r.cpu_seconds / max(r.last_byte - r.first_byte, 1e-9),
        messages=r.messages,
        sender_waits=s.waits,
        sender_cpu_seconds=s.cpu_seconds,
        receiver_cpu_seconds=r.cpu_seconds,
        delayed_acks=delayed_acks,
        work=source is not None,
        stored_bytes=r.stored_bytes,
    )


# --------------------------------------------------------------------------- CLI


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _name_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if name not in LOOPS:
            raise argparse.ArgumentTypeError(f"unknown loop {name!r} (choose from {LOOPS})")
    return names


def _table(results: Sequence[CeilingResult]) -> str:
    head = (
        f"{'loop':8} {'msg B':>7} {'runs':>4} {'MB/s med':>8} {'(min-max)':>13} "
        f"{'s med':>6} {'setup s':>7} {'snd RSS MB':>14} {'rcv RSS MB':>14} "
        f"{'snd CPU':>7} {'rcv CPU':>7} {'MB/snd-CPU-s':>12}"
    )
    lines = [head, "-" * len(head)]
    keys = sorted(
        {(r.loop, r.message_size) for r in results}, key=lambda k: (LOOPS.index(k[0]), k[1])
    )
    for loop, message_size in keys:
        rs = [r for r in results if (r.loop, r.message_size) == (loop, message_size)]
        rates = [r.mb_per_s for r in rs]
        snd = max(rs, key=lambda r: r.sender_peak_rss_mb)
        rcv = max(rs, key=lambda r: r.receiver_peak_rss_mb)
        lines.append(
            f"{loop:8} {message_size:>7} {len(rs):>4} {statistics.median(rates):>8.1f} "
            f"{f'({min(rates):.1f}-{max(rates):.1f})':>13} "
            f"{statistics.median(r.seconds for r in rs):>6.1f} "
            f"{statistics.median(r.setup_seconds for r in rs):>7.2f} "
            f"{f'{snd.sender_peak_rss_mb:.0f} ({snd.sender_start_rss_mb:.0f})':>14} "
            f"{f'{rcv.receiver_peak_rss_mb:.0f} ({rcv.receiver_start_rss_mb:.0f})':>14} "
            f"{statistics.median(r.sender_cpu_pct for r in rs):>6.0f}% "
            f"{statistics.median(r.receiver_cpu_pct for r in rs):>6.0f}% "
            f"{statistics.median(r.sender_mb_per_cpu_second for r in rs):>12.1f}"
        )
    return "\n".join(lines)


def _run_line(run: int, repeat: int, r: CeilingResult) -> str:
    # The load average is a rough hint of what else ran on this shared machine meanwhile.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"run {run}/{repeat} {r.loop:8} {r.message_size:>7} B: {r.mb_per_s:6.1f} MB/s "
        f"in {r.seconds:6.1f} s, setup {r.setup_seconds:.2f} s, CPU sender "
        f"{r.sender_cpu_pct:.0f}% receiver {r.receiver_cpu_pct:.0f}% "
        f"({r.sender_mb_per_cpu_second:.1f} MB/sender-CPU-s), {r.sender_waits} waits, "
        f"load {load:.1f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run every (loop, message size) ``--repeat`` times, interleaved, and print a table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ceiling", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--message-sizes", type=_int_list, default=[16384])
    parser.add_argument("--loops", type=_name_list, default=[DEFAULT_LOOP])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
    parser.add_argument("--setup-timeout", type=float, default=30.0)
    parser.add_argument("--stall-timeout", type=float, default=30.0)
    parser.add_argument(
        "--delayed-acks",
        action="store_true",
        help="Ferry's transport tuning: SACK every second packet, 4 MiB socket buffers "
        "(default: aiortc's, a SACK per packet and aioice's buffers)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print a failed peer's traceback"
    )
    args = parser.parse_args(argv)
    if args.size_mib < 1 or args.repeat < 1 or any(m < 1 for m in args.message_sizes):
        parser.error("--size-mib, --repeat and --message-sizes must be positive")
    if "uvloop" in args.loops and importlib.util.find_spec("uvloop") is None:
        parser.error("uvloop is not installed here: use --loops asyncio")

    import aiortc

    print(
        f"aiortc ceiling: {args.size_mib} MiB per run, threshold {args.threshold} B, "
        f"SACKs {'every second packet' if args.delayed_acks else 'every packet'}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, aiortc {aiortc.__version__}"
    )
    print("MB = 10^6 B; RSS = max peak (at transfer start); CPU = % of one core; medians")
    results: list[CeilingResult] = []
    skipped: dict[int, str] = {}
    try:
        # Interleave repeats so slow spells on a shared machine spread across configurations.
        for run in range(1, args.repeat + 1):
            for loop in args.loops:
                for message_size in args.message_sizes:
                    if message_size in skipped:
                        continue
                    try:
                        result = run_ceiling(
                            args.size_mib,
                            message_size,
                            loop,
                            args.threshold,
                            setup_timeout=args.setup_timeout,
                            stall_timeout=args.stall_timeout,
                            delayed_acks=args.delayed_acks,
                        )
                    except MessageTooLarge as exc:
                        skipped[message_size] = str(exc)
                        print(f"skip {message_size} B messages: {exc}")
                        continue
                    results.append(result)
                    print(_run_line(run, args.repeat, result), flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: child processes stopped", file=sys.stderr)
        if results:
            print(_table(results))
        return 130
    except _procs.ChildError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        if args.verbose and exc.remote_traceback:
            print(exc.remote_traceback, file=sys.stderr)
        return 1
    if results:
        print()
        print(_table(results))
    return 0


if __name__ == "__main__":
    # Run through the package name so spawned peers pickle and import the same module.
    from ferry.benchmarks.ceiling import main as _main

    sys.exit(_main())
