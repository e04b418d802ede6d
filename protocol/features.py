"""What a HELLO's ``features`` may name: what each side can do beyond the base protocol.

A side uses a feature only when both HELLOs list it, so peers of other versions (and the
browser page) still meet; unknown names are ignored.

- ``keepalive`` (:mod:`ferry.protocol.keepalive`): PING frames, a silent peer is gone;
- ``relink``: this side reconnects through the signaling it paired over, which outlives
  the link (a rendezvous mailbox: ``ferry.engine.signaling.relink``). Listed only by a
  peer met that way; without it on both sides a lost link ends the peer, as before.
"""

from __future__ import annotations

from .keepalive import FEATURE as KEEPALIVE

RELINK = "relink"

__all__ = ["KEEPALIVE", "RELINK"]
