"""``ferry vault list|export|verify|delete|preview|pending``: look after a vault from the shell.

engine/cli/main.py adds these with :func:`add_vault_commands` and runs them with
:func:`run_vault_command`. The passphrase comes from ``FERRY_PASSPHRASE`` or a prompt
without echo (:func:`read_passphrase`). Exit status: 0 on success, 1 with a one-line
message on any error (or when verify finds a problem), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from typing import Any

from ferry.actors.storage.vault import Vault
from ferry.actors.storage.vault_destination import pending_transfers
from ferry.errors import ConfigError, FerryError

from .pending import show_or_discard

PASSPHRASE_ENV = "FERRY_PASSPHRASE"


def read_passphrase(confirm: bool = False) -> str:
    """``FERRY_PASSPHRASE`` if set, else asked without echo (twice if ``confirm``: new ones)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    try:
        value = getpass.getpass("Vault passphrase: ")
        if confirm and getpass.getpass("Repeat the passphrase: ") != value:
            raise ConfigError("the two passphrases differ; nothing was changed")
    except EOFError:
        raise ConfigError(
            f"no passphrase given: set {PASSPHRASE_ENV} or type it at the prompt"
        ) from None
    if not value:
        raise ConfigError("the passphrase is empty")
    return value


def add_vault_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``vault`` and its sub-commands to the main parser's ``add_subparsers()`` result."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--vault", required=True, metavar="DIR", help="the vault folder")
    parser = subparsers.add_parser("vault", help="list, export, verify or delete stored files")
    commands = parser.add_subparsers(dest="vault_command", required=True, metavar="COMMAND")
    commands.add_parser("list", parents=[common], help="list the stored files")
    export = commands.add_parser("export", parents=[common], help="decrypt a file to a path")
    export.add_argument("id", help="file id, as shown by `ferry vault list`")
    export.add_argument("dest", help="destination file, or a folder to put it in")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    verify = commands.add_parser("verify", parents=[common], help="re-check every tag and hash")
    verify.add_argument("id", nargs="?", help="check only this file")
    delete = commands.add_parser("delete", parents=[common], help="remove a file for good")
    delete.add_argument("id")
    preview = commands.add_parser("preview", parents=[common], help="write a file's preview")
    preview.add_argument("id")
    preview.add_argument("dest", help="destination file, or a folder to put it in")
    preview.add_argument("--force", action="store_true", help="overwrite an existing file")
    pending = commands.add_parser(
        "pending", parents=[common], help="unfinished stores a re-send resumes"
    )
    pending.add_argument("--discard", action="append", metavar="KEY", help="forget one")
    pending.add_argument("--discard-all", action="store_true", help="forget them all")
    return parser


def run_vault_command(args: argparse.Namespace) -> int:
    """Run a parsed ``ferry vault ...`` command; return the exit status."""
    try:
        with Vault.open(args.vault, passphrase=read_passphrase(), create=False) as vault:
            return _COMMANDS[args.vault_command](vault, args)
    except FerryError as exc:
        print(f"ferry vault {args.vault_command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ferry vault {args.vault_command}: interrupted", file=sys.stderr)
        return 130


def _list(vault: Vault, args: argparse.Namespace) -> int:
    files = vault.list()
    print(f"{'ID':32}  {'SIZE':>14}  {'STORED':19}  PATH")
    for stored in files:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stored.created))
        print(f"{stored.id:32}  {stored.size:>14}  {when:19}  {stored.path}")
    print(f"{len(files)} file(s)", file=sys.stderr)
    return 0


def _export(vault: Vault, args: argparse.Namespace) -> int:
    print(vault.export(args.id, args.dest, overwrite=args.force))
    return 0


def _verify(vault: Vault, args: argparse.Namespace) -> int:
    report = vault.verify(args.id)
    for problem in report.problems:
        print(f"{problem.kind}: {problem.message}")
    summary = "intact" if report.ok else f"{len(report.problems)} problem(s)"
    print(f"checked {report.checked} file(s): {summary}", file=sys.stderr)
    return 0 if report.ok else 1


def _delete(vault: Vault, args: argparse.Namespace) -> int:
    vault.delete(args.id)
    print(f"deleted {args.id}", file=sys.stderr)
    return 0


def _preview(vault: Vault, args: argparse.Namespace) -> int:
    print(vault.export_preview(args.id, args.dest, overwrite=args.force))
    return 0


def _pending(vault: Vault, args: argparse.Namespace) -> int:
    return show_or_discard(
        pending_transfers(vault.pending()),
        vault.discard_pending,
        keys=args.discard,
        discard_all=args.discard_all,
    )


_COMMANDS = {
    "list": _list,
    "export": _export,
    "verify": _verify,
    "delete": _delete,
    "preview": _preview,
    "pending": _pending,
}
