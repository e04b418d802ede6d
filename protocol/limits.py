"""Protocol constants and the bounds a strict decoder enforces."""

from __future__ import annotations

PROTOCOL_VERSION = 1

#: Every peer must accept chunks of this size (the size every browser handles).
BASE_CHUNK_SIZE = 16 * 1024
DEFAULT_CHUNK_SIZE = BASE_CHUNK_SIZE

#: aiortc 1.16 advertises 256 KiB; RFC 8841 says to assume 64 KiB when a peer says nothing.
DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024

#: Upper bound on any size or offset: 2**53 - 1 so a JavaScript peer can hold it exactly.
MAX_FILE_SIZE = 2**53 - 1

#: Room a CHUNK frame needs beyond its data: map header, keys, type tag, 16-byte id,
#: a 64-bit offset and a 32-bit bin header. tests/test_codec.py checks the bound holds.
CHUNK_FRAME_OVERHEAD = 96

TRANSFER_ID_BYTES = 16
SHA256_BYTES = 32

MAX_NAME_BYTES = 4096
MAX_NAME_COMPONENT_BYTES = 255
MAX_NAME_DEPTH = 64
MAX_TEXT_LENGTH = 1024  # messages and reasons
MAX_CODE_LENGTH = 32
MAX_MIME_LENGTH = 255
MAX_RESUME_KEY_LENGTH = 256
MAX_STORED_ID_LENGTH = 128
MAX_FEATURES = 32
MAX_FEATURE_LENGTH = 64
