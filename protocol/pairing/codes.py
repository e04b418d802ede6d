"""Codes for people: ``<number>-<word>-<word>``, made by the waiting side, used once.

The number is the nameplate (where a rendezvous server meets the two sides; it is public);
the words are the secret, one byte each from the PGP word list (first word from the odd
list, second from the even list, alternating after that, as magic-wormhole does), so a
two-word code holds 16 bits: a guesser who gets one try per code (SPAKE2 gives no offline
test, and one wrong guess burns the code on both sides) wins once in 65,536 codes.

:func:`parse_code` is forgiving about what does not matter (case, spaces instead of dashes,
surrounding blanks, leading zeros) and precise about what does (a word that is not in the
list gets a suggestion, a word from the wrong list is reported as out of order).
"""

from __future__ import annotations

import difflib
import re
import secrets
from collections.abc import Callable

from .errors import CodeError
from .wordlist import EVEN, ODD

#: Words per code: 2 (16 bits) by default, as magic-wormhole; more for a longer code.
DEFAULT_WORDS = 2
MAX_WORDS = 8
MAX_NAMEPLATE_DIGITS = 9
EXAMPLE = "7-crossover-clockwork"

_ODD_SET = frozenset(ODD)
_EVEN_SET = frozenset(EVEN)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _word_list(position: int) -> tuple[str, ...]:
    """Which list the word at ``position`` (0 = first word after the number) comes from."""
    return ODD if position % 2 == 0 else EVEN


class Code:
    """One code. Single use: a handshake that takes it marks it spent, and no other may."""

    __slots__ = ("_spent", "nameplate", "words")

    def __init__(self, nameplate: str, words: tuple[str, ...]) -> None:
        self.nameplate = nameplate
        self.words = words
        self._spent = False

    def __str__(self) -> str:
        return "-".join((self.nameplate, *self.words))

    def __repr__(self) -> str:
        return f"Code({str(self)!r}{', spent' if self._spent else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Code) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    @property
    def spent(self) -> bool:
        return self._spent

    def spend(self) -> bytes:
        """Mark the code used and return its text as bytes (what the PAKE uses)."""
        if self._spent:
            raise CodeError(f"the code {self} was already used; make a new one")
        self._spent = True
        return str(self).encode("ascii")


def _nameplate(value: int | str) -> str:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise CodeError(f"a code starts with its number, as in {EXAMPLE}; got {text!r}")
    if len(text.lstrip("0")) > MAX_NAMEPLATE_DIGITS:
        raise CodeError(f"the number of a code has at most {MAX_NAMEPLATE_DIGITS} digits")
    return str(int(text))


#: Without a rendezvous server's nameplate, a code's number is 1 to this, at random.
MAX_LOCAL_NAMEPLATE = 99


def new_code(
    nameplate: int | str | None = None,
    *,
    words: int = DEFAULT_WORDS,
    entropy: Callable[[int], bytes] = secrets.token_bytes,
) -> Code:
    """A fresh random code on ``nameplate`` (the rendezvous server's number; None: a random
    small number, for a direct connection that has no server)."""
    if nameplate is None:
        nameplate = secrets.randbelow(MAX_LOCAL_NAMEPLATE) + 1
    if not 2 <= words <= MAX_WORDS:
        raise CodeError(f"a code has 2 to {MAX_WORDS} words, not {words}")
    data = entropy(words)
    chosen = tuple(_word_list(i)[b] for i, b in enumerate(data[:words]))
    return Code(_nameplate(nameplate), chosen)


def parse_code(text: str) -> Code:
    """Read a code a person typed; :class:`CodeError` says exactly what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise CodeError(f"no code given; a code looks like {EXAMPLE}")
    parts = [p for p in re.split(r"[\s\-]+", text.strip().lower()) if p]
    first, words = parts[0], parts[1:]
    if not first.isdigit():
        raise CodeError(f"a code starts with its number, as in {EXAMPLE}; got {text.strip()!r}")
    nameplate = _nameplate(first)
    if len(words) < 2:
        raise CodeError(
            f"a code has at least two words after its number, as in {EXAMPLE}; "
            f"{text.strip()!r} has {len(words)}"
        )
    if len(words) > MAX_WORDS:
        raise CodeError(f"a code has at most {MAX_WORDS} words; this one has {len(words)}")
    for position, word in enumerate(words):
        expected = _word_list(position)
        if word in (_ODD_SET if expected is ODD else _EVEN_SET):
            continue
        ordinal = _ORDINALS[position]
        if word in _ODD_SET or word in _EVEN_SET:
            raise CodeError(
                f"{word!r} is a code word, but not one that can come {ordinal}: "
                "check the order of the words"
            )
        close = difflib.get_close_matches(word, expected, n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CodeError(f"{word[:40]!r} ({ordinal} word) is not a code word{hint}")
    return Code(nameplate, tuple(words))


def words_for(data: bytes) -> str:
    """Bytes as PGP words, byte ``i`` from the even list when ``i`` is even (the verifier)."""
    return "-".join((EVEN if i % 2 == 0 else ODD)[b] for i, b in enumerate(data))
