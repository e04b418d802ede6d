"""Links to the page: ``PAGE?rendezvous=URL#ACTION-NAMEPLATE-SECRET``.

``ACTION`` is what the page does (``send`` or ``receive``), the nameplate is the mailbox
server's number, the secret 32 random bytes in unpadded base64url. Everything secret is in
the fragment, which a browser never sends to a server (not to the page's, nor the mailbox
server); the query only says where the mailbox server is.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from ferry.errors import ConfigError

SECRET_BYTES = 32
_FRAGMENT = re.compile(r"(send|receive)-([1-9][0-9]{0,8})-([A-Za-z0-9_-]{43})\Z")


def make_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


@dataclass(frozen=True)
class WebLink:
    page: str
    action: str  # what the page does: "send" or "receive"
    nameplate: str
    secret: bytes
    rendezvous: str | None = None

    def __str__(self) -> str:
        scheme, netloc, path, query, _ = urlsplit(self.page)
        if self.rendezvous:
            query = urlencode({"rendezvous": self.rendezvous})
        secret = base64.urlsafe_b64encode(self.secret).decode("ascii").rstrip("=")
        return urlunsplit(
            (scheme, netloc, path or "/", query, f"{self.action}-{self.nameplate}-{secret}")
        )

    @classmethod
    def parse(cls, text: str) -> WebLink:
        """Read a link back (tests, and hosts that pass links around)."""
        scheme, netloc, path, query, fragment = urlsplit(text)
        match = _FRAGMENT.match(fragment)
        if match is None:
            raise ConfigError("not a Ferry web link (the part after # is missing or damaged)")
        secret = base64.urlsafe_b64decode(match.group(3) + "=")
        rendezvous = None
        if query.startswith("rendezvous="):
            from urllib.parse import parse_qs

            rendezvous = parse_qs(query)["rendezvous"][0]
        page = urlunsplit((scheme, netloc, path, "", ""))
        return cls(page, match.group(1), match.group(2), secret, rendezvous)


def check_page_url(text: str) -> str:
    """A page address the user gave (``--page``): http(s), a host, no fragment."""
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.fragment:
        raise ConfigError(f"--page must be an http(s) address of the page, got {text!r}")
    return text
