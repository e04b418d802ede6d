"""Which local addresses ICE may use: aioice has no option for it, so Ferry adds one.

aioice gathers host candidates from every interface except 127.0.0.1 through the module
function ``aioice.ice.get_host_addresses``. Ferry wraps that function once, and the wrapper
consults a :class:`contextvars.ContextVar`: code that runs ICE gathering inside
:func:`restricted_ice_addresses` (and every task it starts) sees only the addresses it
allowed; any other code in the process sees aioice's own choice, unchanged. So two peer
connections in one process can use different settings, and nothing leaks between them.

Restricting to ``["127.0.0.1"]`` is how tests, benchmarks and ``ferry demo`` keep every
packet on loopback.
"""

from __future__ import annotations

import contextvars
import ipaddress
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import aioice.ice

from ferry.errors import ConfigError

ENV_VAR = "FERRY_ICE_ADDRESSES"

_allowed: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "ferry_ice_addresses", default=None
)
_original_get_host_addresses = aioice.ice.get_host_addresses


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    allowed = _allowed.get()
    if allowed is None:
        return _original_get_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    return [
        address
        for address in allowed
        if (use_ipv4 and ipaddress.ip_address(address).version == 4)
        or (use_ipv6 and ipaddress.ip_address(address).version == 6)
    ]


def _install() -> None:
    if aioice.ice.get_host_addresses is not _get_host_addresses:
        aioice.ice.get_host_addresses = _get_host_addresses


def parse_addresses(values: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """Normalise addresses from config, CLI or environment; None means aioice's default."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [part for part in values.split(",")]
    cleaned = tuple(value.strip() for value in values if value.strip())
    if not cleaned:
        return None
    for value in cleaned:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ConfigError(
                f"ICE address {value!r} is not an IP address (use e.g. 127.0.0.1)"
            ) from None
    return cleaned


def addresses_from_environment() -> tuple[str, ...] | None:
    """The addresses named by ``FERRY_ICE_ADDRESSES`` (comma-separated), if set."""
    return parse_addresses(os.environ.get(ENV_VAR))


@contextmanager
def restricted_ice_addresses(addresses: Sequence[str] | None) -> Iterator[None]:
    """Within this block (and tasks created in it), ICE gathers only ``addresses``."""
    _install()
    token = _allowed.set(tuple(addresses) if addresses is not None else None)
    try:
        yield
    finally:
        _allowed.reset(token)
