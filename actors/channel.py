"""The Channel actor: one peer connection, on one asyncio loop, in one thread of its own.

aiortc needs an asyncio loop, and every call into it must happen on that loop. The
Channel is a pykka actor like the others (it gets messages with ``tell`` and reports its
failure to whoever listens), and it owns a loop thread where its :class:`PeerLink` lives.
Each message is handed to the loop with ``call_soon_threadsafe``; nothing ever blocks the
loop, and no pykka future is ever awaited on it.

A Channel is not restarted: the peer connection dies with it, every transfer on it fails
on both sides (the peer sees the connection close), and the host may reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any

import pykka

from ferry.protocol.errors import PeerGone
from ferry.protocol.events import ConnectionFailed, Event

from . import commands as cmd
from .config import ChannelConfig
from .link import PeerLink
from .link.path import describe_path
from .supervisor import InjectedFault, InjectFault

logger = logging.getLogger(__name__)


def new_event_loop(kind: str = "auto") -> asyncio.AbstractEventLoop:
    """uvloop where installed (it roughly doubles aiortc's rate here), else asyncio."""
    if kind in {"auto", "uvloop"}:
        try:
            import uvloop
        except ImportError:
            if kind == "uvloop":
                raise
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


class LoopMailbox:
    """Lets the stage actors tell the Channel's loop directly, skipping the actor thread.

    On the data path every hop between threads costs GIL hand-offs, so chunks, credit and
    durability reports go straight onto the loop with ``call_soon_threadsafe``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, handle: Callable[[Any], None]) -> None:
        self.loop = loop
        self.handle = handle

    def tell(self, message: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the Channel is gone
            self.loop.call_soon_threadsafe(self.handle, message)


class _LoopCrashed(Exception):
    """An exception escaped the loop thread; re-raised on the actor to fail it."""


class Channel(pykka.ThreadingActor):
    use_daemon_thread = True

    def __init__(
        self,
        config: ChannelConfig,
        listener: Callable[[Event], None],
        supervisor: pykka.ActorRef[Any] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.listener = listener
        self.supervisor = supervisor
        self.loop = new_event_loop(config.loop)
        self.loop.set_exception_handler(self._on_loop_exception)
        self.thread = threading.Thread(
            target=self._run_loop, name="ferry-channel-loop", daemon=True
        )
        self.link: PeerLink | None = None
        self._failed = False

    # -- lifecycle -------------------------------------------------------------------------

    def on_start(self) -> None:
        self.thread.start()
        ready: Future[None] = Future()
        self.loop.call_soon_threadsafe(self._create_link, ready)
        ready.result(timeout=10)

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def _create_link(self, ready: Future[None]) -> None:
        try:
            mailbox = LoopMailbox(self.loop, self._on_loop)
            self.link = PeerLink(self.config, self.listener, mailbox, self.supervisor)
        except BaseException as exc:
            ready.set_exception(exc)
        else:
            ready.set_result(None)

    def on_stop(self) -> None:
        self._shutdown()

    def on_failure(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        logger.error("the Channel failed: %r; closing the peer connection", exception_value)
        self._failed = True
        self._shutdown(PeerGone(f"the Channel failed ({exception_value!r})"))

    def _shutdown(self, error: PeerGone | None = None) -> None:
        if not self.loop.is_running():
            return

        async def close() -> None:
            if self.link is not None:
                if error is not None:
                    self.link.lose(error)
                await self.link.close()

        try:
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        except Exception as exc:  # a close that fails or hangs must not keep us alive
            logger.warning("closing the peer connection: %r", exc)
        if error is not None:
            self.listener(ConnectionFailed(error, by_peer=False))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    # -- messages ----------------------------------------------------------------------------

    def on_receive(self, message: Any) -> None:
        if isinstance(message, InjectFault):
            raise InjectedFault(message.reason)
        if isinstance(message, _LoopCrashed):
            raise message
        if isinstance(message, cmd.CreateOffer):
            self._reply(message.reply, lambda link: link.create_offer())
        elif isinstance(message, cmd.AcceptRemoteOffer):
            self._reply(message.reply, lambda link: link.accept_offer(message.sdp, message.type))
        elif isinstance(message, cmd.SetRemoteAnswer):
            self._reply(message.reply, lambda link: link.set_answer(message.sdp, message.type))
        elif isinstance(message, cmd.DescribePath):
            self._reply(message.reply, lambda link: describe_path(link.pc))
        elif isinstance(message, cmd.Close):
            self._reply(message.reply, lambda link: link.close())
        else:
            self.loop.call_soon_threadsafe(self._on_loop, message)

    def _on_loop(self, message: Any) -> None:
        assert self.link is not None
        try:
            self.link.handle(message)
        except Exception as exc:  # a bug: fail the actor, which closes the connection
            logger.exception("the Channel loop failed handling %r", type(message).__name__)
            self.actor_ref.tell(_LoopCrashed(repr(exc)))

    def _reply(
        self, reply: Future[Any], step: Callable[[PeerLink], Coroutine[Any, Any, Any]]
    ) -> None:
        async def run() -> None:
            assert self.link is not None
            try:
                result = await step(self.link)
            except BaseException as exc:
                if not reply.done():
                    reply.set_exception(exc)
            else:
                if not reply.done():
                    reply.set_result(result)

        asyncio.run_coroutine_threadsafe(run(), self.loop)

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, ConnectionError | OSError):
            logger.debug("network error on the Channel loop: %s", context.get("message"))
            return
        loop.default_exception_handler(context)
