// A strict msgpack reader: one message, one value, nothing after it.
//
// Why our own reader and not @msgpack/msgpack's: Ferry's Python decoder refuses a float
// where an integer belongs, and a JavaScript number cannot tell 5 from 5.0. This reader
// returns integers as numbers (or BigInt past 2**53) and floats boxed as {float: x}, so the
// codec can refuse them exactly as protocol/codec.py does. It refuses what msgpack-python
// (raw=False, strict_map_key=True) refuses: truncated data, trailing bytes, the reserved
// byte 0xc1, invalid UTF-8 in a str, map keys that are not str or bin.
export class MsgpackError extends Error {}

export class Float {
  constructor(value) {
    this.value = value;
  }
}
export class Ext {
  constructor(type, data) {
    this.type = type;
    this.data = data;
  }
}
export class BinKey {
  // a bin map key: msgpack-python keeps it as bytes, never equal to a str key
  constructor(bytes) {
    this.bytes = bytes;
  }
  toString() {
    return `bin:${Array.from(this.bytes).join(",")}`;
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const MAX_DEPTH = 1024;

export function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n) => {
    if (pos + n > bytes.length) throw new MsgpackError("truncated message");
  };
  const take = (n) => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4));
  const int = (big) => (Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big);
  const str = (n) => {
    try {
      return UTF8.decode(take(n));
    } catch {
      throw new MsgpackError("invalid UTF-8 in a str");
    }
  };
  const map = (n, depth) => {
    // entries in order; a repeated key keeps its last value (as a Python dict does)
    const out = new Map();
    for (let i = 0; i < n; i++) {
      const key = value(depth + 1, true);
      out.set(key instanceof Uint8Array ? new BinKey(key).toString() : key, value(depth + 1));
    }
    return out;
  };
  const array = (n, depth) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(value(depth + 1));
    return out;
  };
  const ext = (n) => {
    need(1 + n);
    const type = view.getInt8(pos);
    pos += 1;
    return new Ext(type, take(n));
  };
  function value(depth, isKey = false) {
    if (depth > MAX_DEPTH) throw new MsgpackError("nested too deep");
    const b = u8();
    let v;
    if (b <= 0x7f) v = b;
    else if (b >= 0xe0) v = b - 0x100;
    else if (b >= 0xa0 && b <= 0xbf) v = str(b & 0x1f);
    else if (b >= 0x90 && b <= 0x9f) v = array(b & 0x0f, depth);
    else if (b >= 0x80 && b <= 0x8f) v = map(b & 0x0f, depth);
    else {
      switch (b) {
        case 0xc0: v = null; break;
        case 0xc2: v = false; break;
        case 0xc3: v = true; break;
        case 0xc4: v = take(u8()); break;
        case 0xc5: v = take(u16()); break;
        case 0xc6: v = take(u32()); break;
        case 0xc7: v = ext(u8()); break;
        case 0xc8: v = ext(u16()); break;
        case 0xc9: v = ext(u32()); break;
        case 0xca: need(4); v = new Float(view.getFloat32(pos)); pos += 4; break;
        case 0xcb: need(8); v = new Float(view.getFloat64(pos)); pos += 8; break;
        case 0xcc: v = u8(); break;
        case 0xcd: v = u16(); break;
        case 0xce: v = u32(); break;
        case 0xcf: need(8); v = int(view.getBigUint64(pos)); pos += 8; break;
        case 0xd0: need(1); v = view.getInt8(pos); pos += 1; break;
        case 0xd1: need(2); v = view.getInt16(pos); pos += 2; break;
        case 0xd2: need(4); v = view.getInt32(pos); pos += 4; break;
        case 0xd3: need(8); v = int(view.getBigInt64(pos)); pos += 8; break;
        case 0xd4: v = ext(1); break;
        case 0xd5: v = ext(2); break;
        case 0xd6: v = ext(4); break;
        case 0xd7: v = ext(8); break;
        case 0xd8: v = ext(16); break;
        case 0xd9: v = str(u8()); break;
        case 0xda: v = str(u16()); break;
        case 0xdb: v = str(u32()); break;
        case 0xdc: v = array(u16(), depth); break;
        case 0xdd: v = array(u32(), depth); break;
        case 0xde: v = map(u16(), depth); break;
        case 0xdf: v = map(u32(), depth); break;
        default: throw new MsgpackError(`reserved byte 0x${b.toString(16)}`);
      }
    }
    if (isKey && typeof v !== "string" && !(v instanceof Uint8Array)) {
      throw new MsgpackError("a map key must be a str or bin");
    }
    return v;
  }
  const result = value(0);
  if (pos !== bytes.length) throw new MsgpackError("extra bytes after the message");
  return result;
}
