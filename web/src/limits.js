// Protocol constants: the same numbers as protocol/limits.py (tests compare them).
export const PROTOCOL_VERSION = 1;
export const BASE_CHUNK_SIZE = 16 * 1024;
export const DEFAULT_CHUNK_SIZE = BASE_CHUNK_SIZE;
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER; // 2**53 - 1
export const CHUNK_FRAME_OVERHEAD = 96;
export const TRANSFER_ID_BYTES = 16;
export const SHA256_BYTES = 32;
export const MAX_NAME_BYTES = 4096;
export const MAX_NAME_COMPONENT_BYTES = 255;
export const MAX_NAME_DEPTH = 64;
export const MAX_TEXT_LENGTH = 1024;
export const MAX_CODE_LENGTH = 32;
export const MAX_MIME_LENGTH = 255;
export const MAX_RESUME_KEY_LENGTH = 256;
export const MAX_STORED_ID_LENGTH = 128;
export const MAX_FEATURES = 32;
export const MAX_FEATURE_LENGTH = 64;
export const MAX_ADVERTISED_SIZE = 2 ** 30;
export const MAX_VERSION = 2 ** 16 - 1;
// protocol/receiver.py DEFAULT_WINDOW
export const DEFAULT_WINDOW = 4 << 20;
