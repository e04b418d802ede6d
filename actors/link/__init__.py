"""The Channel's inside: one RTCPeerConnection, its data channel and the protocol state.

Everything here runs on the Channel's asyncio loop thread, the only thread that touches
aiortc. :class:`PeerLink` is put together from one module per job:

- :mod:`.connection`: set-up (SDP offer/answer, the ICE address restriction, SCTP and UDP
  tuning from ``actors/transport``), the data channel's callbacks, closing and losing it;
- :mod:`.outbound`: offers, the Chunkers' batches, and the pump that sends CHUNK/EOF frames
  round-robin while the data channel's buffer has room;
- :mod:`.inbound`: answering offers, batching received chunks for the Reassembler, and
  what it reports back (durable, stored, failed);
- :mod:`.restarts`: starting, restarting and stopping the stage actors;
- :mod:`.dispatch`: decoding what the peer sent, and routing protocol events and actor
  messages to the jobs above.
"""

from .peer_link import PeerLink

__all__ = ["PeerLink"]
