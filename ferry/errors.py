"""The base of every error Ferry raises on purpose, and the one every layer shares.

Each error carries a short machine-readable ``code`` (the same codes travel in ERROR and
REJECT frames) and a message meant for a person: what happened and what they can do about
it. The other errors live with the layer that raises them (``ferry.protocol.errors``,
``ferry.actors.storage.errors``, ...); ``ferry`` and ``ferry.engine`` export them all.
"""

from __future__ import annotations


class FerryError(Exception):
    """Base of every error Ferry raises on purpose."""

    code = "internal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(FerryError):
    """A local setting or argument is invalid (bad path, bad size, bad address)."""

    code = "config"
