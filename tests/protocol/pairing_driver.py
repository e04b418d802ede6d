"""Both ends of a pairing in one test: a relay between them that may tamper once.

``Driver`` runs a waiter and a joiner :class:`Handshake` against each other through a FIFO
relay per direction (as any signaling path is), then lets each paired side send a few
sealed application messages and a last "witness" record (never tampered with), so a record
dropped earlier in that direction is noticed. A side that fails sends its abort notice, as
a host must. When nothing is in flight and a side is still waiting, time moves on until
its deadline passes.

``Tamper`` applies one operation to the n-th message the relay carries: flip a bit of its
JSON, drop it, duplicate it, swap it with the next one in that direction, inject a message
before it, or replace it with a message from an earlier session.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ferry.protocol.pairing import AuthenticationError, Handshake, Paired, State
from ferry.protocol.pairing.messages import abort_notice

WAITER, JOINER = "waiter", "joiner"
APP_MESSAGES = 2


def flip_bit(message: dict[str, Any], position: int, bit: int) -> object:
    """``message`` as compact JSON with one bit flipped; the parsed value, or the raw text
    when it no longer parses (the host hands the machine whatever arrived)."""
    data = bytearray(json.dumps(message, separators=(",", ":")).encode())
    data[position % len(data)] ^= 1 << (bit % 8)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return bytes(data)


@dataclass
class Tamper:
    index: int  # which carried message (0-based, in the order the relay carried them)
    op: str  # flip, drop, duplicate, swap, inject, replay
    position: int = 0
    bit: int = 0
    foreign: object = None  # what inject inserts / replay substitutes
    done: bool = False
    reordered: bool = False  # swap: a later message really overtook the held one


@dataclass
class Side:
    name: str
    machine: Handshake
    inbox: deque[object] = field(default_factory=deque)
    error: AuthenticationError | None = None
    paired: Paired | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    saw_witness: bool = False


class Driver:
    def __init__(
        self, waiter: Handshake, joiner: Handshake, *, tamper: Tamper | None = None
    ) -> None:
        self.sides = {WAITER: Side(WAITER, waiter), JOINER: Side(JOINER, joiner)}
        self.tamper = tamper
        self.carried = 0
        self.now = 0.0
        self.wire: list[tuple[str, object]] = []  # everything delivered: (to, message)
        self._held: dict[str, object] = {}

    def other(self, name: str) -> Side:
        return self.sides[JOINER if name == WAITER else WAITER]

    # -- the relay -----------------------------------------------------------------------------

    def transmit(self, to: str, message: object, *, exempt: bool = False) -> None:
        inbox = self.sides[to].inbox
        tamper = self.tamper
        if exempt or tamper is None or tamper.done or self.carried != tamper.index:
            self.carried += 0 if exempt else 1
            inbox.append(message)
            if to in self._held:  # the swapped message goes after this one
                inbox.append(self._held.pop(to))
                assert tamper is not None
                tamper.reordered = True
            return
        self.carried += 1
        tamper.done = True
        if tamper.op == "flip":
            assert isinstance(message, dict)
            inbox.append(flip_bit(message, tamper.position, tamper.bit))
        elif tamper.op == "drop":
            pass
        elif tamper.op == "duplicate":
            inbox.extend([message, message])
        elif tamper.op == "swap":
            self._held[to] = message  # delivered after the next one to the same side
        elif tamper.op == "inject":
            inbox.extend([tamper.foreign, message])
        elif tamper.op == "replay":
            inbox.append(tamper.foreign)
        else:  # pragma: no cover
            raise AssertionError(tamper.op)

    # -- the two ends ------------------------------------------------------------------------

    def run(self, *, order: list[bool] | None = None, max_steps: int = 200) -> Driver:
        """Run to the end. ``order`` (booleans) picks which side takes the next message."""
        schedule = iter(order or [])
        for side in self.sides.values():
            self._emit(side, lambda s=side: s.machine.start(self.now))
        for _ in range(max_steps):
            ready = [s for s in self.sides.values() if s.inbox]
            if not ready and self._held:  # nothing overtook it: it was only delayed
                for to, message in self._held.items():
                    self.sides[to].inbox.append(message)
                self._held.clear()
                continue
            if not ready:
                waiting = [s for s in self.sides.values() if not s.machine.finished]
                if not waiting:
                    break
                self.now += 10.0  # nothing in flight: time passes, deadlines fire
                for side in waiting:
                    self._emit(side, lambda s=side: (s.machine.check(self.now), None)[1])
                continue
            side = ready[0] if len(ready) == 1 else ready[int(next(schedule, False))]
            self._deliver(side, side.inbox.popleft())
        else:  # pragma: no cover
            raise AssertionError("the exchange did not end")
        return self

    def _deliver(self, side: Side, message: object) -> None:
        self.wire.append((side.name, message))
        if side.error is not None:
            return  # a failed side reads no more
        machine = side.machine
        if machine.state is not State.PAIRED:
            self._emit(side, lambda: machine.receive(message, self.now))
            return
        assert machine.channel is not None
        try:
            opened = machine.channel.open(message)
        except AuthenticationError as exc:
            self._failed(side, exc, abort_notice(exc.reason) if not exc.by_peer else None)
            return
        if opened.get("type") == "witness":
            side.saw_witness = True
        else:
            side.received.append(opened)

    def _emit(self, side: Side, step: Any) -> None:
        try:
            output = step()
        except AuthenticationError as exc:
            self._failed(side, exc, side.machine.abort_message())
            return
        if output is None:
            return
        for message in output.send:
            self.transmit(self.other(side.name).name, message)
        for event in output.events:
            side.paired = event
            self._converse(side)

    def _converse(self, side: Side) -> None:
        """Once paired, a side sends its application messages, then its witness."""
        channel = side.machine.channel
        assert channel is not None
        to = self.other(side.name).name
        for i in range(APP_MESSAGES):
            message = {"type": "app", "from": side.name, "n": i}
            side.sent.append(message)
            self.transmit(to, channel.seal(message))
        self.transmit(to, channel.seal({"type": "witness"}), exempt=True)

    def _failed(self, side: Side, error: AuthenticationError, notice: object) -> None:
        if side.error is None:
            side.error = error
        if side.machine.channel is not None:
            side.machine.channel.fail(error)
        if notice is not None:
            self.transmit(self.other(side.name).name, notice, exempt=True)

    # -- outcomes ----------------------------------------------------------------------------

    @property
    def waiter(self) -> Side:
        return self.sides[WAITER]

    @property
    def joiner(self) -> Side:
        return self.sides[JOINER]

    def all_failed(self) -> bool:
        return all(s.error is not None for s in self.sides.values())

    def all_succeeded(self) -> bool:
        return all(
            s.error is None and s.paired is not None and s.saw_witness for s in self.sides.values()
        )

    def nothing_forged(self) -> bool:
        """Each side received a prefix of what the other sent, nothing else."""
        for side in self.sides.values():
            sent = self.other(side.name).sent
            if side.received != sent[: len(side.received)]:
                return False
        return True


def machine_in(
    state: State, waiter: Handshake, joiner: Handshake
) -> tuple[Handshake, list[object]]:
    """Drive an honest handshake until one of the two machines is in ``state``; that
    machine, and the honest messages due to it next."""
    inbox: dict[int, deque[object]] = {id(waiter): deque(), id(joiner): deque()}
    peer = {id(waiter): joiner, id(joiner): waiter}
    waiter.start(0.0)
    inbox[id(waiter)].extend(joiner.start(0.0).send)
    for _ in range(20):
        for machine in (waiter, joiner):
            if machine.state is state:
                return machine, list(inbox[id(machine)])
        machine = waiter if inbox[id(waiter)] else joiner
        output = machine.receive(inbox[id(machine)].popleft(), 0.0)
        inbox[id(peer[id(machine)])].extend(output.send)
    raise AssertionError(f"no machine reached {state}")


LIVE_STATES = [s for s in State if s not in (State.IDLE, State.PAIRED, State.FAILED)]
