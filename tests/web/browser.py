"""Headless Chromium for the page's tests: Debian's ``chromium`` driven by Playwright.

Skips with one line when either is missing (``run.py test`` installs chromium as root).
The flags are what WebRTC on loopback needs on this machine, as root; every context is
fresh (its own profile), and Content Security Policy is bypassed only so Playwright can
evaluate its wait conditions in the page.
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


def chromium_or_skip() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (Debian's package; run.py test installs it as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    return path
