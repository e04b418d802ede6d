"""A sender and a receiver connection wired by in-memory pipes, driven by hypothesis.

The rules deliver frames one at a time in either direction, let the sender send what its
credit allows, make received bytes durable, verify, cancel from either side, drop the
connection and resume from the durable offset, and inject duplicate or foreign frames.
The invariants are the promises of the protocol layer:

- the bytes the receiver made durable are always a prefix of the file;
- the sender never sends past its credit;
- a completed transfer has the right size and SHA-256 on both sides;
- once the pipes are empty, a transfer that ended on one side has ended on the other, and
  a cancel or failure is reported on both sides.
"""

from __future__ import annotations

import hashlib
import random
from collections import deque

from hypothesis import event as hypothesis_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ferry.protocol import strategies as fs
from ferry.protocol.codec import decode, encode
from ferry.protocol.connection import Connection
from ferry.protocol.events import (
    Accepted,
    Cancelled,
    Completed,
    ConnectionFailed,
    DataReceived,
    EofReceived,
    Failed,
    OfferReceived,
)
from ferry.protocol.frames import Accept, Chunk, Done, Eof, Frame, Offer, Reject, Window
from ferry.protocol.session import TERMINAL_STATES, State

TID = b"F" * 16
CHUNK = 16 * 1024
WINDOW = 32 * 1024


class TransferMachine(RuleBasedStateMachine):
    @initialize(
        size=st.sampled_from([0, 1, CHUNK - 1, CHUNK, CHUNK + 1]) | st.integers(0, 8 * CHUNK),
        seed=st.integers(0, 2**32),
        chaos=st.integers(0, 4),
    )
    def setup(self, size: int, seed: int, chaos: int) -> None:
        # ``chaos`` bounds the cancels, drops and injections of one run, so that runs
        # with little chaos get to complete and the checks on completion get exercised.
        self.chaos = chaos
        self.file = random.Random(seed).randbytes(size)
        self.sha = hashlib.sha256(self.file).digest()
        self.staged = bytearray()  # what the receiver has written, durable or not
        self.journal_offset = 0  # the durable offset that survives a dropped connection
        self.attempts = 0
        self.ends: dict[str, object] = {}
        self._connect()

    # -- plumbing ------------------------------------------------------------------------

    def _connect(self) -> None:
        self.attempts += 1
        self.sender = Connection()
        self.receiver = Connection(window=WINDOW)
        self.to_receiver: deque[bytes] = deque(encode(f) for f in self.sender.start())
        self.to_sender: deque[bytes] = deque(encode(f) for f in self.receiver.start())
        self.ends = {}
        self.offered = False
        self.staged = self.staged[: self.journal_offset]  # unsynced bytes die with the link

    def _send(self, frames: list[Frame], pipe: deque[bytes]) -> None:
        pipe.extend(encode(frame) for frame in frames)

    def _handle_sender_events(self) -> None:
        for event in self.sender.pop_events():
            if getattr(event, "transfer_id", TID) != TID:
                continue  # a foreign transfer's events
            if isinstance(event, Completed | Cancelled | Failed):
                assert "sender" not in self.ends, "two terminal events on the sender"
                self.ends["sender"] = event
            elif isinstance(event, ConnectionFailed):
                self._link_broken()
                return
            elif isinstance(event, Accepted):
                assert event.offset == self.journal_offset
                if event.offset:
                    hypothesis_event("resumed from a non-zero offset")

    def _handle_receiver_events(self) -> None:
        for event in self.receiver.pop_events():
            if isinstance(event, OfferReceived) and event.transfer_id != TID:
                answer = self.receiver.reject(event.transfer_id, "rejected", "not expected")
                self._send(answer, self.to_sender)
            elif isinstance(event, OfferReceived):
                # The host resumes from its journal, as the Reassembler will.
                assert event.offer.resume_key == "key"
                self._send(self.receiver.accept(TID, self.journal_offset), self.to_sender)
            elif isinstance(event, DataReceived):
                assert event.offset == len(self.staged), "data out of order"
                self.staged += event.data
            elif getattr(event, "transfer_id", TID) != TID:
                continue
            elif isinstance(event, Completed | Cancelled | Failed):
                assert "receiver" not in self.ends, "two terminal events on the receiver"
                if isinstance(event, Failed):  # the wire-level check of the credit
                    assert "past the granted credit" not in event.error.message
                self.ends["receiver"] = event
            elif isinstance(event, ConnectionFailed):
                self._link_broken()
                return
            elif isinstance(event, EofReceived):
                assert event.size == len(self.file)

    def _link_broken(self) -> None:
        """A connection-level error: the host closes the link, the other side sees it drop."""
        self.to_receiver.clear()
        self.to_sender.clear()
        self.sender.connection_lost()
        self.receiver.connection_lost()
        for side, conn in (("sender", self.sender), ("receiver", self.receiver)):
            for event in conn.pop_events():
                if getattr(event, "transfer_id", None) != TID:
                    continue
                if isinstance(event, Completed | Cancelled | Failed):
                    self.ends.setdefault(side, event)

    @property
    def sending(self):
        return self.sender.outgoing.get(TID)

    @property
    def receiving(self):
        return self.receiver.incoming.get(TID)

    # -- rules -----------------------------------------------------------------------------

    @precondition(lambda self: self.sender.ready and not self.offered)
    @rule()
    def offer(self) -> None:
        self.offered = True
        frames = self.sender.offer(TID, "dir/file", len(self.file), resume_key="key")
        self._send(frames, self.to_receiver)

    @precondition(lambda self: self.to_receiver)
    @rule()
    def deliver_to_receiver(self) -> None:
        self._send(self.receiver.receive(decode(self.to_receiver.popleft())), self.to_sender)
        self._handle_receiver_events()

    @precondition(lambda self: self.to_sender)
    @rule()
    def deliver_to_sender(self) -> None:
        self._send(self.sender.receive(decode(self.to_sender.popleft())), self.to_receiver)
        self._handle_sender_events()

    @precondition(lambda self: self.sending is not None and self.sending.sendable > 0)
    @rule(n=st.integers(1, CHUNK))
    def send_data(self, n: int) -> None:
        session = self.sending
        start = session.next_offset
        n = min(n, session.sendable)
        frame = self.sender.send_chunk(TID, self.file[start : start + n])
        self._send([frame], self.to_receiver)

    @precondition(lambda self: self.sending is not None and self.sending.all_sent)
    @rule()
    def send_eof(self) -> None:
        self._send(self.sender.finish(TID, self.sha), self.to_receiver)

    @precondition(
        lambda self: (
            self.receiving is not None
            and self.receiving.state in {State.RECEIVING, State.VERIFYING}
            and self.receiving.durable_offset < len(self.staged)
        )
    )
    @rule(fraction=st.floats(0.0, 1.0))
    def make_durable(self, fraction: float) -> None:
        durable = self.receiving.durable_offset
        upto = durable + max(1, int((len(self.staged) - durable) * fraction))
        self.journal_offset = upto
        self._send(self.receiver.bytes_durable(TID, upto), self.to_sender)
        self._handle_receiver_events()

    @precondition(
        lambda self: (
            self.receiving is not None
            and self.receiving.state is State.VERIFYING
            and self.receiving.durable_offset == len(self.file)
        )
    )
    @rule()
    def verify_and_store(self) -> None:
        actual = hashlib.sha256(bytes(self.staged)).digest()
        self._send(self.receiver.complete(TID, actual, "stored-1"), self.to_sender)
        self._handle_receiver_events()

    @precondition(lambda self: self.chaos > 0 and (self.sending is not None))
    @rule()
    def cancel_from_sender(self) -> None:
        self.chaos -= 1
        self._send(self.sender.cancel(TID, "sender cancelled"), self.to_receiver)
        self._handle_sender_events()

    @precondition(lambda self: self.chaos > 0 and (self.receiving is not None))
    @rule()
    def cancel_from_receiver(self) -> None:
        self.chaos -= 1
        self._send(self.receiver.cancel(TID, "receiver cancelled"), self.to_sender)
        self._handle_receiver_events()

    @precondition(lambda self: self.chaos > 0 and (self.attempts < 4))
    @rule()
    def drop_connection_and_resume(self) -> None:
        self.chaos -= 1
        self._link_broken()
        self.journal_offset = min(self.journal_offset, len(self.staged))
        self._connect()

    @precondition(lambda self: self.chaos > 0 and (self.to_receiver or self.to_sender))
    @rule(to_receiver=st.booleans())
    def inject_duplicate(self, to_receiver: bool) -> None:
        self.chaos -= 1
        pipe = self.to_receiver if to_receiver else self.to_sender
        if pipe:
            pipe.appendleft(pipe[0])

    @precondition(lambda self: self.chaos > 0)
    @rule(frame=fs.frames(), to_receiver=st.booleans())
    def inject_foreign_transfer(self, frame: Frame, to_receiver: bool) -> None:
        """A valid frame for some other, unknown transfer (or a stray HELLO)."""
        self.chaos -= 1
        if getattr(frame, "transfer_id", None) == TID:
            return
        (self.to_receiver if to_receiver else self.to_sender).append(encode(frame))

    @precondition(lambda self: self.chaos > 0)
    @rule(
        frame=st.sampled_from(
            [
                ("receiver", Accept(TID, 0)),
                ("receiver", Window(TID, 1 << 30)),
                ("receiver", Done(TID, b"\0" * 32, "forged")),
                ("receiver", Reject(TID, "rejected", "wrong direction")),
                ("sender", Chunk(TID, 0, b"wrong direction")),
                ("sender", Eof(TID, 0, b"\0" * 32)),
                ("sender", Offer(TID, "x", 1, "", CHUNK, "", 0)),
            ]
        )
    )
    def inject_wrong_direction(self, frame: tuple[str, Frame]) -> None:
        """A frame for this transfer that its recipient never legitimately receives."""
        self.chaos -= 1
        side, payload = frame
        recipient = self.receiver if side == "receiver" else self.sender
        if recipient.session(TID) is None:
            return  # before the transfer exists this is just an unknown id (covered above)
        (self.to_receiver if side == "receiver" else self.to_sender).append(encode(payload))

    @rule(steps=st.integers(1, 8))
    def run_hosts(self, steps: int) -> None:
        """Let both hosts do what they would on their own: deliver, send, sync, verify."""
        for _ in range(steps):
            if self.to_receiver:
                self.deliver_to_receiver()
            elif self.to_sender:
                self.deliver_to_sender()
            elif self.sender.ready and not self.offered:
                self.offer()
            elif self.sending is not None and self.sending.sendable > 0:
                self.send_data(CHUNK)
            elif self.sending is not None and self.sending.all_sent:
                self.send_eof()
            elif (
                self.receiving is not None
                and self.receiving.state in {State.RECEIVING, State.VERIFYING}
                and self.receiving.durable_offset < len(self.staged)
            ):
                self.make_durable(1.0)
            elif (
                self.receiving is not None
                and self.receiving.state is State.VERIFYING
                and self.receiving.durable_offset == len(self.file)
            ):
                self.verify_and_store()
            else:
                return

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def durable_bytes_are_a_prefix_of_the_file(self) -> None:
        if self.receiving is not None:
            durable = self.receiving.durable_offset
            assert bytes(self.staged[:durable]) == self.file[:durable]

    @invariant()
    def sender_never_exceeds_its_credit(self) -> None:
        session = self.sending
        if session is not None and session.state is State.SENDING:
            assert session.next_offset <= min(session.credit, len(self.file))

    @invariant()
    def completed_means_the_right_bytes(self) -> None:
        for side, end in self.ends.items():
            code = getattr(getattr(end, "error", None), "code", "")
            hypothesis_event(f"{side} ended: {type(end).__name__} {code}".strip())
            if isinstance(end, Completed):
                assert end.size == len(self.file) and end.sha256 == self.sha
                assert bytes(self.staged) == self.file

    @invariant()
    def ends_agree_once_the_pipes_are_empty(self) -> None:
        if not self.to_receiver and not self.to_sender:
            self._check_ends_agree()

    def _check_ends_agree(self) -> None:
        sender_end = self.ends.get("sender")
        receiver_end = self.ends.get("receiver")
        if isinstance(sender_end, Completed):
            assert isinstance(receiver_end, Completed)
        if isinstance(receiver_end, Completed):
            # The sender either heard DONE, or ended by its own hand after its EOF
            # (its cancel crossed our DONE on the wire). It never hears of a failure.
            assert (
                isinstance(sender_end, Completed)
                or (sender_end is not None and not sender_end.by_peer)
                or (sender_end is None and self.sending.state is State.EOF_SENT)
            )
        for mine, theirs in ((sender_end, receiver_end), (receiver_end, sender_end)):
            if isinstance(mine, Cancelled | Failed):
                receiver_started = self.receiving is not None
                if mine is sender_end and not receiver_started:
                    continue  # the offer never reached the receiver: nothing to tell it
                assert theirs is not None, f"{mine} was not reported on the other side"
                assert not isinstance(theirs, Completed) or not mine.by_peer
        for side, session in (("sender", self.sending), ("receiver", self.receiving)):
            if session is not None and session.state in TERMINAL_STATES:
                assert side in self.ends


TransferMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=60, deadline=None
)
test_transfer_state_machine = TransferMachine.TestCase
