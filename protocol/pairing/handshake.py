"""The pairing handshake, sans-IO: a table-driven state machine in the style of h11.

Two roles: the *waiter* (the side that made the code, or listens) and the *joiner* (the
side that connects). Four flights, SPAKE2 in the middle:

    joiner -> waiter   pair-hello   {v, mode, commit = SHA-256(pake_J)}
    waiter -> joiner   pair-pake    {pake_W}
    joiner -> waiter   pair-reveal  {pake_J, mac_J}   + sealed #0 {pair-identity: key_J, sig_J}
    waiter -> joiner   pair-confirm {mac_W}           + sealed #0 {pair-identity: key_W, sig_W}

The joiner commits to its PAKE message before it sees the waiter's, so a man in the middle
who knows the code still cannot grind its own PAKE message to make the two sides' short
verifiers match. Each side checks the peer's key confirmation before anything else, then its
identity proof (an Ed25519 signature over the transcript hash), then, in trusted mode,
that the proven peer id is trusted. The waiter answers last, so in trusted mode it reveals
its identity only to a peer it trusts. docs/pairing.md is the specification.

Input: received messages (JSON-able dicts) and ``now`` (seconds, any monotonic clock).
Output: :class:`Output` (messages to send, events). Any bad input raises
:class:`AuthenticationError` and moves the machine to ``FAILED`` in one step (nothing
half-changed, every secret dropped); :meth:`Handshake.abort_message` then gives the notice
to send the peer. A caller's own mistake (start twice, receive before start) raises
``LocalProtocolError`` and changes nothing.
"""

from __future__ import annotations

import enum
import hmac
import os
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any, ClassVar

from spake2 import SPAKE2_Symmetric

from ferry.errors import ConfigError
from ferry.protocol.errors import LocalProtocolError

from . import keys as ks
from .channel import SealedChannel, peer_abort
from .codes import Code, words_for
from .encoding import b64encode, describe
from .errors import AuthenticationError, Reason
from .identity import Identity, peer_id_of, verify_signature
from .messages import ABORT, CONFIRM, HELLO, IDENTITY, PAKE, REVEAL, SEALED, abort_notice, parse

#: How long a handshake may take from start() to the end, by default (seconds).
HANDSHAKE_TIMEOUT = 30.0
SECRET_BYTES = 32
_ED25519_Q = 2**255 - 19


class Role(enum.StrEnum):
    WAITER = "waiter"  # made the code, or listens
    JOINER = "joiner"  # connects

    @property
    def peer(self) -> Role:
        return Role.JOINER if self is Role.WAITER else Role.WAITER


class Mode(enum.StrEnum):
    CODE = "code"  # a code a person carries: <number>-<word>-<word>
    SECRET = "secret"  # a 32-byte secret: a link's fragment, or a host's pre-shared key
    TRUSTED = "trusted"  # no secret: both identities must be in each other's trust store


class State(enum.Enum):
    IDLE = "idle"
    JOINER_SENT_HELLO = "joiner: hello sent"
    JOINER_REVEALED = "joiner: reveal sent"
    JOINER_CONFIRMED = "joiner: waiter confirmed"
    WAITER_WAITING = "waiter: waiting for hello"
    WAITER_SENT_PAKE = "waiter: pake sent"
    WAITER_CONFIRMED = "waiter: joiner confirmed"
    PAIRED = "paired"
    FAILED = "failed"


@dataclass(frozen=True)
class Paired:
    """The handshake succeeded: who the peer is, proven by its key."""

    peer_id: str
    peer_key: bytes = field(repr=False)
    verifier: str  # four PGP words both sides show for people who compare (--verify)
    trusted: bool  # whether peer_id was in this side's trust store
    mode: Mode
    role: Role


@dataclass(frozen=True)
class Output:
    send: tuple[dict[str, Any], ...] = ()
    events: tuple[Paired, ...] = ()


_EMPTY = Output()


class Handshake:
    """One pairing attempt, for one role. Single use."""

    #: state -> {message type the peer may send in it: handler}. ``pair-abort`` is allowed
    #: in every state before the end; anything not listed is refused.
    TRANSITIONS: ClassVar[dict[State, dict[str, str]]] = {
        State.JOINER_SENT_HELLO: {PAKE: "_joiner_on_pake"},
        State.JOINER_REVEALED: {CONFIRM: "_on_confirm"},
        State.JOINER_CONFIRMED: {SEALED: "_on_identity"},
        State.WAITER_WAITING: {HELLO: "_waiter_on_hello"},
        State.WAITER_SENT_PAKE: {REVEAL: "_waiter_on_reveal"},
        State.WAITER_CONFIRMED: {SEALED: "_on_identity"},
    }

    def __init__(
        self,
        role: Role | str,
        identity: Identity,
        *,
        code: Code | None = None,
        claim_code: Callable[[], Code | None] | None = None,
        secret: bytes | None = None,
        trusted_mode: bool = False,
        trusted: Container[str] = frozenset(),
        timeout: float = HANDSHAKE_TIMEOUT,
        entropy: Callable[[int], bytes] = os.urandom,
    ) -> None:
        """``code``, ``secret`` and ``trusted_mode`` are what this side offers (a joiner:
        exactly one) or accepts (a waiter: any of them). ``trusted`` holds the peer ids
        this side trusts (a set, or a store with ``in``).

        ``claim_code`` (a waiter only, instead of ``code``): a listener that serves several
        joiners at once offers one code at a time. It is called when a joiner's hello asks
        for code mode and returns the code this handshake then spends, or None when no code
        is free (another joiner holds it): the hello is refused with reason ``mode``. After
        the end, :attr:`secret_tested` says whether the code was checked (and so is burnt)."""
        self.role = Role(role)
        if not isinstance(identity, Identity):
            raise ConfigError("identity must be a ferry.protocol.pairing.Identity")
        if secret is not None and (not isinstance(secret, bytes) or len(secret) != SECRET_BYTES):
            raise ConfigError(f"a pairing secret is exactly {SECRET_BYTES} bytes")
        if code is not None and not isinstance(code, Code):
            raise ConfigError("code must be a Code (see parse_code and new_code)")
        if claim_code is not None and (code is not None or Role(role) is not Role.WAITER):
            raise ConfigError("claim_code is for a waiting side, instead of a code")
        secrets_by_mode: dict[Mode, bytes] = {}
        if code is not None:
            secrets_by_mode[Mode.CODE] = code.spend()  # single use, from here on
        if claim_code is not None:
            secrets_by_mode[Mode.CODE] = b""  # claimed, and spent, when a hello asks for it
        if secret is not None:
            secrets_by_mode[Mode.SECRET] = secret
        if trusted_mode:
            secrets_by_mode[Mode.TRUSTED] = b""
        if not secrets_by_mode:
            raise ConfigError("pairing needs a code, a secret or trusted mode")
        if self.role is Role.JOINER and len(secrets_by_mode) != 1:
            raise ConfigError("a joining side pairs one way: a code, a secret or trusted mode")
        if not timeout > 0:
            raise ConfigError("the handshake timeout must be positive")
        self.identity = identity
        self.timeout = float(timeout)
        self.deadline = float("inf")
        self.state = State.IDLE
        self.error: AuthenticationError | None = None
        self.result: Paired | None = None
        self.channel: SealedChannel | None = None
        self._secrets = secrets_by_mode
        self._trusted = trusted
        self._claim_code = claim_code
        #: Whether a code or secret was checked against the peer's key confirmation (a code
        #: that was is used up, whatever the outcome; one that was not can be offered again).
        self.secret_tested = False
        self.code_claimed = False  # this handshake holds the listener's code (claim_code)
        self._entropy = entropy
        self._mode: Mode | None = next(iter(secrets_by_mode)) if len(secrets_by_mode) == 1 else None
        self._spake: SPAKE2_Symmetric | None = None
        self._pake_own = b""
        self._commit = b""
        self._keys: ks.SessionKeys | None = None
        self._notice: dict[str, Any] | None = None

    @classmethod
    def joiner(cls, identity: Identity, **kwargs: Any) -> Handshake:
        return cls(Role.JOINER, identity, **kwargs)

    @classmethod
    def waiter(cls, identity: Identity, **kwargs: Any) -> Handshake:
        return cls(Role.WAITER, identity, **kwargs)

    # -- queries ---------------------------------------------------------------------------------

    @property
    def accepted_modes(self) -> tuple[Mode, ...]:
        return tuple(self._secrets)

    @property
    def mode(self) -> Mode | None:
        """The mode in use (for a waiter: once the joiner's hello has chosen it)."""
        return self._mode

    @property
    def finished(self) -> bool:
        return self.state in (State.PAIRED, State.FAILED)

    # -- inputs ----------------------------------------------------------------------------------

    def start(self, now: float) -> Output:
        """Begin: the joiner sends its hello; the waiter waits for one."""
        if self.state is not State.IDLE:
            raise LocalProtocolError(f"start() in state {self.state.value}")
        self.deadline = now + self.timeout
        if self.role is Role.WAITER:
            self.state = State.WAITER_WAITING
            return _EMPTY
        assert self._mode is not None
        spake, pake = self._new_spake(self._mode)
        hello = {
            "type": HELLO,
            "v": ks.VERSION,
            "mode": str(self._mode),
            "commit": b64encode(ks.commitment(pake)),
        }
        self._spake, self._pake_own = spake, pake
        self.state = State.JOINER_SENT_HELLO
        return Output(send=(hello,))

    def receive(self, message: object, now: float) -> Output:
        """Apply one message from the peer; return what to send and what happened."""
        if self.state is State.IDLE:
            raise LocalProtocolError("receive() before start()")
        if self.state is State.PAIRED:
            raise LocalProtocolError("the handshake is over: open later messages with .channel")
        if self.state is State.FAILED:
            raise self._again()
        try:
            self.check(now)
            kind, fields = parse(message)
            if kind == ABORT:
                raise peer_abort(fields["reason"])
            handler = self.TRANSITIONS[self.state].get(kind)
            if handler is None:
                raise AuthenticationError(
                    f"pairing failed: {kind} arrived out of order (in state {self.state.value})",
                    reason=Reason.UNEXPECTED,
                )
            return getattr(self, handler)(fields)
        except AuthenticationError as exc:
            if self.state is not State.FAILED:
                self._fail(exc)
            raise
        except Exception as exc:  # a host's trust store failing, or a bug: never half-changed
            if self.state is not State.FAILED:
                self._fail(AuthenticationError(f"pairing failed: {exc}", reason=Reason.OTHER))
            raise

    def check(self, now: float) -> None:
        """Fail with a timeout once ``now`` passes the deadline (call it from a timer)."""
        if self.finished or now < self.deadline:
            return
        self._fail(
            AuthenticationError(
                f"pairing failed: the handshake did not finish within {self.timeout:g}s "
                "(a message was lost, or the peer is not answering)",
                reason=Reason.TIMEOUT,
            )
        )
        raise self.error  # type: ignore[misc]

    def abandon(self, reason: Reason, message: str) -> AuthenticationError:
        """The host saw the handshake fail outside the machine (the connection closed, or
        it delivered something that is not a message): fail, and return the error."""
        if self.state is State.FAILED:
            return self._again()
        self._fail(AuthenticationError(f"pairing failed: {message}", reason=reason))
        assert self.error is not None
        return self.error

    def abort_message(self) -> dict[str, Any] | None:
        """After a failure, the notice to send the peer (once); None if there is none to
        send (the peer ended it, or nothing has failed)."""
        notice, self._notice = self._notice, None
        return notice

    # -- handlers: each validates everything, then changes state in one place -------------------

    def _waiter_on_hello(self, fields: dict[str, Any]) -> Output:
        if fields["v"] != ks.VERSION:
            raise AuthenticationError(
                f"pairing failed: the peer speaks pairing version {fields['v']}, this side "
                f"speaks {ks.VERSION}: update the older Ferry",
                reason=Reason.MODE,
            )
        mode_text = fields["mode"]
        mode = Mode(mode_text) if mode_text in Mode._value2member_map_ else None
        if mode is None or mode not in self._secrets:
            accepted = ", ".join(str(m) for m in self._secrets)
            wanted = f"mode {describe(mode_text)}" if mode is None else _MODE_NAMES[mode]
            raise AuthenticationError(
                f"pairing failed: the peer asked to pair by {wanted}, and this side "
                f"accepts only: {accepted}",
                reason=Reason.MODE,
            )
        if mode is Mode.CODE and self._claim_code is not None:
            claimed = self._claim_code()
            if claimed is None:
                raise AuthenticationError(
                    "pairing failed: the peer asked to pair by code while another sender is "
                    "using this side's code; try again in a moment",
                    reason=Reason.MODE,
                )
            self._secrets[Mode.CODE] = claimed.spend()
            self._claim_code = None
            self.code_claimed = True
        spake, pake = self._new_spake(mode)
        self._mode, self._spake, self._pake_own = mode, spake, pake
        self._commit = fields["commit"]
        self.state = State.WAITER_SENT_PAKE
        return Output(send=({"type": PAKE, "pake": b64encode(pake)},))

    def _joiner_on_pake(self, fields: dict[str, Any]) -> Output:
        pake_w = fields["pake"]
        keys = self._finish_spake(pake_waiter=pake_w, pake_joiner=self._pake_own)
        channel = self._new_channel(keys)
        reveal = {
            "type": REVEAL,
            "pake": b64encode(self._pake_own),
            "mac": b64encode(ks.confirm_mac(keys, self.role)),
        }
        proof = channel.seal(self._identity_record(keys))
        self._keys, self.channel, self._spake = keys, channel, None
        self.state = State.JOINER_REVEALED
        return Output(send=(reveal, proof))

    def _waiter_on_reveal(self, fields: dict[str, Any]) -> Output:
        pake_j = fields["pake"]
        if not hmac.compare_digest(ks.commitment(pake_j), self._commit):
            raise AuthenticationError(
                "pairing failed: the joiner's PAKE message does not match the commitment in "
                "its hello (altered on the way)",
                reason=Reason.TAMPERED,
            )
        keys = self._finish_spake(pake_waiter=self._pake_own, pake_joiner=pake_j)
        self._check_confirm(keys, fields["mac"])
        self._keys, self.channel, self._spake = keys, self._new_channel(keys), None
        self.state = State.WAITER_CONFIRMED
        return _EMPTY

    def _on_confirm(self, fields: dict[str, Any]) -> Output:
        assert self._keys is not None
        self._check_confirm(self._keys, fields["mac"])
        self.state = State.JOINER_CONFIRMED
        return _EMPTY

    def _on_identity(self, fields: dict[str, Any]) -> Output:
        keys, channel = self._keys, self.channel
        assert keys is not None and channel is not None
        record = channel.open_record(fields["seq"], fields["box"])
        if record.get("type") != IDENTITY:
            raise AuthenticationError(
                "pairing failed: the peer's first sealed record is not its identity proof",
                reason=Reason.UNEXPECTED,
            )
        _, proof = parse(record)
        peer_key, signature = proof["key"], proof["sig"]
        payload = ks.proof_payload(self.role.peer, keys.transcript)
        if not verify_signature(peer_key, signature, payload):
            raise AuthenticationError(
                "pairing failed: the peer's identity proof does not verify (a forged or "
                "replayed proof)",
                reason=Reason.BAD_PROOF,
            )
        peer_id = peer_id_of(peer_key)
        trusted = peer_id in self._trusted
        if self._mode is Mode.TRUSTED and not trusted:
            raise AuthenticationError(
                f"pairing failed: peer {peer_id} is not a trusted peer here; pair with a code "
                "first and keep it as trusted",
                reason=Reason.UNTRUSTED,
            )
        send: tuple[dict[str, Any], ...] = ()
        if self.role is Role.WAITER:
            confirm = {"type": CONFIRM, "mac": b64encode(ks.confirm_mac(keys, self.role))}
            send = (confirm, channel.seal(self._identity_record(keys)))
        assert self._mode is not None
        self.result = Paired(
            peer_id=peer_id,
            peer_key=peer_key,
            verifier=words_for(keys.verifier),
            trusted=trusted,
            mode=self._mode,
            role=self.role,
        )
        self._keys = None
        self.state = State.PAIRED
        return Output(send=send, events=(self.result,))

    # -- helpers -----------------------------------------------------------------------------------

    def _new_spake(self, mode: Mode) -> tuple[SPAKE2_Symmetric, bytes]:
        spake = SPAKE2_Symmetric(
            ks.password(mode, self._secrets[mode]),
            idSymmetric=ks.PROTOCOL,
            entropy_f=self._entropy,
        )
        return spake, spake.start()

    def _finish_spake(self, *, pake_waiter: bytes, pake_joiner: bytes) -> ks.SessionKeys:
        assert self._spake is not None and self._mode is not None
        peer = pake_joiner if self.role is Role.WAITER else pake_waiter
        if not _canonical_pake(peer):
            raise AuthenticationError(
                "pairing failed: the peer's PAKE message is not a canonical SPAKE2 message",
                reason=Reason.MALFORMED,
            )
        try:
            key = self._spake.finish(peer)
        except Exception:  # spake2 raises several kinds (ValueError, AssertionError...)
            raise AuthenticationError(
                "pairing failed: the peer's PAKE message is not a valid SPAKE2 message "
                "(reflected, or not a point of the group)",
                reason=Reason.MALFORMED,
            ) from None
        return ks.derive(key, ks.transcript_hash(self._mode, pake_waiter, pake_joiner))

    def _check_confirm(self, keys: ks.SessionKeys, mac: bytes) -> None:
        self.secret_tested = True  # an observation, not a state: the code is now burnt
        if hmac.compare_digest(ks.confirm_mac(keys, self.role.peer), mac):
            return
        assert self._mode is not None
        raise AuthenticationError(_WRONG_SECRET[self._mode], reason=Reason.WRONG_SECRET)

    def _new_channel(self, keys: ks.SessionKeys) -> SealedChannel:
        send_key, send_iv = keys.sending(self.role)
        receive_key, receive_iv = keys.sending(self.role.peer)
        return SealedChannel(send_key, send_iv, receive_key, receive_iv, exporter=keys.exporter)

    def _identity_record(self, keys: ks.SessionKeys) -> dict[str, Any]:
        signature = self.identity.sign(ks.proof_payload(self.role, keys.transcript))
        return {
            "type": IDENTITY,
            "key": b64encode(self.identity.public_key),
            "sig": b64encode(signature),
        }

    def _fail(self, error: AuthenticationError) -> None:
        """Everything a failure changes, in one place: state, error, secrets, notice."""
        self.state = State.FAILED
        self.error = error
        self._notice = None if error.by_peer else abort_notice(error.reason)
        self._spake = None
        self._keys = None
        self._secrets = {}
        if self.channel is not None:
            self.channel.fail(error)

    def _again(self) -> AuthenticationError:
        assert self.error is not None
        return AuthenticationError(
            f"this pairing already failed: {self.error.message}",
            reason=self.error.reason,
            by_peer=self.error.by_peer,
        )


def _canonical_pake(message: bytes) -> bool:
    """b"S" then a canonically encoded point (y < q): one encoding per message."""
    if len(message) != ks.PAKE_BYTES or message[:1] != b"S":
        return False
    return int.from_bytes(message[1:], "little") & ((1 << 255) - 1) < _ED25519_Q


_MODE_NAMES = {
    Mode.CODE: "code",
    Mode.SECRET: "secret (a link or a pre-shared key)",
    Mode.TRUSTED: "trusted identity, without a code",
}

_WRONG_SECRET = {
    Mode.CODE: (
        "pairing failed: the code did not match on both sides (a wrong or mistyped code, or "
        "someone guessing); the code is used up, make a new one"
    ),
    Mode.SECRET: (
        "pairing failed: the pairing secret did not match on both sides (a wrong, old or "
        "altered link or key)"
    ),
    Mode.TRUSTED: (
        "pairing failed: the key exchange did not confirm (the messages were altered on the way)"
    ),
}
