"""The sealed channel: every signaling message after the handshake, AES-256-GCM per record.

Each direction has its own key and IV (from the key schedule) and a counter that starts at
0 (record 0 is the sender's identity proof, sent during the handshake). Record ``seq`` is
sealed with nonce = IV XOR seq (12 bytes, big-endian), as TLS 1.3 does, and carries
``seq`` in the clear so a failure can say what happened. A record must carry exactly the
next counter: a replayed, reordered, dropped (noticed at the next record), injected or
altered record raises :class:`AuthenticationError`, and the channel is then dead for good.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ferry.protocol.errors import LocalProtocolError

from .encoding import b64encode, describe, dumps, loads
from .errors import AuthenticationError, Reason
from .keys import IV_BYTES, export
from .messages import ABORT, MAX_RECORD_BYTES, MAX_SEQ, SEALED, parse


def nonce(iv: bytes, seq: int) -> bytes:
    """The AES-GCM nonce of record ``seq``: the direction's IV XOR the counter."""
    return (int.from_bytes(iv, "big") ^ seq).to_bytes(IV_BYTES, "big")


class SealedChannel:
    """Seal outgoing dicts and open incoming ones, strictly in order, for one session.

    Not safe for concurrent use from several threads (one asyncio task per direction is
    fine: sealing and opening share nothing but the failed flag).
    """

    def __init__(
        self,
        send_key: bytes,
        send_iv: bytes,
        receive_key: bytes,
        receive_iv: bytes,
        *,
        exporter: bytes = b"",
    ) -> None:
        self._seal = AESGCM(send_key)
        self._open = AESGCM(receive_key)
        self._send_iv, self._receive_iv = send_iv, receive_iv
        self._exporter = exporter
        self.next_send = 0
        self.next_receive = 0
        self.error: AuthenticationError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    # -- sealing -------------------------------------------------------------------------------

    def seal(self, message: dict[str, Any]) -> dict[str, Any]:
        """The wire form of ``message`` (a JSON-able dict with a string ``type``)."""
        self._check_alive()
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise LocalProtocolError("only a dict with a string 'type' can be sealed")
        try:
            plaintext = dumps(message)
        except (TypeError, ValueError) as exc:
            raise LocalProtocolError(f"the message cannot be sent as JSON: {exc}") from None
        if len(plaintext) > MAX_RECORD_BYTES:
            raise LocalProtocolError(
                f"a sealed message holds at most {MAX_RECORD_BYTES} bytes of JSON, "
                f"not {len(plaintext)}"
            )
        if self.next_send > MAX_SEQ:
            raise LocalProtocolError("this channel has sealed all the records it may")
        seq = self.next_send
        box = self._seal.encrypt(nonce(self._send_iv, seq), plaintext, None)
        self.next_send += 1
        return {"type": SEALED, "seq": seq, "box": b64encode(box)}

    # -- opening -------------------------------------------------------------------------------

    def open(self, message: object) -> dict[str, Any]:
        """The dict inside a sealed record; anything else ends the channel."""
        self._check_alive()
        try:
            kind, fields = parse(message, allowed=frozenset({SEALED, ABORT}))
            if kind == ABORT:
                raise peer_abort(fields["reason"])
            return self.open_record(fields["seq"], fields["box"])
        except AuthenticationError as exc:
            if self.error is None:
                self.error = exc
            raise

    def open_record(self, seq: int, box: bytes) -> dict[str, Any]:
        """Open a record whose fields were already parsed (the handshake's record 0)."""
        expected = self.next_receive
        if seq != expected:
            what = "replayed or reordered" if seq < expected else "a record was dropped"
            raise AuthenticationError(
                f"pairing channel broken: record {seq} arrived where {expected} was due "
                f"({what} on the way)",
                reason=Reason.TAMPERED,
            )
        try:
            plaintext = self._open.decrypt(nonce(self._receive_iv, seq), box, None)
        except InvalidTag:
            raise AuthenticationError(
                f"pairing channel broken: record {seq} failed authentication "
                "(altered or forged on the way)",
                reason=Reason.TAMPERED,
            ) from None
        message = loads(plaintext)
        self.next_receive += 1
        return message

    def fail(self, error: AuthenticationError) -> None:
        """Mark the channel dead (the host saw the path misbehave)."""
        if self.error is None:
            self.error = error

    def _check_alive(self) -> None:
        if self.error is not None:
            raise AuthenticationError(
                f"the sealed channel is closed after a failure: {self.error.message}",
                reason=self.error.reason,
                by_peer=self.error.by_peer,
            )

    # -- exporter ------------------------------------------------------------------------------

    def export(self, label: str, length: int = 32) -> bytes:
        """A secret for ``label`` that only the two paired sides can compute (phase keys,
        resume secrets): HKDF-SHA256(exporter, salt "", info label)."""
        if not self._exporter:
            raise LocalProtocolError("this channel has no exporter secret")
        return export(self._exporter, label, length)


_MESSAGES = {
    Reason.WRONG_SECRET: "the code or secret did not match on its side",
    Reason.UNTRUSTED: "it does not trust this device",
    Reason.BAD_PROOF: "this side's identity proof did not verify there",
    Reason.MODE: "it does not accept this way of pairing",
    Reason.TIMEOUT: "it gave up waiting",
    Reason.TAMPERED: "it saw a message altered, replayed, reordered or dropped",
    Reason.MALFORMED: "it received a malformed message",
    Reason.UNEXPECTED: "it received a message out of order",
    Reason.BUSY: "it is serving as many peers as it may; try again later",
}


def peer_abort(reason_text: str) -> AuthenticationError:
    """The error for a ``pair-abort`` notice (not authenticated: anyone on the path can send
    one, which is no more than dropping messages can do)."""
    reason = Reason(reason_text) if reason_text in Reason._value2member_map_ else Reason.OTHER
    why = _MESSAGES.get(reason, f"reason {describe(reason_text)}")
    return AuthenticationError(
        f"pairing failed: the peer ended it ({why})", reason=reason, by_peer=True
    )


__all__ = ["ABORT", "SealedChannel", "nonce", "peer_abort"]
