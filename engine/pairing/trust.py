"""The trusted peers of this installation: peer ids allowed to pair with no code.

A JSON file (0600, written atomically under a lock, so two ``ferry`` processes cannot lose
each other's changes)::

    {"version": 1, "peers": [{"id": "ABCDEF-...", "name": "laptop",
                              "added": "2025-01-31T12:00:00Z", "key": "<base64>"}]}

Every read goes to the file, so ``forget`` in one process revokes at the next handshake of
another. A file that cannot be read is reported with its path and never overwritten:
changes are refused until a person fixes or removes it (no trust is silently lost, and none
is silently granted).
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ferry.errors import ConfigError
from ferry.protocol.pairing import parse_peer_id, peer_id_of

from .files import check_private, locked, write_private
from .paths import TRUST_FILE, config_dir

FORMAT_VERSION = 1
MAX_NAME = 100
MAX_PEERS = 10_000


@dataclass(frozen=True)
class TrustedPeer:
    peer_id: str
    name: str = ""
    added: str = ""
    key: bytes | None = None  # the raw Ed25519 public key, when it was known

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.peer_id, "name": self.name, "added": self.added}
        if self.key is not None:
            entry["key"] = base64.b64encode(self.key).decode("ascii")
        return entry


class TrustStore:
    """list / add / forget, and ``peer_id in store``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else config_dir() / TRUST_FILE

    # -- reading -------------------------------------------------------------------------------

    def list(self) -> list[TrustedPeer]:
        if not self.path.exists():
            return []
        check_private(self.path)
        try:
            document = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            raise self._corrupt(f"not JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
            raise self._corrupt(f"expected an object with version {FORMAT_VERSION}")
        entries = document.get("peers")
        if not isinstance(entries, list) or len(entries) > MAX_PEERS:
            raise self._corrupt("'peers' must be a list")
        return [self._entry(e, i) for i, e in enumerate(entries)]

    def ids(self) -> frozenset[str]:
        """The trusted peer ids now (what a handshake checks against)."""
        return frozenset(p.peer_id for p in self.list())

    def __contains__(self, peer_id: object) -> bool:
        return isinstance(peer_id, str) and peer_id in self.ids()

    def get(self, peer_id: str) -> TrustedPeer | None:
        wanted = parse_peer_id(peer_id)
        return next((p for p in self.list() if p.peer_id == wanted), None)

    def resolve(self, text: str) -> str:
        """The one trusted id that ``text`` (a whole id, or the start of one) names."""
        compact = "".join(text.split()).replace("-", "").upper()
        if not compact:
            raise ConfigError("no peer id given")
        matches = [p.peer_id for p in self.list() if p.peer_id.replace("-", "").startswith(compact)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ConfigError(f"no trusted peer has an id starting with {text[:60]!r}")
        raise ConfigError(
            f"{text[:60]!r} matches {len(matches)} trusted peers; give more of the id"
        )

    # -- changing ------------------------------------------------------------------------------

    def add(
        self,
        peer_id: str,
        *,
        name: str = "",
        key: bytes | None = None,
        now: datetime.datetime | None = None,
    ) -> TrustedPeer:
        """Trust ``peer_id`` (again: its name and key are updated). ``key``, when given, must
        be the key the id was made from."""
        peer_id = parse_peer_id(peer_id)
        if key is not None and peer_id_of(key) != peer_id:
            raise ConfigError("that public key does not belong to that peer id")
        name = _clean_name(name)
        moment = now or datetime.datetime.now(datetime.UTC)
        added = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with locked(self.path):
            current = self.list()
            peers = [p for p in current if p.peer_id != peer_id]
            old = next((p for p in current if p.peer_id == peer_id), None)
            entry = TrustedPeer(
                peer_id,
                name or (old.name if old else ""),
                old.added if old else added,
                key if key is not None else (old.key if old else None),
            )
            if len(peers) >= MAX_PEERS:
                raise ConfigError(f"at most {MAX_PEERS} trusted peers")
            self._write([*peers, entry])
        return entry

    def forget(self, peer_id: str) -> bool:
        """Stop trusting ``peer_id``; False when it was not trusted."""
        peer_id = parse_peer_id(peer_id)
        with locked(self.path):
            peers = self.list()
            kept = [p for p in peers if p.peer_id != peer_id]
            if len(kept) == len(peers):
                return False
            self._write(kept)
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _write(self, peers: list[TrustedPeer]) -> None:
        document = {"version": FORMAT_VERSION, "peers": [p.to_json() for p in peers]}
        write_private(self.path, (json.dumps(document, indent=2) + "\n").encode())

    def _entry(self, entry: object, index: int) -> TrustedPeer:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise self._corrupt(f"peer {index} has no 'id'")
        try:
            peer_id = parse_peer_id(entry["id"])
        except ConfigError:
            raise self._corrupt(f"peer {index}: {entry['id'][:60]!r} is not a peer id") from None
        name, added, key_text = entry.get("name", ""), entry.get("added", ""), entry.get("key")
        if not isinstance(name, str) or not isinstance(added, str):
            raise self._corrupt(f"peer {index}: 'name' and 'added' must be strings")
        key = None
        if key_text is not None:
            try:
                key = base64.b64decode(key_text, validate=True)
            except (TypeError, ValueError):
                raise self._corrupt(f"peer {index}: 'key' is not base64") from None
            if len(key) != 32 or peer_id_of(key) != peer_id:
                raise self._corrupt(f"peer {index}: 'key' does not belong to its id")
        return TrustedPeer(peer_id, name, added, key)

    def _corrupt(self, detail: str) -> ConfigError:
        return ConfigError(
            f"the trusted-peers file {self.path} is damaged ({detail}); Ferry will not change "
            "it: fix it by hand, or move it away to start with no trusted peers"
        )


def _clean_name(name: str) -> str:
    """A label a person gave: printable, one line, bounded."""
    cleaned = "".join(ch for ch in str(name) if ch.isprintable()).strip()
    return cleaned[:MAX_NAME]
