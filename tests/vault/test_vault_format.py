"""The blob format alone: round trips at every boundary, seekable reads, and every kind of
corruption (each bit, truncation, extension, swapped segments, another id) caught."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.actors.storage.errors import TamperedError
from ferry.actors.storage.vault.format import (
    HEADER,
    TAG_BYTES,
    TRAILER_SEGMENT_BYTES,
    SegmentReader,
    SegmentWriter,
    blob_length,
)
from ferry.errors import ConfigError

FILE_ID = "ab" * 16
KEY = bytes(range(32))


def write_blob(
    path: Path, data: bytes, segment_size: int, cuts: list[int] = (), file_id: str = FILE_ID
) -> SegmentWriter:
    """Write ``data`` as a blob, splitting the writes at ``cuts``."""
    path.unlink(missing_ok=True)
    writer = SegmentWriter(path, KEY, file_id, segment_size=segment_size)
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(data)), len(data)]
    for start, end in itertools.pairwise(bounds):
        writer.write(memoryview(data)[start:end])
    assert writer.finish() == (len(data), hashlib.sha256(data).digest())
    return writer


def read_blob(path: Path, file_id: str = FILE_ID) -> bytes:
    with SegmentReader(path, KEY, file_id, label=f"test blob {file_id}") as reader:
        return reader.read()


def sizes(segment: int) -> st.SearchStrategy[int]:
    boundaries = [0, 1, segment - 1, segment, segment + 1, 2 * segment, 3 * segment + 1]
    return st.one_of(st.sampled_from(boundaries), st.integers(0, 6 * segment))


@settings(max_examples=150)
@given(segment=st.sampled_from([16, 17, 64]), data=st.data())
def test_round_trip_any_size_any_write_pattern(tmp_path_factory, segment, data):
    size = data.draw(sizes(segment), label="size")
    content = data.draw(st.binary(min_size=size, max_size=size), label="content")
    cuts = data.draw(st.lists(st.integers(0, size), max_size=6), label="cuts")
    path = tmp_path_factory.mktemp("fmt") / "blob"
    write_blob(path, content, segment, cuts)
    assert path.stat().st_size == blob_length(size, segment)
    assert read_blob(path) == content


@settings(max_examples=100)
@given(data=st.data())
def test_seeks_and_partial_reads_return_the_right_bytes(tmp_path_factory, data):
    content = os.urandom(data.draw(st.integers(0, 300)))
    path = tmp_path_factory.mktemp("fmt") / "blob"
    write_blob(path, content, 16)
    with SegmentReader(path, KEY, FILE_ID, label="t") as reader:
        buffered = io.BufferedReader(reader, buffer_size=16)
        for _ in range(5):
            offset = data.draw(st.integers(0, len(content) + 5))
            length = data.draw(st.integers(0, 80))
            whence = data.draw(st.sampled_from([io.SEEK_SET, io.SEEK_END]))
            target = offset if whence == io.SEEK_SET else len(content) - min(offset, len(content))
            position = buffered.seek(
                target - (len(content) if whence == io.SEEK_END else 0), whence
            )
            assert position == target
            assert buffered.read(length) == content[target : target + length]


def test_real_segment_size_several_segments(tmp_path):
    content = os.urandom(3 * 64 * 1024 + 5)
    path = tmp_path / "blob"
    write_blob(path, content, 64 * 1024, cuts=[1, 70_000, 131_072])
    assert read_blob(path) == content


def test_durable_offset_counts_only_whole_synced_segments(tmp_path):
    writer = SegmentWriter(tmp_path / "blob", KEY, FILE_ID, segment_size=16)
    writer.write(b"x" * 40)
    assert writer.durable_offset == 0  # written, not yet fsynced
    assert writer.sync() == 32  # two whole segments; the last 8 bytes are still buffered
    writer.write(b"y" * 30)
    assert writer.sync() == 64
    writer.close()


def test_segment_size_out_of_range_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="segment size"):
        SegmentWriter(tmp_path / "blob", KEY, FILE_ID, segment_size=8)


# -- corruption: small blobs, so every byte and bit can be tried ---------------------------

CONTENT = bytes(range(40))  # segments of 16, 16 and 8 bytes, then the trailer


@pytest.fixture
def blob(tmp_path) -> tuple[Path, bytes]:
    path = tmp_path / "blob"
    write_blob(path, CONTENT, 16)
    return path, path.read_bytes()


def assert_tampered(path: Path, raw: bytes | bytearray, file_id: str = FILE_ID) -> None:
    path.write_bytes(bytes(raw))
    with pytest.raises(TamperedError, match=f"test blob {file_id}"):
        read_blob(path, file_id)


def test_every_single_bit_flip_is_detected(blob):
    path, raw = blob
    for position in range(len(raw)):
        for bit in range(8):
            corrupted = bytearray(raw)
            corrupted[position] ^= 1 << bit
            assert_tampered(path, corrupted)


def test_every_truncation_is_detected(blob):
    path, raw = blob
    for length in range(len(raw)):
        assert_tampered(path, raw[:length])


@pytest.mark.parametrize("extra", [b"\x00", b"x" * 16, b"y" * 33, b"z" * TRAILER_SEGMENT_BYTES])
def test_appended_bytes_are_detected(blob, extra):
    path, raw = blob
    assert_tampered(path, raw + extra)


def test_swapped_or_dropped_segments_are_detected(blob):
    path, raw = blob
    seg = 16 + TAG_BYTES
    head, s0, s1 = (
        raw[: HEADER.size],
        raw[HEADER.size : HEADER.size + seg],
        raw[HEADER.size + seg : HEADER.size + 2 * seg],
    )
    rest = raw[HEADER.size + 2 * seg :]
    assert_tampered(path, head + s1 + s0 + rest)  # swapped
    assert_tampered(path, head + s0 + rest)  # one dropped
    assert_tampered(path, head + s0 + s0 + rest)  # one repeated


def test_blob_read_under_another_id_is_detected(blob):
    path, raw = blob
    assert_tampered(path, raw, file_id="cd" * 16)


def test_segment_spliced_from_another_blob_is_detected(blob, tmp_path):
    path, raw = blob
    other = tmp_path / "other"
    write_blob(other, bytes(40), 16)  # same key, same id, same size: only the nonce prefix differs
    spliced = (
        raw[: HEADER.size]
        + other.read_bytes()[HEADER.size : HEADER.size + 32]
        + raw[HEADER.size + 32 :]
    )
    assert_tampered(path, spliced)


def test_failed_segment_leaves_no_unauthenticated_bytes_in_the_buffer(blob):
    path, raw = blob
    corrupted = bytearray(raw)
    corrupted[HEADER.size + 32 + 3] ^= 1  # inside segment 1
    path.write_bytes(corrupted)
    buffer = bytearray(b"\xee" * 40)
    with SegmentReader(path, KEY, FILE_ID, label="t") as reader, pytest.raises(TamperedError):
        reader.readinto(buffer)
    assert buffer[:16] == CONTENT[:16]  # segment 0 was authentic
    assert buffer[16:32] == bytes(16)  # segment 1 failed: zeros, never its decryption
