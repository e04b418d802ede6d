"""Sender, receiver and connection state machines, one exchange at a time.

Like magic-wormhole's tests, each test drives the machines by hand and asserts the exact
frames and events that come out. Frames cross through encode/decode, as on the wire.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.protocol import strategies as fs
from ferry.protocol.codec import decode, encode
from ferry.protocol.connection import Connection
from ferry.protocol.errors import IntegrityError, LocalProtocolError, PeerGone, ProtocolError
from ferry.protocol.events import (
    Accepted,
    Cancelled,
    Completed,
    ConnectionFailed,
    CreditGranted,
    DataReceived,
    EofReceived,
    Failed,
    HandshakeComplete,
    OfferReceived,
    Progress,
)
from ferry.protocol.frames import (
    Accept,
    Cancel,
    Chunk,
    Done,
    Eof,
    Error,
    Frame,
    Hello,
    Offer,
    Ping,
    Reject,
    Window,
)
from ferry.protocol.receiver import ReceiverSession
from ferry.protocol.sender import SenderSession
from ferry.protocol.session import TERMINAL_STATES, Session, State

TID = b"T" * 16
KIB = 1024


def wire(frames: list[Frame]) -> list[Frame]:
    return [decode(encode(frame)) for frame in frames]


def connected(**receiver_options: int) -> tuple[Connection, Connection]:
    sender, receiver = Connection(), Connection(**receiver_options)
    for frame in wire(sender.start()):
        assert receiver.receive(frame) == []
    for frame in wire(receiver.start()):
        assert sender.receive(frame) == []
    assert isinstance(sender.pop_events()[0], HandshakeComplete)
    assert isinstance(receiver.pop_events()[0], HandshakeComplete)
    return sender, receiver


def deliver(frames: list[Frame], to: Connection) -> list[Frame]:
    answers: list[Frame] = []
    for frame in wire(frames):
        answers += to.receive(frame)
    return answers


def test_whole_transfer_exact_frames_and_events() -> None:
    sender, receiver = connected(window=64 * KIB)
    data = bytes(range(256)) * 160  # 40 KiB: three chunks of at most 16 KiB
    digest = hashlib.sha256(data).digest()

    offer = sender.offer(TID, "dir/file.bin", len(data), resume_key="k", mtime_ms=5)
    assert offer == [
        Offer(TID, "dir/file.bin", len(data), "application/octet-stream", 16 * KIB, "k", 5)
    ]
    assert deliver(offer, receiver) == []
    assert receiver.pop_events() == [OfferReceived(TID, offer[0])]

    answer = receiver.accept(TID)
    assert answer == [Accept(TID, 0), Window(TID, len(data))]
    assert deliver(answer, sender) == []
    assert sender.pop_events() == [Accepted(TID, 0), CreditGranted(TID, len(data))]

    chunks = [sender.send_chunk(TID, data[i : i + 16 * KIB]) for i in range(0, len(data), 16 * KIB)]
    assert [c.offset for c in chunks] == [0, 16 * KIB, 32 * KIB]
    assert deliver(chunks, receiver) == []
    received = receiver.pop_events()
    assert b"".join(e.data for e in received if isinstance(e, DataReceived)) == data

    eof = sender.finish(TID, digest)
    assert eof == [Eof(TID, len(data), digest)]
    assert deliver(eof, receiver) == []
    assert receiver.pop_events() == [EofReceived(TID, len(data), digest)]
    assert receiver.bytes_durable(TID, len(data)) == []
    assert receiver.pop_events() == [Progress(TID, len(data), len(data))]

    done = receiver.complete(TID, digest, "stored-1")
    assert done == [Done(TID, digest, "stored-1")]
    assert receiver.pop_events() == [Completed(TID, len(data), digest, "stored-1")]
    assert deliver(done, sender) == []
    assert sender.pop_events()[-1] == Completed(TID, len(data), digest, "stored-1")


def test_sender_never_exceeds_credit() -> None:
    sender, receiver = connected(window=32 * KIB)
    deliver(sender.offer(TID, "f", 100 * KIB), receiver)
    deliver(receiver.accept(TID), sender)
    session = sender.outgoing[TID]
    assert session.state is State.SENDING
    assert session.sendable == 32 * KIB
    session.send_chunk(b"x" * 16 * KIB)
    session.send_chunk(b"x" * 16 * KIB)
    with pytest.raises(LocalProtocolError, match="past the credit"):
        session.send_chunk(b"x")
    assert session.next_offset == 32 * KIB  # the refused call changed nothing


def test_receiver_grants_more_credit_as_bytes_become_durable() -> None:
    sender, receiver = connected(window=64 * KIB)
    deliver(sender.offer(TID, "f", 1024 * KIB), receiver)
    deliver(receiver.accept(TID), sender)
    chunks = [sender.send_chunk(TID, b"x" * 16 * KIB) for _ in range(4)]
    deliver(chunks, receiver)
    assert receiver.bytes_durable(TID, 8 * KIB) == []  # less than a quarter window: no frame
    assert receiver.bytes_durable(TID, 16 * KIB) == [Window(TID, 80 * KIB)]
    assert receiver.bytes_durable(TID, 64 * KIB) == [Window(TID, 128 * KIB)]
    with pytest.raises(LocalProtocolError):
        receiver.bytes_durable(TID, 65 * KIB)  # more than was received


def test_chunk_past_granted_credit_is_a_protocol_error() -> None:
    sender, receiver = connected(window=16 * KIB)
    deliver(sender.offer(TID, "f", 64 * KIB), receiver)
    receiver.accept(TID)
    receiver.pop_events()
    rogue = Chunk(TID, 0, b"x" * 16 * KIB + b"")  # within credit: fine
    assert receiver.receive(rogue) == []
    answer = receiver.receive(Chunk(TID, 16 * KIB, b"y"))
    assert answer[0].code == "protocol" and "past the granted credit" in answer[0].message
    assert isinstance(receiver.pop_events()[-1], Failed)


def test_resume_starts_at_the_accepted_offset() -> None:
    sender, receiver = connected(window=64 * KIB)
    data = b"r" * 50 * KIB
    deliver(sender.offer(TID, "f", len(data)), receiver)
    deliver(receiver.accept(TID, offset=30 * KIB), sender)
    session = sender.outgoing[TID]
    assert (session.start_offset, session.next_offset) == (30 * KIB, 30 * KIB)
    frame = sender.send_chunk(TID, data[30 * KIB : 46 * KIB])
    assert frame.offset == 30 * KIB
    deliver([frame], receiver)
    event = [e for e in receiver.pop_events() if isinstance(e, DataReceived)]
    assert event == [DataReceived(TID, 30 * KIB, data[30 * KIB : 46 * KIB])]


def test_accept_past_the_size_is_refused_by_the_sender() -> None:
    sender, _ = connected()
    sender.offer(TID, "f", 10)
    answer = sender.receive(Accept(TID, 11))
    assert isinstance(answer[0], Error) and "past the size" in answer[0].message
    assert sender.outgoing[TID].state is State.FAILED


def test_chunk_size_is_negotiated_down_to_what_both_accept() -> None:
    sender = Connection(max_message_size=256 * KIB)
    receiver = Connection(max_message_size=64 * KIB)
    deliver(sender.start(), receiver)
    deliver(receiver.start(), sender)
    assert sender.max_chunk_size == 64 * KIB - 96
    offer = sender.offer(TID, "f", 1, chunk_size=256 * KIB)
    assert offer[0].chunk_size == 64 * KIB - 96
    default = sender.offer(b"U" * 16, "g", 1)
    assert default[0].chunk_size == 16 * KIB  # larger only when asked and both allow


def test_offer_with_a_chunk_size_beyond_the_negotiated_one_fails() -> None:
    _, receiver = connected()
    answer = receiver.receive(Offer(TID, "f", 10, "", 1 << 20, "", 0))
    assert isinstance(answer[0], Error) and "exceeds the negotiated" in answer[0].message


def test_offer_larger_than_the_receivers_limit_is_rejected() -> None:
    sender, receiver = connected(max_file_size=1000)
    answer = deliver(sender.offer(TID, "big", 1001), receiver)
    assert answer[0] == Reject(TID, "too-large", answer[0].message)
    deliver(answer, sender)
    failed = sender.pop_events()[-1]
    assert isinstance(failed, Failed) and failed.error.code == "too-large"


def test_digest_mismatch_fails_both_sides_with_integrity_error() -> None:
    sender, receiver = connected()
    deliver(sender.offer(TID, "f", 3), receiver)
    deliver(receiver.accept(TID), sender)
    deliver([sender.send_chunk(TID, b"abc")], receiver)
    deliver(sender.finish(TID, hashlib.sha256(b"abc").digest()), receiver)
    receiver.bytes_durable(TID, 3)
    answer = receiver.complete(TID, hashlib.sha256(b"abd").digest(), "x")
    assert answer[0].code == "integrity"
    deliver(answer, sender)
    receiver_end = receiver.pop_events()[-1]
    sender_end = sender.pop_events()[-1]
    assert isinstance(receiver_end, Failed) and isinstance(receiver_end.error, IntegrityError)
    assert isinstance(sender_end, Failed) and isinstance(sender_end.error, IntegrityError)


def test_done_with_another_digest_fails_the_sender() -> None:
    sender, _ = connected()
    sender.offer(TID, "f", 0)
    sender.receive(Accept(TID, 0))
    sender.finish(TID, b"\1" * 32)
    answer = sender.receive(Done(TID, b"\2" * 32, "id"))
    assert answer[0].code == "integrity"


@pytest.mark.parametrize("canceller", ["sender", "receiver"])
@pytest.mark.parametrize("after", ["offer", "accept", "chunk", "eof"])
def test_cancel_from_either_side_at_any_point(canceller: str, after: str) -> None:
    sender, receiver = connected()
    steps = {
        "offer": lambda: deliver(sender.offer(TID, "f", 20 * KIB), receiver),
        "accept": lambda: deliver(receiver.accept(TID), sender),
        "chunk": lambda: deliver(
            [sender.send_chunk(TID, b"c" * 16 * KIB), sender.send_chunk(TID, b"c" * 4 * KIB)],
            receiver,
        ),
        "eof": lambda: deliver(sender.finish(TID, b"\0" * 32), receiver),
    }
    for name, step in steps.items():
        step()
        if name == after:
            break
    one, other = (sender, receiver) if canceller == "sender" else (receiver, sender)
    cancel = one.cancel(TID, "user asked")
    assert cancel == [Cancel(TID, "user asked")]
    deliver(cancel, other)
    assert one.pop_events()[-1] == Cancelled(TID, "user asked", by_peer=False)
    assert other.pop_events()[-1] == Cancelled(TID, "user asked", by_peer=True)
    assert one.cancel(TID) == []  # a second cancel does nothing


def test_chunks_in_flight_after_a_cancel_are_ignored() -> None:
    sender, receiver = connected()
    deliver(sender.offer(TID, "f", 64 * KIB), receiver)
    deliver(receiver.accept(TID), sender)
    in_flight = sender.send_chunk(TID, b"a" * 16 * KIB)
    receiver.cancel(TID)
    assert deliver([in_flight], receiver) == []
    assert receiver.incoming[TID].state is State.CANCELLED


def test_duplicate_chunk_fails_the_transfer_instead_of_writing_twice() -> None:
    sender, receiver = connected()
    deliver(sender.offer(TID, "f", 64 * KIB), receiver)
    deliver(receiver.accept(TID), sender)
    chunk = sender.send_chunk(TID, b"a" * 16 * KIB)
    deliver([chunk], receiver)
    answer = deliver([chunk], receiver)
    assert answer[0].code == "protocol" and "expected 16384" in answer[0].message
    data_events = [e for e in receiver.pop_events() if isinstance(e, DataReceived)]
    assert len(data_events) == 1


def test_frames_before_hello_fail_the_connection() -> None:
    receiver = Connection()
    receiver.start()
    answer = receiver.receive(Offer(TID, "f", 1, "", 16 * KIB, "", 0))
    assert answer == [Error(None, "protocol", "OFFER before HELLO")]
    assert isinstance(receiver.pop_events()[-1], ConnectionFailed)


def test_second_hello_fails_the_connection_and_every_transfer() -> None:
    sender, receiver = connected()
    deliver(sender.offer(TID, "f", 10), receiver)
    answer = receiver.receive(Hello(1, 256 * KIB, 64 * KIB, ()))
    assert answer[0].transfer_id is None and "twice" in answer[0].message
    events = receiver.pop_events()
    assert any(isinstance(e, Failed) and e.transfer_id == TID for e in events)
    deliver(answer, sender)
    assert isinstance(sender.pop_events()[-1], ConnectionFailed)
    assert sender.outgoing[TID].state is State.FAILED


def test_unknown_transfer_gets_an_error_but_cancel_does_not_loop() -> None:
    _, receiver = connected()
    answer = receiver.receive(Chunk(b"?" * 16, 0, b"x"))
    assert answer[0].code == "unknown-transfer"
    assert receiver.receive(Cancel(b"?" * 16, "x")) == []
    assert receiver.receive(Error(b"?" * 16, "protocol", "x")) == []


def test_connection_lost_fails_unfinished_transfers_with_peer_gone() -> None:
    sender, receiver = connected()
    deliver(sender.offer(TID, "f", 10), receiver)
    sender.connection_lost()
    failed = [e for e in sender.pop_events() if isinstance(e, Failed)]
    assert len(failed) == 1 and isinstance(failed[0].error, PeerGone)
    assert sender.cancel(TID) == []


@given(st.integers(min_value=0, max_value=8))
def test_a_lost_link_first_reports_exactly_how_far_the_sender_got(chunks: int) -> None:
    """Progress goes out each MiB; a lost link adds the exact figure before the failure,
    so a resume after a reconnect knows how many bytes it sends twice."""
    sender, receiver = connected(window=256 * KIB)
    deliver(sender.offer(TID, "f", 1024 * KIB), receiver)
    deliver(receiver.accept(TID), sender)
    for _ in range(chunks):
        sender.send_chunk(TID, b"x" * 16 * KIB)
    sender.pop_events()
    sender.connection_lost()
    events = sender.pop_events()
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress == ([Progress(TID, chunks * 16 * KIB, 1024 * KIB)] if chunks else [])
    assert isinstance(events[len(progress)], Failed)  # the figure comes first


def test_offer_with_an_unsafe_name_is_refused_locally() -> None:
    sender, _ = connected()
    with pytest.raises(LocalProtocolError, match=r"'\.\.'"):
        sender.offer(TID, "../escape", 1)
    assert TID not in sender.outgoing


# -- every (state, frame type) pair: h2's test_state_machines approach ----------------------

SENDER_ALLOWED = {
    (State.OFFERED, Accept),
    (State.OFFERED, Reject),
    (State.SENDING, Window),
    (State.EOF_SENT, Window),
    (State.EOF_SENT, Done),
}
RECEIVER_ALLOWED = {(State.RECEIVING, Chunk), (State.RECEIVING, Eof)}


def _sender_in(state: State) -> SenderSession:
    session = SenderSession(Offer(TID, "f", 10, "", 16 * KIB, "", 0))
    if state is State.IDLE:
        return session
    session.start()
    if state is State.OFFERED:
        return session
    session.receive(Accept(TID, 0))
    if state is State.SENDING:
        return session
    session.receive(Window(TID, 10))
    session.send_chunk(b"x" * 10)
    session.finish(b"\0" * 32)
    if state is State.EOF_SENT:
        return session
    if state is State.COMPLETED:
        session.receive(Done(TID, b"\0" * 32, "id"))
    elif state is State.CANCELLED:
        session.cancel()
    else:
        session.fail(ProtocolError("x"))
    return session


def _receiver_in(state: State) -> ReceiverSession:
    session = ReceiverSession(Offer(TID, "f", 10, "", 16 * KIB, "", 0), window=16 * KIB)
    if state is State.OFFER_RECEIVED:
        return session
    session.accept()
    if state is State.RECEIVING:
        return session
    session.receive(Chunk(TID, 0, b"x" * 10))
    session.receive(Eof(TID, 10, b"\0" * 32))
    if state is State.VERIFYING:
        return session
    if state is State.COMPLETED:
        session.complete(b"\0" * 32, "id")
    elif state is State.CANCELLED:
        session.cancel()
    else:
        session.fail(ProtocolError("x"))
    return session


SENDER_STATES = [State.IDLE, State.OFFERED, State.SENDING, State.EOF_SENT, *TERMINAL_STATES]
RECEIVER_STATES = [State.OFFER_RECEIVED, State.RECEIVING, State.VERIFYING, *TERMINAL_STATES]
PEER_FRAMES = st.one_of(
    *(strategy() for cls, strategy in fs.FRAME_STRATEGIES.items() if cls not in (Hello, Ping))
).map(lambda frame: type(frame)(TID, *[getattr(frame, f) for f in frame.__slots__[1:]]))


def _check_reaction(
    session: Session, state: State, frame: Frame, allowed: set[tuple], moving: set[State]
) -> None:
    """What any session must do with any peer frame in any state."""
    answer = session.receive(frame)
    if state in TERMINAL_STATES:
        assert answer == [] and session.state is state  # late frames are ignored
    elif isinstance(frame, Cancel):
        assert session.state is State.CANCELLED and answer == []
    elif isinstance(frame, Error):
        assert session.state is State.FAILED and answer == []
    elif (state, type(frame)) not in allowed:
        assert session.state is State.FAILED
        assert answer[0].code == "protocol" and "unexpected" in answer[0].message
    else:
        # An allowed type is either valid here (offset, size, credit), refused clearly, or
        # ends the transfer as the peer meant (a REJECT fails the sender, answering nothing).
        assert session.state in moving | {State.FAILED}
        if session.state is State.FAILED and not isinstance(frame, Reject):
            assert answer[0].code in {"protocol", "integrity"}


@given(state=st.sampled_from(SENDER_STATES), frame=PEER_FRAMES)
def test_sender_every_state_and_frame(state: State, frame: Frame) -> None:
    moving = {State.SENDING, State.EOF_SENT, State.COMPLETED}
    _check_reaction(_sender_in(state), state, frame, SENDER_ALLOWED, moving)


@given(state=st.sampled_from(RECEIVER_STATES), frame=PEER_FRAMES)
def test_receiver_every_state_and_frame(state: State, frame: Frame) -> None:
    moving = {State.RECEIVING, State.VERIFYING}
    _check_reaction(_receiver_in(state), state, frame, RECEIVER_ALLOWED, moving)


@pytest.mark.parametrize("state", SENDER_STATES)
def test_sender_local_actions_in_wrong_state_raise_and_change_nothing(state: State) -> None:
    session = _sender_in(state)
    if state is not State.SENDING:
        with pytest.raises(LocalProtocolError):
            session.send_chunk(b"x")
        with pytest.raises(LocalProtocolError):
            session.finish(b"\0" * 32)
    if state is not State.IDLE:
        with pytest.raises(LocalProtocolError):
            session.start()
    assert session.state is state


def test_finished_transfers_are_forgotten_so_endless_offers_cannot_grow_memory() -> None:
    from ferry.protocol.connection import FINISHED_KEPT

    sender, receiver = connected()
    for number in range(FINISHED_KEPT + 500):
        transfer_id = number.to_bytes(16, "big")
        deliver(sender.offer(transfer_id, "f", 10), receiver)
        deliver(receiver.reject(transfer_id, "rejected", "no"), sender)
        receiver.pop_events()
        sender.pop_events()
    assert len(receiver.incoming) == FINISHED_KEPT
    assert len(sender.outgoing) == FINISHED_KEPT
    # The most recent ones are still known: a late frame for them is ignored quietly.
    last = (FINISHED_KEPT + 499).to_bytes(16, "big")
    assert receiver.receive(Cancel(last, "late")) == []


def test_offers_beyond_the_in_flight_limit_are_rejected_as_busy() -> None:
    sender, receiver = connected(max_incoming=2)
    ids = [bytes([n]) * 16 for n in range(3)]
    for transfer_id in ids:
        answers = deliver(sender.offer(transfer_id, "f", 10), receiver)
    assert answers == [Reject(ids[2], "busy", answers[0].message)]
    assert "2 files are already on their way" in answers[0].message
    deliver(receiver.reject(ids[0], "rejected", "no"), sender)  # one ends...
    fourth = b"\x04" * 16
    assert deliver(sender.offer(fourth, "f", 10), receiver) == []  # ...and a slot is free
    assert isinstance(receiver.pop_events()[-1], OfferReceived)


def test_a_connection_takes_at_most_max_offers_in_all() -> None:
    sender, receiver = connected(max_offers=3)
    answers = []
    for n in range(4):
        transfer_id = bytes([n]) * 16
        answers = deliver(sender.offer(transfer_id, "f", 10), receiver)
        if n < 3:
            deliver(receiver.reject(transfer_id, "rejected", "no"), sender)
    assert len(answers) == 1 and answers[0].code == "too-many-offers"
