"""Clients wired to the model server through in-flight queues, one message at a time.

A :class:`Wire` is one client's side of the world: its current model connection (if any),
the commands in flight to the server and the server's messages in flight back. Tests move
messages one by one, drop connections with whatever is in flight (or let the server read
what was in flight first, as TCP may), restart the server, and record every event.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from ferry.protocol.rendezvous import MailboxClient
from ferry.protocol.rendezvous.events import Event

from .mailbox_model import ModelConnection, ModelServer


class Wire:
    def __init__(self, name: str, client: MailboxClient, server: ModelServer) -> None:
        self.name = name
        self.client = client
        self.server = server
        self.conn: ModelConnection | None = None
        self.up: deque[str] = deque()  # commands in flight to the server
        self.events: list[Event] = []
        self.sent_commands: list[dict[str, Any]] = []

    # -- the client's side -----------------------------------------------------------------

    def out(self, commands: list[dict[str, Any]]) -> None:
        assert self.conn is not None or not commands, "commands without a connection"
        for command in commands:
            self.sent_commands.append(command)
            self.up.append(json.dumps(command))
        self.events.extend(self.client.take_events())

    def connect(self) -> None:
        assert self.conn is None and self.client.wants_connection
        self.conn = self.server.connect()
        self.out(self.client.connection_made())

    @property
    def connected(self) -> bool:
        return self.conn is not None and self.conn.open

    def drop(self, *, server_reads_first: bool = False) -> None:
        """The connection breaks; the server may still read what was in flight to it."""
        if self.conn is None:
            return
        if server_reads_first:
            while self.up:
                self.conn.handle(self.up.popleft())
        self.conn.lost()
        self.conn = None
        self.up.clear()
        self.client.connection_lost()
        self.events.extend(self.client.take_events())

    def notice_server_gone(self) -> None:
        """After a server restart: the client sees its connection drop."""
        if self.conn is not None and not self.conn.open:
            self.drop()

    # -- moving messages -------------------------------------------------------------------

    def step_up(self) -> bool:
        if self.conn is None or not self.up:
            return False
        self.conn.handle(self.up.popleft())
        return True

    def step_down(self) -> bool:
        if self.conn is None or not self.conn.outbox:
            return False
        data = self.conn.outbox.popleft()
        if not self.client.finished:
            self.out(self.client.receive(data))
        return True

    def pump(self) -> bool:
        moved = False
        while self.step_up() or self.step_down():
            moved = True
        return moved


def pump_all(*wires: Wire) -> None:
    while any([w.pump() for w in wires]):
        pass


def received(wire: Wire) -> list[dict[str, Any]]:
    from ferry.protocol.rendezvous import Received

    return [e.message for e in wire.events if isinstance(e, Received)]


def kinds(wire: Wire) -> list[str]:
    return [type(e).__name__ for e in wire.events]
