"""The ``ferry`` command line: receive, send, demo, pending, the vault commands, and the
subcommands plugged in by entry points (``ferry bench``)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
