"""SecureSignaling: any Ferry signaling, paired first, then sealed message by message.

It wraps a :class:`~ferry.engine.signaling.Signaling` (TCP, in-process, a rendezvous
server...). ``open()`` opens the inner signaling, then runs the pairing handshake over it
with a deadline on an injected clock; after that ``send`` seals each dict and ``receive``
opens each one, so the code above sends plain dicts and the signaling path carries only
ciphertext. ``paired`` says who the peer is (its proven peer id), the verifier to show,
and whether the peer is trusted here.

Failure rules: during the handshake everything that goes wrong (a bad message, the
deadline, the connection closing, the inner signaling delivering something that is not
JSON) raises :class:`AuthenticationError`, tells the peer with an abort notice when it
still can, and closes the inner signaling. After it, a record that does not open raises
``AuthenticationError`` the same way; the connection closing stays ``PeerGone``, which
is how the engine notices a peer that went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
from collections.abc import Callable, Container
from typing import Any, Protocol

from ferry.actors.clock import SYSTEM_CLOCK, Clock
from ferry.protocol.errors import LocalProtocolError, PeerGone, ProtocolError
from ferry.protocol.pairing import (
    HANDSHAKE_TIMEOUT,
    AuthenticationError,
    Code,
    Handshake,
    Identity,
    Paired,
    Reason,
    Role,
    SealedChannel,
    parse_code,
)
from ferry.protocol.pairing.messages import abort_notice

from ..signaling import Signaling
from .trust import TrustStore

logger = logging.getLogger(__name__)

#: How long a side waits to deliver its abort notice before it closes anyway.
NOTICE_TIMEOUT = 1.0


class SecureSignaling:
    """A paired, sealed :class:`Signaling` over ``inner``."""

    def __init__(
        self,
        inner: Signaling,
        *,
        role: Role | str,
        identity: Identity,
        code: Code | str | None = None,
        codes: CodeSource | None = None,
        secret: bytes | None = None,
        trusted_mode: bool = False,
        trust: TrustStore | Container[str] | None = None,
        timeout: float = HANDSHAKE_TIMEOUT,
        clock: Clock | None = None,
        entropy: Callable[[int], bytes] = os.urandom,
    ) -> None:
        """``role``: ``"waiter"`` (made the code, or listens) or ``"joiner"`` (connects).
        A joiner pairs one way (``code``, ``secret`` or ``trusted_mode``); a waiter accepts
        any it is given. ``trust``: a :class:`TrustStore` (read afresh at each open, so a
        forgotten peer is refused at once) or any container of peer ids."""
        self.inner = inner
        self.role = Role(role)
        if isinstance(code, str):
            code = parse_code(code)
        self._options: dict[str, Any] = {
            "code": code,
            "claim_code": codes.claim if codes is not None else None,
            "secret": secret,
            "trusted_mode": trusted_mode,
            "timeout": timeout,
            "entropy": entropy,
        }
        self._identity = identity
        self._codes = codes
        self._trust = trust
        self._clock: Clock = clock or SYSTEM_CLOCK
        # Build the machine now: a bad configuration or a spent code fails here, not later.
        # The trusted ids are read at open(), as late as possible.
        self._trusted = _TrustedIds()
        self._machine = Handshake(self.role, identity, trusted=self._trusted, **self._options)
        self.paired: Paired | None = None
        self._channel: SealedChannel | None = None

    @property
    def handshake(self) -> Handshake:
        """The pairing machine (its mode, and whether it tested a code, after the end)."""
        return self._machine

    # -- Signaling -----------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the inner signaling, then pair. Raises AuthenticationError if pairing fails."""
        if self.paired is not None:
            return
        self._trusted.ids = self._trusted_ids()  # a damaged store fails here, before connecting
        await self.inner.open()
        machine = self._machine
        try:
            await self._send_all(machine.start(self._clock.monotonic()).send)
            while machine.result is None:
                message = await self._next_message(machine)
                output = machine.receive(message, self._clock.monotonic())
                await self._send_all(output.send)
        except AuthenticationError:
            await self._give_up(machine.abort_message())
            raise
        finally:
            if self._codes is not None:  # hand the shared code back, or make a new one
                self._codes.release(machine)
        assert machine.channel is not None
        self.paired, self._channel = machine.result, machine.channel
        logger.info(
            "paired with %s (%s, verifier %s%s)",
            self.paired.peer_id,
            self.paired.mode,
            self.paired.verifier,
            ", trusted" if self.paired.trusted else "",
        )

    async def send(self, message: dict[str, Any]) -> None:
        channel = self._require_channel()
        await self.inner.send(channel.seal(message))

    async def receive(self) -> dict[str, Any]:
        channel = self._require_channel()
        try:
            message = await self.inner.receive()
        except ProtocolError as exc:  # the path delivered something that is not a message
            error = AuthenticationError(
                f"pairing channel broken: {exc.message}", reason=Reason.MALFORMED
            )
            channel.fail(error)
            await self._give_up(abort_notice(error.reason))
            raise error from None
        try:
            return channel.open(message)
        except AuthenticationError as exc:
            await self._give_up(None if exc.by_peer else abort_notice(exc.reason))
            raise

    async def close(self) -> None:
        await self.inner.close()

    # -- helpers -------------------------------------------------------------------------------

    def _trusted_ids(self) -> Container[str]:
        if self._trust is None:
            return frozenset()
        if isinstance(self._trust, TrustStore):
            return self._trust.ids()  # a damaged file is a ConfigError, before any message
        return self._trust

    async def _next_message(self, machine: Handshake) -> object:
        """The next message from the peer, or the machine's timeout when the deadline passes."""
        receiving = asyncio.ensure_future(self.inner.receive())
        timer = asyncio.ensure_future(self._clock.sleep(machine.deadline - self._clock.monotonic()))
        try:
            await asyncio.wait({receiving, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (receiving, timer):
                if not task.done():
                    task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        if not receiving.done() or receiving.cancelled():
            machine.check(self._clock.monotonic())  # raises: the deadline passed
            raise machine.abandon(Reason.TIMEOUT, "the handshake's deadline passed")
        try:
            return receiving.result()
        except PeerGone as exc:
            raise machine.abandon(
                Reason.INCOMPLETE, f"the connection closed during the handshake ({exc.message})"
            ) from None
        except ProtocolError as exc:
            raise machine.abandon(
                Reason.MALFORMED, f"the signaling delivered a broken message ({exc.message})"
            ) from None

    async def _send_all(self, messages: tuple[dict[str, Any], ...]) -> None:
        for message in messages:
            try:
                await self.inner.send(message)
            except PeerGone as exc:
                raise self._machine.abandon(
                    Reason.INCOMPLETE, f"the connection closed during the handshake ({exc.message})"
                ) from None

    async def _give_up(self, notice: dict[str, Any] | None) -> None:
        """Tell the peer (best effort, briefly), then close: nothing more crosses."""
        if notice is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.inner.send(notice), NOTICE_TIMEOUT)
        with contextlib.suppress(Exception):
            await _close_scary(self.inner)

    def _require_channel(self) -> SealedChannel:
        if self._channel is None:
            raise LocalProtocolError("open() must pair before messages can be sent or received")
        return self._channel


async def _close_scary(inner: Signaling) -> None:
    """Close after a failed pairing; a rendezvous mailbox is told the mood ``scary`` (a
    wrong code or someone tampering), which its server keeps in its usage records."""
    if "mood" in inspect.signature(inner.close).parameters:
        await inner.close(mood="scary")  # type: ignore[call-arg]
    else:
        await inner.close()


class CodeSource(Protocol):
    """A listener's shared code (:class:`~ferry.engine.pairing.codebook.CodeSlot`)."""

    def claim(self) -> Code | None: ...

    def release(self, handshake: Handshake) -> bool: ...


class _TrustedIds:
    """The trusted peer ids a handshake checks, filled in when it opens."""

    def __init__(self) -> None:
        self.ids: Container[str] = frozenset()

    def __contains__(self, peer_id: object) -> bool:
        return peer_id in self.ids
