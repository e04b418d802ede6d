"""The raw aiortc ceiling across the lab: one aiortc peer per namespace, nothing of Ferry's
but its transport tuning (the SACK policy, socket buffers and congestion control that
Ferry's link applies), so Ferry against it is what Ferry's own work costs on that link.

    python -m ferry.benchmarks.lab.rtc_peer send ADDRESS SIZE MESSAGE
    python -m ferry.benchmarks.lab.rtc_peer receive ADDRESS SIZE [START END]

The runner relays signaling between the two over their stdin and stdout, one JSON object
per line: the sender prints ``{"offer": sdp}``, the receiver answers ``{"answer": sdp}``,
and at the end the receiver prints its figures, which the runner passes to the sender as
``{"done": ...}`` so it can close. Times are ``time.monotonic()``, one clock for every
namespace of this machine, so the receiver's last byte minus the sender's first send is
the transfer's time exactly. The receiver also reports the longest gap between two
messages, the stall a user would see.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

THRESHOLD = 1 << 20  # Ferry's and the loopback ceiling's backpressure threshold
SETUP_SECONDS = 60.0


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _read(reader: asyncio.StreamReader, key: str) -> Any:
    line = await reader.readline()
    if not line:
        raise ConnectionError(f"the runner closed stdin before {key!r}")
    return json.loads(line)[key]


async def _stdin() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def _tune(pc: Any) -> None:
    """What Ferry's link applies to its SCTP transport (actors/link.py ``_tune_sctp``)."""
    from ferry.actors.transport.sctp_acks import delay_acks

    try:
        from ferry.actors.transport.congestion import control_congestion
    except ImportError:  # a checkout from before the controller
        pass
    else:
        control_congestion(pc.sctp)  # first, as in the link: the SACK policy wraps it
    delay_acks(pc.sctp)


def _trace(sctp: Any, started: float) -> None:
    controller = getattr(sctp, "_ferry_congestion", None)

    def tick() -> None:
        if controller is None or sctp._association_state == sctp.State.CLOSED:
            return
        stats = controller.stats()
        stats["flight"] = sctp._flight_size
        stats["t"] = round(time.monotonic() - started, 2)
        stats["cpu"] = round(time.process_time(), 2)
        print(json.dumps(stats), file=sys.stderr, flush=True)
        asyncio.get_running_loop().call_later(0.25, tick)

    tick()


async def send(address: str, size: int, message: int) -> dict[str, Any]:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from ferry.actors.transport.ice import restricted_ice_addresses
    from ferry.actors.transport.udp_buffers import enlarge_receive_buffers

    reader = await _stdin()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        channel = pc.createDataChannel("ceiling", ordered=True)
        _tune(pc)
        opened = asyncio.Event()
        channel.on("open", opened.set)
        with restricted_ice_addresses((address,)):
            await pc.setLocalDescription(await pc.createOffer())
            enlarge_receive_buffers(pc)
            _emit({"offer": pc.localDescription.sdp})
            answer = await _read(reader, "answer")
            await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        async with asyncio.timeout(SETUP_SECONDS):
            await opened.wait()
        low = asyncio.Event()
        channel.bufferedAmountLowThreshold = THRESHOLD
        channel.on("bufferedamountlow", low.set)
        block = os.urandom(message)
        first_send = time.monotonic()
        if os.environ.get("FERRY_LAB_TRACE"):  # the controller's state every 250 ms
            _trace(pc.sctp, first_send)
        sent = 0
        while sent < size:
            if channel.bufferedAmount > THRESHOLD:
                low.clear()
                await low.wait()
            n = min(message, size - sent)
            channel.send(block[:n])
            sent += n
        done = await _read(reader, "done")
        controller = getattr(pc.sctp, "_ferry_congestion", None)
        stats = controller.stats() if controller is not None else {}
        return {"first_send": first_send, "receiver": done, "congestion": stats}
    finally:
        await pc.close()


async def receive(
    address: str, size: int, window: tuple[float, float] | None = None
) -> dict[str, Any]:
    """Count ``size`` bytes; or, with ``window`` (monotonic start, end), the bytes that
    arrive inside it, for a link shared with another flow."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from ferry.actors.transport.ice import restricted_ice_addresses
    from ferry.actors.transport.udp_buffers import enlarge_receive_buffers

    reader = await _stdin()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    state = {"received": 0, "first": 0.0, "last": 0.0, "gap": 0.0, "in_window": 0}
    complete = asyncio.Event()

    def on_message(data: bytes) -> None:
        now = time.monotonic()
        if window is not None and window[0] <= now < window[1]:
            state["in_window"] += len(data)
        if state["received"]:
            state["gap"] = max(state["gap"], now - state["last"])
        else:
            state["first"] = now
        state["last"] = now
        state["received"] += len(data)
        if state["received"] >= size:
            complete.set()

    @pc.on("datachannel")
    def on_channel(channel: Any) -> None:
        channel.on("message", on_message)

    try:
        offer = await _read(reader, "offer")
        with restricted_ice_addresses((address,)):
            await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            _tune(pc)
            await pc.setLocalDescription(await pc.createAnswer())
            enlarge_receive_buffers(pc)
        _emit({"answer": pc.localDescription.sdp})
        if window is not None:
            await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
            return {
                "bytes": state["in_window"],
                "mb_per_s": state["in_window"] / 1e6 / (window[1] - window[0]),
            }
        await complete.wait()
        return {
            "received": state["received"],
            "first_byte": state["first"],
            "last_byte": state["last"],
            "longest_gap": state["gap"],
        }
    finally:
        await pc.close()


def main(argv: list[str]) -> int:
    role, address, size = argv[0], argv[1], int(argv[2])
    try:  # Ferry's own loop where it has it
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        if role == "send":
            result = runner.run(send(address, size, int(argv[3])))
        else:
            window = (float(argv[3]), float(argv[4])) if len(argv) > 4 else None
            result = runner.run(receive(address, size, window))
    _emit({"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
