"""The client side of the mailbox server protocol, sans-IO: server messages in, commands out.

One :class:`MailboxClient` is one side of one rendezvous: it allocates a nameplate (the
waiting side) or claims one (the joining side), opens the mailbox behind it, adds this
side's signaling messages and hands over the other side's, in order and each exactly once,
releases the nameplate as soon as both sides hold the mailbox, and closes with a mood.

It outlives WebSocket connections. The host calls :meth:`connection_made` for each new
connection and :meth:`connection_lost` when it drops; after a reconnect the client binds
again with the same side, opens the mailbox again, and lets the server replay the mailbox.
A ``ping`` sent right after ``open`` marks the end of the replay (the server answers
commands in order, and sends the whole mailbox while handling ``open``), so once its
``pong`` arrives the client knows exactly which of its own messages the server stored and
adds only the others: nothing is lost, nothing is stored twice. The same barrier tells a
joining side whether anybody waits behind the nameplate (the waiting side's ``hello`` is in
the mailbox), because the server creates a nameplate on any claim, mistyped or not.

The machine follows the session machines of the transfer protocol: ``TRANSITIONS`` says
which server messages each phase accepts; anything else, anything malformed and the
server's ``error`` end the rendezvous with a :class:`RendezvousError` (phase FAILED, a
:class:`Failed` event, and commands that release what the server holds for us). Handlers
check everything before they change anything. A call the host may not make now raises
:class:`LocalProtocolError` and changes nothing. Messages are JSON-able dicts here and
on the wire (docs/rendezvous.md).
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from ferry.protocol.errors import LocalProtocolError

from . import wire
from .errors import CROWDED, PROTOCOL, REFUSED, SERVER_ERROR, UNKNOWN_NAMEPLATE, RendezvousError
from .events import (
    Closed,
    Event,
    Failed,
    NameplateReady,
    NameplateReleased,
    PeerArrived,
    PeerClosed,
    Received,
    Welcomed,
)
from .limits import (
    APP_ID,
    MOODS,
    NUMBERED_PHASE_RE,
    OTHER_PHASE_RE,
    PHASE_BYE,
    PHASE_HELLO,
    SIDE_RE,
    Limits,
    check_nameplate,
)
from .wire import (
    Allocated,
    Claimed,
    MailboxMessage,
    Pong,
    Released,
    ServerError,
    Unrecognized,
    Welcome,
    parse_json_object,
    parse_server_message,
)

Command = dict[str, Any]

_HELLO_BODY = b"{}"


class Phase(enum.Enum):
    IDLE = "idle"  # made, not yet told to allocate or claim
    ALLOCATING = "allocating"  # asking the server for a nameplate
    CLAIMING = "claiming"  # asking the server for the nameplate's mailbox
    OPENING = "opening"  # opened the mailbox on this connection, reading the replay
    WAITING = "waiting"  # in the mailbox, the other side not seen yet
    OPEN = "open"  # both sides in the mailbox
    CLOSING = "closing"  # sent close, waiting for 'closed'
    CLOSED = "closed"
    FAILED = "failed"


TERMINAL = frozenset({Phase.CLOSED, Phase.FAILED})
_ADDING = frozenset({Phase.WAITING, Phase.OPEN})  # phases in which a send goes out at once


@dataclass
class _Link:
    """What one WebSocket connection was asked and has answered."""

    welcomed: bool = False
    allocating: bool = False  # 'allocate' sent, no 'allocated' yet
    claiming: bool = False  # 'claim' sent, no 'claimed' yet
    ping: int | None = None  # the barrier ping after 'open', until its 'pong'
    synced: bool = False  # the replay is over: adds go out as they come
    release_sent: bool = False  # the server takes one 'release' per connection
    closing: bool = False  # 'close' sent
    useful: bool = False  # the server answered a command beyond the welcome


def _protocol(message: str) -> RendezvousError:
    return RendezvousError(message, code=PROTOCOL)


class MailboxClient:
    """One side of a rendezvous on a mailbox server. See the module docstring."""

    TRANSITIONS: ClassVar[dict[Phase, dict[type, str]]] = {
        Phase.ALLOCATING: {Allocated: "_on_allocated"},
        Phase.CLAIMING: {Claimed: "_on_claimed"},
        Phase.OPENING: {MailboxMessage: "_on_message", Pong: "_on_pong"},
        Phase.WAITING: {MailboxMessage: "_on_message", Released: "_on_released"},
        Phase.OPEN: {MailboxMessage: "_on_message", Released: "_on_released"},
        Phase.CLOSING: {
            MailboxMessage: "_on_late_message",
            Released: "_on_released",
            wire.Closed: "_on_closed",
        },
    }

    def __init__(
        self,
        side: str,
        *,
        app_id: str = APP_ID,
        client_version: tuple[str, str] = ("ferry", "unknown"),
        limits: Limits | None = None,
    ) -> None:
        if SIDE_RE.match(side) is None:
            raise LocalProtocolError(f"a side is 1-64 lowercase letters or digits, not {side!r}")
        self.side = side
        self.app_id = app_id
        self.client_version = client_version
        self.limits = limits or Limits()
        self.phase = Phase.IDLE
        self.error: RendezvousError | None = None
        self.events: list[Event] = []
        self.allocating_side = False  # True: this side allocated the nameplate
        self.nameplate: str | None = None
        self.mailbox: str | None = None
        self.peer_side: str | None = None
        self.peer_present = False
        self.released = False  # the server confirmed our release
        self._link: _Link | None = None
        self._verified = False  # somebody is (or was) waiting behind the nameplate
        self._claim_sent = False  # the server may hold a claim of ours on the nameplate
        self._ready_reported = False
        self._close_mood: str | None = None
        self._pings = 0
        # ours: phase -> body, in the order added; the phases the server echoed back
        self._outbound: dict[str, bytes] = {}
        self._echoed: set[str] = set()
        self._sent_count = 0
        self._sent_bytes = 0
        # theirs: phase -> SHA-256 of its body (for duplicates), undelivered, counters
        self._seen: dict[str, bytes] = {}
        self._pending: dict[int, dict[str, Any]] = {}
        self._next_index = 0
        self._peer_total: int | None = None
        self._peer_bytes = 0
        self._ignored = 0
        self._peer_closed_reported = False

    # -- queries ---------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.phase in TERMINAL

    @property
    def wants_connection(self) -> bool:
        """Whether the host should keep (or get) a connection to the server."""
        return self.phase not in TERMINAL and self.phase is not Phase.IDLE

    @property
    def connected(self) -> bool:
        return self._link is not None

    @property
    def closing(self) -> bool:
        return self._close_mood is not None

    @property
    def link_useful(self) -> bool:
        """The current connection got a real answer (allocated, claimed or the replay's
        pong): the host may count it as a success, not just a welcome."""
        return self._link is not None and self._link.useful

    def take_events(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    # -- local calls -----------------------------------------------------------------------

    def allocate(self) -> list[Command]:
        """Be the waiting side: get a fresh nameplate from the server (once connected)."""
        self._require_idle()
        self.allocating_side = True
        self.phase = Phase.ALLOCATING
        return []

    def claim(self, nameplate: str) -> list[Command]:
        """Be the joining side: claim ``nameplate`` (a ConfigError when it is not a number)."""
        check_nameplate(nameplate)
        self._require_idle()
        self.nameplate = nameplate
        self.phase = Phase.CLAIMING
        return []

    def connection_made(self) -> list[Command]:
        """A new WebSocket connection is up; commands follow the server's welcome."""
        if not self.wants_connection:
            raise LocalProtocolError(f"no connection wanted in phase {self.phase.value}")
        if self._link is not None:
            raise LocalProtocolError("connection_made twice without connection_lost")
        self._link = _Link()
        return []

    def connection_lost(self) -> None:
        """The connection dropped. The host reconnects while :attr:`wants_connection`."""
        if self._link is None:
            return
        self._link = None
        if self.finished:
            return
        if self._close_mood is not None and self.phase in (Phase.ALLOCATING, Phase.CLAIMING):
            # closing before the mailbox was known: nothing more worth a reconnect
            self._end_closed(confirmed=False)
        elif self.phase in (Phase.WAITING, Phase.OPEN, Phase.CLOSING):
            self.phase = Phase.OPENING  # open again and read the replay on the next one

    def send(self, message: dict[str, Any]) -> list[Command]:
        """Add one signaling message to the mailbox (now, or once the mailbox is open)."""
        if self.phase is Phase.IDLE:
            raise LocalProtocolError("allocate or claim a nameplate before sending")
        if self.finished or self._close_mood is not None:
            raise LocalProtocolError("the rendezvous mailbox is closed")
        if not isinstance(message, dict):
            raise LocalProtocolError(f"a signaling message is a dict, not {type(message).__name__}")
        try:
            body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise LocalProtocolError(f"signaling message is not JSON-able: {exc}") from None
        limits = self.limits
        if len(body) > limits.max_body:
            raise LocalProtocolError(
                f"signaling message of {len(body)} bytes (limit {limits.max_body})"
            )
        if self._sent_count >= limits.max_messages:
            raise LocalProtocolError(f"more than {limits.max_messages} signaling messages")
        if self._sent_bytes + len(body) > limits.max_side_bytes:
            raise LocalProtocolError(f"signaling messages over {limits.max_side_bytes} bytes")
        phase = str(self._sent_count)
        self._sent_count += 1
        self._sent_bytes += len(body)
        self._outbound[phase] = body
        if self._link is not None and self._link.synced and self.phase in _ADDING:
            return [wire.add(phase, body)]
        return []

    def close(self, mood: str) -> list[Command]:
        """Leave the mailbox: say ``bye``, release the nameplate, close with ``mood``.

        Idempotent; the :class:`Closed` event follows the server's answer (or comes at once
        when there is nothing on the server to close).
        """
        if mood not in MOODS:
            raise LocalProtocolError(f"mood must be one of {', '.join(MOODS)}, not {mood!r}")
        if self.finished or self._close_mood is not None:
            return []
        link = self._link
        if self.phase is Phase.IDLE:
            self._close_mood = mood
            self._end_closed(confirmed=False)
            return []
        if self.phase in (Phase.ALLOCATING, Phase.CLAIMING):
            self._close_mood = mood
            if link is not None and (link.allocating or link.claiming):
                return []  # on the answer: release (and close, once the mailbox is known)
            commands = self._release_commands(even_alone=True)
            self._end_closed(confirmed=False)
            return commands
        self._close_mood = mood
        self._outbound[PHASE_BYE] = self._bye_body()
        if link is not None and link.synced:
            return self._close_commands([wire.add(PHASE_BYE, self._outbound[PHASE_BYE])])
        return []  # once the connection is back and the replay read

    def fail(self, error: RendezvousError) -> list[Command]:
        """The host found the server's input unusable (a WebSocket message over its limit,
        say): end as if the client had found it, with the same cleanup commands."""
        if self.finished:
            return []
        return self._fail(error)

    def abandon(self) -> None:
        """Give up without the server (it could not be reached to close): end locally."""
        if self.finished:
            return
        self._close_mood = self._close_mood or "errory"
        self._end_closed(confirmed=False)

    # -- server messages -------------------------------------------------------------------

    def receive(self, data: str | bytes) -> list[Command]:
        """Apply one WebSocket message from the server; return the commands to send."""
        if self._link is None:
            raise LocalProtocolError("receive() without a connection")
        if self.finished:
            return []
        try:
            msg = parse_server_message(data, self.limits)
        except RendezvousError as exc:
            return self._fail(exc)
        if isinstance(msg, wire.Ack | Unrecognized):
            return []
        if isinstance(msg, ServerError):
            return self._fail(self._server_error(msg))
        if isinstance(msg, Welcome):
            return self._on_welcome(msg)
        if not self._link.welcomed:
            return self._fail(_protocol(f"{_name(msg)} before its welcome"))
        handler = self.TRANSITIONS.get(self.phase, {}).get(type(msg))
        if handler is None:
            return self._fail(_protocol(f"an unexpected {_name(msg)} while {self.phase.value}"))
        try:
            return getattr(self, handler)(msg)
        except RendezvousError as exc:
            return self._fail(exc)

    def _on_welcome(self, msg: Welcome) -> list[Command]:
        link = self._link
        assert link is not None
        if link.welcomed:
            return self._fail(_protocol("a second welcome on one connection"))
        if msg.error is not None:
            return self._fail(
                RendezvousError(f"the rendezvous server refuses service: {msg.error}", code=REFUSED)
            )
        link.welcomed = True
        self.events.append(Welcomed(msg.motd))
        commands = [wire.bind(self.app_id, self.side, self.client_version)]
        if self.phase is Phase.ALLOCATING:
            link.allocating = True
            commands.append(wire.allocate())
        elif self.phase is Phase.CLAIMING:
            commands.append(self._claim_command())
        else:  # the mailbox is known: open it again and read the replay
            commands.extend(self._open_commands())
        return commands

    def _on_allocated(self, msg: Allocated) -> list[Command]:
        link = self._link
        assert link is not None
        if not link.allocating:
            raise _protocol("'allocated' without an 'allocate'")
        link.allocating = False
        link.useful = True
        self.nameplate = msg.nameplate
        self._claim_sent = True  # allocating claims it for us
        self._verified = True
        self.phase = Phase.CLAIMING
        # the server tells the mailbox only to a claim, even of a nameplate we allocated
        return [self._claim_command()]

    def _on_claimed(self, msg: Claimed) -> list[Command]:
        link = self._link
        assert link is not None
        if not link.claiming:
            raise _protocol("'claimed' without a 'claim'")
        link.claiming = False
        link.useful = True
        self.mailbox = msg.mailbox
        if self._close_mood is not None:  # closed while claiming: leave at once
            return self._close_commands([])
        # our hello is the first message we add, whatever the host sent meanwhile
        self._outbound = {PHASE_HELLO: _HELLO_BODY, **self._outbound}
        return self._open_commands()

    def _on_pong(self, msg: Pong) -> list[Command]:
        link = self._link
        assert link is not None
        if link.ping is None or msg.pong != link.ping:
            raise _protocol(f"a pong for a ping this side did not send ({msg.pong})")
        if not self._verified and not self.peer_present:
            return self._fail(
                RendezvousError(
                    f"nobody is waiting behind nameplate {self.nameplate}: the code is mistyped,"
                    " was used already, or its sender gave up",
                    code=UNKNOWN_NAMEPLATE,
                ),
                mood="lonely",
            )
        self._verified = True
        link.ping = None
        link.synced = link.useful = True
        commands = [
            wire.add(phase, body)
            for phase, body in self._outbound.items()
            if phase not in self._echoed
        ]
        if self._close_mood is not None:
            return self._close_commands(commands)
        commands.extend(self._release_commands())
        self.phase = Phase.OPEN if self.peer_present else Phase.WAITING
        return commands

    def _on_message(self, msg: MailboxMessage) -> list[Command]:
        if msg.side == self.side:
            return self._on_echo(msg)
        if self.peer_side is not None and msg.side != self.peer_side:
            raise RendezvousError(
                "a third side wrote into the mailbox: someone else has the code", code=CROWDED
            )
        phase, body = msg.phase, msg.body
        digest = hashlib.sha256(body).digest()
        seen = self._seen.get(phase)
        if seen is not None:
            if seen != digest:
                raise _protocol(f"two different messages of phase {phase!r} from the other side")
            return []  # a duplicate: the server replays the mailbox on every open
        limits = self.limits
        if self._peer_bytes + len(body) > limits.max_side_bytes:
            raise _protocol(f"the other side's messages exceed {limits.max_side_bytes} bytes")
        index: int | None = None
        content: dict[str, Any] | None = None
        if NUMBERED_PHASE_RE.match(phase):
            index = int(phase)
            if index >= limits.max_messages:
                raise _protocol(f"more than {limits.max_messages} messages from the other side")
            if self._peer_total is not None and index >= self._peer_total:
                raise _protocol(f"message {index} after the other side's bye")
        elif phase not in (PHASE_HELLO, PHASE_BYE):
            if not OTHER_PHASE_RE.match(phase) or phase.isdigit():
                raise _protocol(f"a message of malformed phase {phase!r}")
            if self._ignored >= limits.max_ignored:
                raise _protocol(f"more than {limits.max_ignored} messages of unknown phases")
        if index is not None or phase in (PHASE_HELLO, PHASE_BYE):
            content = parse_json_object(body)
            if not isinstance(content, dict):
                raise _protocol(f"the other side's {phase!r} message is not a JSON object")
        total: int | None = None
        if phase == PHASE_BYE:
            assert content is not None
            total = content.get("messages")
            if not isinstance(total, int) or isinstance(total, bool):
                raise _protocol("the other side's bye has no message count")
            if not self._next_index <= total <= limits.max_messages or any(
                i >= total for i in self._pending
            ):
                raise _protocol(f"the other side's bye counts {total} messages, not what came")
        # -- checked; now apply
        self.peer_side = msg.side
        self._seen[phase] = digest
        self._peer_bytes += len(body)
        if index is None and phase not in (PHASE_HELLO, PHASE_BYE):
            self._ignored += 1
        commands: list[Command] = []
        if not self.peer_present:
            self.peer_present = True
            self.events.append(PeerArrived())
            if self.phase is Phase.WAITING:
                self.phase = Phase.OPEN
            commands.extend(self._release_commands())
        if index is not None:
            assert content is not None
            self._pending[index] = content
            while self._next_index in self._pending:
                delivered = self._pending.pop(self._next_index)
                self.events.append(Received(self._next_index, delivered))
                self._next_index += 1
        if total is not None:
            self._peer_total = total
        if (
            self._peer_total is not None
            and self._next_index == self._peer_total
            and not self._peer_closed_reported
        ):
            self._peer_closed_reported = True
            self.events.append(PeerClosed())
        return commands

    def _on_echo(self, msg: MailboxMessage) -> list[Command]:
        sent = self._outbound.get(msg.phase)
        if sent is None or sent != msg.body:
            raise _protocol(
                f"the server returned a message of phase {msg.phase!r} as ours,"
                " and this side never sent it"
            )
        self._echoed.add(msg.phase)
        if msg.phase == PHASE_HELLO and self.allocating_side and not self._ready_reported:
            assert self.nameplate is not None
            self._ready_reported = True
            self.events.append(NameplateReady(self.nameplate))
        return []

    def _on_late_message(self, msg: MailboxMessage) -> list[Command]:
        return []  # closing: nothing more is reported

    def _on_released(self, msg: Released) -> list[Command]:
        link = self._link
        assert link is not None
        if not link.release_sent or self.released:
            raise _protocol("'released' without a 'release'")
        self.released = True
        self.events.append(NameplateReleased())
        return []

    def _on_closed(self, msg: wire.Closed) -> list[Command]:
        link = self._link
        assert link is not None
        if not link.closing:
            raise _protocol("'closed' without a 'close'")
        self._end_closed(confirmed=True)
        return []

    # -- helpers ---------------------------------------------------------------------------

    def _require_idle(self) -> None:
        if self.phase is not Phase.IDLE:
            raise LocalProtocolError(f"already {self.phase.value}: one nameplate per client")

    def _claim_command(self) -> Command:
        assert self._link is not None and self.nameplate is not None
        self._link.claiming = True
        self._claim_sent = True
        return wire.claim(self.nameplate)

    def _open_commands(self) -> list[Command]:
        link = self._link
        assert link is not None and self.mailbox is not None
        self._pings += 1
        link.ping = self._pings
        link.synced = False
        self.phase = Phase.OPENING
        return [wire.open_mailbox(self.mailbox), wire.ping(self._pings)]

    def _release_commands(self, *, even_alone: bool = False) -> list[Command]:
        """Release the nameplate once both sides hold the mailbox (or when leaving)."""
        link = self._link
        if (
            link is None
            or not link.welcomed
            or not (link.synced or even_alone)
            or link.release_sent
            or self.released
            or not self._claim_sent
            or self.nameplate is None
            or not (self.peer_present or even_alone)
        ):
            return []
        link.release_sent = True
        return [wire.release(self.nameplate)]

    def _close_commands(self, commands: list[Command]) -> list[Command]:
        link = self._link
        assert link is not None and self.mailbox is not None and self._close_mood is not None
        commands = [*commands, *self._release_commands(even_alone=True)]
        link.closing = True
        self.phase = Phase.CLOSING
        return [*commands, wire.close(self.mailbox, self._close_mood)]

    def _bye_body(self) -> bytes:
        return json.dumps({"messages": self._sent_count}, separators=(",", ":")).encode()

    def _server_error(self, msg: ServerError) -> RendezvousError:
        if msg.error == "crowded":
            return RendezvousError(
                f"nameplate {self.nameplate} is already taken by two other sides;"
                " ask for a new code",
                code=CROWDED,
            )
        return RendezvousError(
            f"the rendezvous server refused {msg.command or 'a command'}: {msg.error}",
            code=SERVER_ERROR,
        )

    def _end_closed(self, *, confirmed: bool) -> None:
        assert self._close_mood is not None
        self.phase = Phase.CLOSED
        self.events.append(Closed(self._close_mood, confirmed))

    def _fail(self, error: RendezvousError, *, mood: str = "errory") -> list[Command]:
        """End the rendezvous; return commands that free what the server holds for us."""
        commands: list[Command] = []
        link = self._link
        if link is not None and link.welcomed:
            commands.extend(self._release_commands(even_alone=True))
            if self.mailbox is not None and not link.closing:
                link.closing = True
                commands.append(wire.close(self.mailbox, mood))
        self.phase = Phase.FAILED
        self.error = error
        self.events.append(Failed(error))
        return commands


def _name(msg: object) -> str:
    return f"'{type(msg).__name__.lower()}'"
