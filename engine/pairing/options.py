"""How one connection pairs: what :meth:`Engine.connect` and :meth:`Engine.listen` were
given, checked once (exactly one way for a joining side; any for a waiting side)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ferry.errors import ConfigError
from ferry.protocol.pairing import SECRET_BYTES, Code, parse_code, parse_peer_id

from .codebook import CodeSlot


@dataclass(frozen=True)
class Pairing:
    code: Code | None = None
    secret: bytes | None = field(default=None, repr=False)
    #: Joining: pair by identity, with a peer this side trusts. Waiting: trusted peers are
    #: always let in, this only allows a call with no code or secret.
    trusted: bool = False
    #: Waiting: the listener's shared code (one joiner at a time may claim it).
    codes: CodeSlot | None = None
    #: Joining by identity with this one peer only (a reconnect after a code pairing).
    pinned: str | None = None

    @classmethod
    def from_args(
        cls,
        *,
        joining: bool,
        code: Code | str | None = None,
        secret: bytes | None = None,
        trusted: bool = False,
        codes: CodeSlot | None = None,
    ) -> Pairing | None:
        """The pairing asked for, or None when nothing was (unauthenticated)."""
        if isinstance(code, str):
            code = parse_code(code)
        if code is not None and not isinstance(code, Code):
            raise ConfigError("code must be a code's text or a Code")
        if secret is not None and (not isinstance(secret, bytes) or len(secret) != SECRET_BYTES):
            raise ConfigError(f"a pairing secret is exactly {SECRET_BYTES} bytes")
        if codes is not None and (joining or code is not None):
            raise ConfigError("codes= is for a listening side, instead of code=")
        given = [x for x in (code, secret, codes) if x is not None] + ([True] if trusted else [])
        if not given:
            return None
        if joining and len(given) != 1:
            raise ConfigError("connect with exactly one of code=, secret= or trusted=True")
        return cls(code=code, secret=secret, trusted=trusted, codes=codes)

    @classmethod
    def reconnect(cls, peer_id: str) -> Pairing:
        return cls(trusted=True, pinned=parse_peer_id(peer_id))

    def describe(self) -> str:
        if self.pinned is not None:
            return f"trusted identity {self.pinned}"
        if self.code is not None or self.codes is not None:
            return "code"
        return "secret" if self.secret is not None else "trusted identity"
