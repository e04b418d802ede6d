"""Small programs run inside the lab's namespaces: kernel TCP bulk copy and a UDP echo probe.

    python -m ferry.benchmarks.lab.tools tcp-serve PORT SIZE
    python -m ferry.benchmarks.lab.tools tcp-send HOST PORT SIZE CONGESTION
    python -m ferry.benchmarks.lab.tools tcp-window PORT START END
    python -m ferry.benchmarks.lab.tools echo-serve PORT
    python -m ferry.benchmarks.lab.tools echo-probe HOST PORT COUNT INTERVAL_MS

Servers print ``ready`` once listening; every program prints one JSON line of results.
TCP's time runs from ``accept()`` to the last byte read (the handshake's first round trip
is in it, as Ferry's set-up is in its time), and the copy is a plain ``sendall`` of a
preallocated buffer, the congestion control set per socket with ``TCP_CONGESTION``.
"""

from __future__ import annotations

import json
import select
import socket
import statistics
import sys
import time

_BLOCK = 1 << 20


def tcp_serve(port: int, size: int) -> dict[str, float]:
    with socket.create_server(("0.0.0.0", port)) as server:
        print("ready", flush=True)
        conn, _ = server.accept()
        accepted = time.monotonic()
        received = 0
        with conn:
            buffer = bytearray(_BLOCK)
            while received < size:
                n = conn.recv_into(buffer)
                if not n:
                    break
                received += n
            done = time.monotonic()
            conn.sendall(b"k")
    seconds = done - accepted
    return {"bytes": received, "seconds": seconds, "mb_per_s": received / seconds / 1e6}


def tcp_window(port: int, start: float, end: float) -> dict[str, float]:
    """Bytes received between the monotonic times ``start`` and ``end`` (a shared link)."""
    counted = 0
    with socket.create_server(("0.0.0.0", port)) as server:
        print("ready", flush=True)
        conn, _ = server.accept()
        with conn:
            buffer = bytearray(_BLOCK)
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                conn.settimeout(end - now)
                try:
                    n = conn.recv_into(buffer)
                except TimeoutError:
                    break
                if not n:
                    break
                if time.monotonic() >= start:
                    counted += n
    return {"bytes": counted, "mb_per_s": counted / (end - start) / 1e6}


def tcp_send(host: str, port: int, size: int, congestion: str) -> dict[str, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, congestion.encode())
    with sock:
        sock.connect((host, port))
        block = memoryview(bytes(_BLOCK))
        sent = 0
        try:
            while sent < size:
                n = min(_BLOCK, size - sent)
                sock.sendall(block[:n])
                sent += n
            sock.recv(1)  # the server's "k": everything arrived
        except (BrokenPipeError, ConnectionResetError):  # a window server has had enough
            pass
        used = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
    return {"congestion": used.rstrip(b"\0").decode()}


def echo_serve(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("0.0.0.0", port))
        print("ready", flush=True)
        while True:
            data, peer = sock.recvfrom(2048)
            sock.sendto(data, peer)


def echo_probe(host: str, port: int, count: int, interval_ms: float) -> dict[str, float]:
    """Round trips of ``count`` small datagrams, one every ``interval_ms``; late ones lost."""
    sent: dict[int, float] = {}
    rtts: list[float] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        sock.setblocking(False)
        deadline = None
        i = 0
        while True:
            now = time.monotonic()
            if i < count:
                sent[i] = now
                sock.send(i.to_bytes(4, "big") + bytes(60))
                i += 1
                if i == count:
                    deadline = now + 2.0
            elif deadline is not None and now > deadline:
                break
            end = now + interval_ms / 1000
            while True:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                if select.select([sock], [], [], remaining)[0]:
                    data = sock.recv(2048)
                    seq = int.from_bytes(data[:4], "big")
                    if seq in sent:
                        rtts.append(time.monotonic() - sent.pop(seq))
            if i == count and not sent:
                break
    lost = count - len(rtts)
    return {
        "probes": count,
        "rtt_min_ms": 1000 * min(rtts) if rtts else float("nan"),
        "rtt_median_ms": 1000 * statistics.median(rtts) if rtts else float("nan"),
        "round_trip_loss_percent": 100 * lost / count,
    }


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "tcp-serve":
        result: object = tcp_serve(int(args[0]), int(args[1]))
    elif command == "tcp-send":
        result = tcp_send(args[0], int(args[1]), int(args[2]), args[3])
    elif command == "tcp-window":
        result = tcp_window(int(args[0]), float(args[1]), float(args[2]))
    elif command == "echo-serve":
        echo_serve(int(args[0]))
        return 0
    elif command == "echo-probe":
        result = echo_probe(args[0], int(args[1]), int(args[2]), float(args[3]))
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
