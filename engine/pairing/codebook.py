"""The code a listener offers: one at a time, single use, a new one after each use.

A listener serves several joiners at once, but a code must let in at most one, and must
give a guesser at most one try. So one :class:`CodeSlot` is shared by every handshake of
a listener: the first joiner whose hello asks for code mode *claims* the code (others are
refused until it is released); when that handshake ends, the code is *burnt* if it was
tested against the joiner's key confirmation (a success, or a wrong guess) and a new code
is made and announced, or handed back unchanged if it never was (the joiner sent garbage,
timed out, or broke off before proving anything): a port scanner cannot make a person
read out a new code, and a guesser still gets one try per code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ferry.protocol.pairing import Code, Handshake, Mode, new_code

logger = logging.getLogger(__name__)


class CodeSlot:
    """The one code a listener offers now, and who holds it."""

    def __init__(
        self,
        on_new: Callable[[Code], None] = lambda code: None,
        *,
        fixed: Code | None = None,
        make: Callable[[], Code] | None = None,
    ) -> None:
        """``on_new`` is called with each code made (the listener prints it). ``fixed``: a
        code given by a person or a script, offered until it is burnt, then no code at all
        (it is not replaced: whoever gave it would not know the new one)."""
        self._on_new = on_new
        self._make = make or new_code
        self._fixed = fixed is not None
        self.current: Code | None = None
        self.claimed = False
        self.burnt = 0  # codes used up so far (successes and wrong guesses)
        if fixed is not None:
            self._offer(fixed)
        else:
            self.renew()

    @property
    def exhausted(self) -> bool:
        """A fixed code was used up: no code pairing is possible any more."""
        return self.current is None

    def renew(self) -> Code | None:
        """Replace the code (not a fixed one: that one is gone for good)."""
        self.current = None if self._fixed else self._make()
        if self.current is not None:
            self._on_new(self.current)
        return self.current

    def claim(self) -> Code | None:
        """For a handshake whose joiner asked for code mode: a copy to spend, or None."""
        if self.claimed or self.current is None:
            return None
        self.claimed = True
        return Code(self.current.nameplate, self.current.words)

    def release(self, handshake: Handshake) -> bool:
        """A handshake ended; return True if it used up the code (a new one was made)."""
        if not (self.claimed and handshake.mode is Mode.CODE and handshake.code_claimed):
            return False
        self.claimed = False
        if not handshake.secret_tested:
            return False  # never tested: still secret, offered again
        self.burnt += 1
        self.renew()
        return True

    def _offer(self, code: Code) -> None:
        self.current = code
        self._on_new(code)
