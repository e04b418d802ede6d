"""A hostile receiver, in its own process: it grants all the credit there is, then freezes.

    python -m tests.adversary.hostile_receiver PORT

Prints ``listening`` once its signaling port is bound, then ``code: CODE``: the sender
pairs with it (the attacker is a peer the victim chose to pair with). It answers the
sender's WebRTC offer, ACCEPTs the first file with a WINDOW of 2^53-1, prints ``frozen``
and stops itself (SIGSTOP): from then on nothing reads or acknowledges at the SCTP level,
so everything the sender reads ahead stays in the sender's memory. The test ends it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from ferry.actors.transport.ice import restricted_ice_addresses
from ferry.engine import Identity, TcpSignaling
from ferry.engine.pairing import SecureSignaling
from ferry.protocol.codec import decode, encode
from ferry.protocol.frames import Accept, Hello, Offer, Window
from ferry.protocol.limits import MAX_FILE_SIZE
from ferry.protocol.pairing import new_code


async def main(port: int) -> None:
    tcp = TcpSignaling("127.0.0.1", port, listen=True)
    await tcp.bind()
    code = new_code()
    print("listening", flush=True)
    print(f"code: {code}", flush=True)
    signaling = SecureSignaling(tcp, role="waiter", identity=Identity.generate(), code=code)
    await signaling.open()
    offer = await signaling.receive()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    granted = asyncio.Event()

    @pc.on("datachannel")
    def on_channel(channel) -> None:  # type: ignore[no-untyped-def]
        @channel.on("message")
        def on_message(message: bytes) -> None:
            frame = decode(message)
            if isinstance(frame, Hello):
                channel.send(encode(Hello(1, 262144, 262144 - 96, ())))
            elif isinstance(frame, Offer) and not granted.is_set():
                channel.send(encode(Accept(frame.transfer_id, 0)))
                channel.send(encode(Window(frame.transfer_id, MAX_FILE_SIZE)))
                granted.set()

    with restricted_ice_addresses(("127.0.0.1",)):
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
    await signaling.send({"type": "answer", "sdp": pc.localDescription.sdp})
    await granted.wait()
    await asyncio.sleep(0.2)  # let aiortc put the ACCEPT and WINDOW on the wire
    print("frozen", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
