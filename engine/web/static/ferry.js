(() => {
  // node_modules/@msgpack/msgpack/dist.esm/utils/utf8.mjs
  function utf8Count(str) {
    const strLength = str.length;
    let byteLength = 0;
    let pos = 0;
    while (pos < strLength) {
      let value = str.charCodeAt(pos++);
      if ((value & 4294967168) === 0) {
        byteLength++;
        continue;
      } else if ((value & 4294965248) === 0) {
        byteLength += 2;
      } else {
        if (value >= 55296 && value <= 56319) {
          if (pos < strLength) {
            const extra = str.charCodeAt(pos);
            if ((extra & 64512) === 56320) {
              ++pos;
              value = ((value & 1023) << 10) + (extra & 1023) + 65536;
            }
          }
        }
        if ((value & 4294901760) === 0) {
          byteLength += 3;
        } else {
          byteLength += 4;
        }
      }
    }
    return byteLength;
  }
  function utf8EncodeJs(str, output, outputOffset) {
    const strLength = str.length;
    let offset = outputOffset;
    let pos = 0;
    while (pos < strLength) {
      let value = str.charCodeAt(pos++);
      if ((value & 4294967168) === 0) {
        output[offset++] = value;
        continue;
      } else if ((value & 4294965248) === 0) {
        output[offset++] = value >> 6 & 31 | 192;
      } else {
        if (value >= 55296 && value <= 56319) {
          if (pos < strLength) {
            const extra = str.charCodeAt(pos);
            if ((extra & 64512) === 56320) {
              ++pos;
              value = ((value & 1023) << 10) + (extra & 1023) + 65536;
            }
          }
        }
        if ((value & 4294901760) === 0) {
          output[offset++] = value >> 12 & 15 | 224;
          output[offset++] = value >> 6 & 63 | 128;
        } else {
          output[offset++] = value >> 18 & 7 | 240;
          output[offset++] = value >> 12 & 63 | 128;
          output[offset++] = value >> 6 & 63 | 128;
        }
      }
      output[offset++] = value & 63 | 128;
    }
  }
  var sharedTextEncoder = new TextEncoder();
  var TEXT_ENCODER_THRESHOLD = 50;
  function utf8EncodeTE(str, output, outputOffset) {
    sharedTextEncoder.encodeInto(str, output.subarray(outputOffset));
  }
  function utf8Encode(str, output, outputOffset) {
    if (str.length > TEXT_ENCODER_THRESHOLD) {
      utf8EncodeTE(str, output, outputOffset);
    } else {
      utf8EncodeJs(str, output, outputOffset);
    }
  }
  var sharedTextDecoder = new TextDecoder();

  // node_modules/@msgpack/msgpack/dist.esm/ExtData.mjs
  var ExtData = class {
    type;
    data;
    constructor(type, data2) {
      this.type = type;
      this.data = data2;
    }
  };

  // node_modules/@msgpack/msgpack/dist.esm/DecodeError.mjs
  var DecodeError = class _DecodeError extends Error {
    constructor(message2) {
      super(message2);
      const proto = Object.create(_DecodeError.prototype);
      Object.setPrototypeOf(this, proto);
      Object.defineProperty(this, "name", {
        configurable: true,
        enumerable: false,
        value: _DecodeError.name
      });
    }
  };

  // node_modules/@msgpack/msgpack/dist.esm/utils/int.mjs
  function setUint64(view, offset, value) {
    const high = value / 4294967296;
    const low = value;
    view.setUint32(offset, high);
    view.setUint32(offset + 4, low);
  }
  function setInt64(view, offset, value) {
    const high = Math.floor(value / 4294967296);
    const low = value;
    view.setUint32(offset, high);
    view.setUint32(offset + 4, low);
  }
  function getInt64(view, offset) {
    const high = view.getInt32(offset);
    const low = view.getUint32(offset + 4);
    return high * 4294967296 + low;
  }

  // node_modules/@msgpack/msgpack/dist.esm/timestamp.mjs
  var EXT_TIMESTAMP = -1;
  var TIMESTAMP32_MAX_SEC = 4294967296 - 1;
  var TIMESTAMP64_MAX_SEC = 17179869184 - 1;
  function encodeTimeSpecToTimestamp({ sec, nsec }) {
    if (sec >= 0 && nsec >= 0 && sec <= TIMESTAMP64_MAX_SEC) {
      if (nsec === 0 && sec <= TIMESTAMP32_MAX_SEC) {
        const rv = new Uint8Array(4);
        const view = new DataView(rv.buffer);
        view.setUint32(0, sec);
        return rv;
      } else {
        const secHigh = sec / 4294967296;
        const secLow = sec & 4294967295;
        const rv = new Uint8Array(8);
        const view = new DataView(rv.buffer);
        view.setUint32(0, nsec << 2 | secHigh & 3);
        view.setUint32(4, secLow);
        return rv;
      }
    } else {
      const rv = new Uint8Array(12);
      const view = new DataView(rv.buffer);
      view.setUint32(0, nsec);
      setInt64(view, 4, sec);
      return rv;
    }
  }
  function encodeDateToTimeSpec(date) {
    const msec = date.getTime();
    const sec = Math.floor(msec / 1e3);
    const nsec = (msec - sec * 1e3) * 1e6;
    const nsecInSec = Math.floor(nsec / 1e9);
    return {
      sec: sec + nsecInSec,
      nsec: nsec - nsecInSec * 1e9
    };
  }
  function encodeTimestampExtension(object) {
    if (object instanceof Date) {
      const timeSpec = encodeDateToTimeSpec(object);
      return encodeTimeSpecToTimestamp(timeSpec);
    } else {
      return null;
    }
  }
  function decodeTimestampToTimeSpec(data2) {
    const view = new DataView(data2.buffer, data2.byteOffset, data2.byteLength);
    switch (data2.byteLength) {
      case 4: {
        const sec = view.getUint32(0);
        const nsec = 0;
        return { sec, nsec };
      }
      case 8: {
        const nsec30AndSecHigh2 = view.getUint32(0);
        const secLow32 = view.getUint32(4);
        const sec = (nsec30AndSecHigh2 & 3) * 4294967296 + secLow32;
        const nsec = nsec30AndSecHigh2 >>> 2;
        return { sec, nsec };
      }
      case 12: {
        const sec = getInt64(view, 4);
        const nsec = view.getUint32(0);
        return { sec, nsec };
      }
      default:
        throw new DecodeError(`Unrecognized data size for timestamp (expected 4, 8, or 12): ${data2.length}`);
    }
  }
  function decodeTimestampExtension(data2) {
    const timeSpec = decodeTimestampToTimeSpec(data2);
    return new Date(timeSpec.sec * 1e3 + timeSpec.nsec / 1e6);
  }
  var timestampExtension = {
    type: EXT_TIMESTAMP,
    encode: encodeTimestampExtension,
    decode: decodeTimestampExtension
  };

  // node_modules/@msgpack/msgpack/dist.esm/ExtensionCodec.mjs
  var ExtensionCodec = class _ExtensionCodec {
    static defaultCodec = new _ExtensionCodec();
    // ensures ExtensionCodecType<X> matches ExtensionCodec<X>
    // this will make type errors a lot more clear
    // eslint-disable-next-line @typescript-eslint/naming-convention
    __brand;
    // built-in extensions
    builtInEncoders = [];
    builtInDecoders = [];
    // custom extensions
    encoders = [];
    decoders = [];
    constructor() {
      this.register(timestampExtension);
    }
    register({ type, encode: encode3, decode: decode2 }) {
      if (type >= 0) {
        this.encoders[type] = encode3;
        this.decoders[type] = decode2;
      } else {
        const index = -1 - type;
        this.builtInEncoders[index] = encode3;
        this.builtInDecoders[index] = decode2;
      }
    }
    tryToEncode(object, context) {
      for (let i = 0; i < this.builtInEncoders.length; i++) {
        const encodeExt = this.builtInEncoders[i];
        if (encodeExt != null) {
          const data2 = encodeExt(object, context);
          if (data2 != null) {
            const type = -1 - i;
            return new ExtData(type, data2);
          }
        }
      }
      for (let i = 0; i < this.encoders.length; i++) {
        const encodeExt = this.encoders[i];
        if (encodeExt != null) {
          const data2 = encodeExt(object, context);
          if (data2 != null) {
            const type = i;
            return new ExtData(type, data2);
          }
        }
      }
      if (object instanceof ExtData) {
        return object;
      }
      return null;
    }
    decode(data2, type, context) {
      const decodeExt = type < 0 ? this.builtInDecoders[-1 - type] : this.decoders[type];
      if (decodeExt) {
        return decodeExt(data2, type, context);
      } else {
        return new ExtData(type, data2);
      }
    }
  };

  // node_modules/@msgpack/msgpack/dist.esm/utils/typedArrays.mjs
  function isArrayBufferLike(buffer) {
    return buffer instanceof ArrayBuffer || typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer;
  }
  function ensureUint8Array(buffer) {
    if (buffer instanceof Uint8Array) {
      return buffer;
    } else if (ArrayBuffer.isView(buffer)) {
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } else if (isArrayBufferLike(buffer)) {
      return new Uint8Array(buffer);
    } else {
      return Uint8Array.from(buffer);
    }
  }

  // node_modules/@msgpack/msgpack/dist.esm/Encoder.mjs
  var DEFAULT_MAX_DEPTH = 100;
  var DEFAULT_INITIAL_BUFFER_SIZE = 2048;
  var Encoder = class _Encoder {
    extensionCodec;
    context;
    useBigInt64;
    maxDepth;
    initialBufferSize;
    sortKeys;
    forceFloat32;
    ignoreUndefined;
    forceIntegerToFloat;
    pos;
    view;
    bytes;
    entered = false;
    constructor(options) {
      this.extensionCodec = options?.extensionCodec ?? ExtensionCodec.defaultCodec;
      this.context = options?.context;
      this.useBigInt64 = options?.useBigInt64 ?? false;
      this.maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
      this.initialBufferSize = options?.initialBufferSize ?? DEFAULT_INITIAL_BUFFER_SIZE;
      this.sortKeys = options?.sortKeys ?? false;
      this.forceFloat32 = options?.forceFloat32 ?? false;
      this.ignoreUndefined = options?.ignoreUndefined ?? false;
      this.forceIntegerToFloat = options?.forceIntegerToFloat ?? false;
      this.pos = 0;
      this.view = new DataView(new ArrayBuffer(this.initialBufferSize));
      this.bytes = new Uint8Array(this.view.buffer);
    }
    clone() {
      return new _Encoder({
        extensionCodec: this.extensionCodec,
        context: this.context,
        useBigInt64: this.useBigInt64,
        maxDepth: this.maxDepth,
        initialBufferSize: this.initialBufferSize,
        sortKeys: this.sortKeys,
        forceFloat32: this.forceFloat32,
        ignoreUndefined: this.ignoreUndefined,
        forceIntegerToFloat: this.forceIntegerToFloat
      });
    }
    reinitializeState() {
      this.pos = 0;
    }
    /**
     * This is almost equivalent to {@link Encoder#encode}, but it returns an reference of the encoder's internal buffer and thus much faster than {@link Encoder#encode}.
     *
     * @returns Encodes the object and returns a shared reference the encoder's internal buffer.
     */
    encodeSharedRef(object) {
      if (this.entered) {
        const instance = this.clone();
        return instance.encodeSharedRef(object);
      }
      try {
        this.entered = true;
        this.reinitializeState();
        this.doEncode(object, 1);
        return this.bytes.subarray(0, this.pos);
      } finally {
        this.entered = false;
      }
    }
    /**
     * @returns Encodes the object and returns a copy of the encoder's internal buffer.
     */
    encode(object) {
      if (this.entered) {
        const instance = this.clone();
        return instance.encode(object);
      }
      try {
        this.entered = true;
        this.reinitializeState();
        this.doEncode(object, 1);
        return this.bytes.slice(0, this.pos);
      } finally {
        this.entered = false;
      }
    }
    doEncode(object, depth) {
      if (depth > this.maxDepth) {
        throw new Error(`Too deep objects in depth ${depth}`);
      }
      if (object == null) {
        this.encodeNil();
      } else if (typeof object === "boolean") {
        this.encodeBoolean(object);
      } else if (typeof object === "number") {
        if (!this.forceIntegerToFloat) {
          this.encodeNumber(object);
        } else {
          this.encodeNumberAsFloat(object);
        }
      } else if (typeof object === "string") {
        this.encodeString(object);
      } else if (this.useBigInt64 && typeof object === "bigint") {
        this.encodeBigInt64(object);
      } else {
        this.encodeObject(object, depth);
      }
    }
    ensureBufferSizeToWrite(sizeToWrite) {
      const requiredSize = this.pos + sizeToWrite;
      if (this.view.byteLength < requiredSize) {
        this.resizeBuffer(requiredSize * 2);
      }
    }
    resizeBuffer(newSize) {
      const newBuffer = new ArrayBuffer(newSize);
      const newBytes = new Uint8Array(newBuffer);
      const newView = new DataView(newBuffer);
      newBytes.set(this.bytes);
      this.view = newView;
      this.bytes = newBytes;
    }
    encodeNil() {
      this.writeU8(192);
    }
    encodeBoolean(object) {
      if (object === false) {
        this.writeU8(194);
      } else {
        this.writeU8(195);
      }
    }
    encodeNumber(object) {
      if (!this.forceIntegerToFloat && Number.isSafeInteger(object)) {
        if (object >= 0) {
          if (object < 128) {
            this.writeU8(object);
          } else if (object < 256) {
            this.writeU8(204);
            this.writeU8(object);
          } else if (object < 65536) {
            this.writeU8(205);
            this.writeU16(object);
          } else if (object < 4294967296) {
            this.writeU8(206);
            this.writeU32(object);
          } else if (!this.useBigInt64) {
            this.writeU8(207);
            this.writeU64(object);
          } else {
            this.encodeNumberAsFloat(object);
          }
        } else {
          if (object >= -32) {
            this.writeU8(224 | object + 32);
          } else if (object >= -128) {
            this.writeU8(208);
            this.writeI8(object);
          } else if (object >= -32768) {
            this.writeU8(209);
            this.writeI16(object);
          } else if (object >= -2147483648) {
            this.writeU8(210);
            this.writeI32(object);
          } else if (!this.useBigInt64) {
            this.writeU8(211);
            this.writeI64(object);
          } else {
            this.encodeNumberAsFloat(object);
          }
        }
      } else {
        this.encodeNumberAsFloat(object);
      }
    }
    encodeNumberAsFloat(object) {
      if (this.forceFloat32) {
        this.writeU8(202);
        this.writeF32(object);
      } else {
        this.writeU8(203);
        this.writeF64(object);
      }
    }
    encodeBigInt64(object) {
      if (object >= BigInt(0)) {
        this.writeU8(207);
        this.writeBigUint64(object);
      } else {
        this.writeU8(211);
        this.writeBigInt64(object);
      }
    }
    writeStringHeader(byteLength) {
      if (byteLength < 32) {
        this.writeU8(160 + byteLength);
      } else if (byteLength < 256) {
        this.writeU8(217);
        this.writeU8(byteLength);
      } else if (byteLength < 65536) {
        this.writeU8(218);
        this.writeU16(byteLength);
      } else if (byteLength < 4294967296) {
        this.writeU8(219);
        this.writeU32(byteLength);
      } else {
        throw new Error(`Too long string: ${byteLength} bytes in UTF-8`);
      }
    }
    encodeString(object) {
      const maxHeaderSize = 1 + 4;
      const byteLength = utf8Count(object);
      this.ensureBufferSizeToWrite(maxHeaderSize + byteLength);
      this.writeStringHeader(byteLength);
      utf8Encode(object, this.bytes, this.pos);
      this.pos += byteLength;
    }
    encodeObject(object, depth) {
      const ext = this.extensionCodec.tryToEncode(object, this.context);
      if (ext != null) {
        this.encodeExtension(ext);
      } else if (Array.isArray(object)) {
        this.encodeArray(object, depth);
      } else if (ArrayBuffer.isView(object)) {
        this.encodeBinary(object);
      } else if (typeof object === "object") {
        this.encodeMap(object, depth);
      } else {
        throw new Error(`Unrecognized object: ${Object.prototype.toString.apply(object)}`);
      }
    }
    encodeBinary(object) {
      const size2 = object.byteLength;
      if (size2 < 256) {
        this.writeU8(196);
        this.writeU8(size2);
      } else if (size2 < 65536) {
        this.writeU8(197);
        this.writeU16(size2);
      } else if (size2 < 4294967296) {
        this.writeU8(198);
        this.writeU32(size2);
      } else {
        throw new Error(`Too large binary: ${size2}`);
      }
      const bytes = ensureUint8Array(object);
      this.writeU8a(bytes);
    }
    encodeArray(object, depth) {
      const size2 = object.length;
      if (size2 < 16) {
        this.writeU8(144 + size2);
      } else if (size2 < 65536) {
        this.writeU8(220);
        this.writeU16(size2);
      } else if (size2 < 4294967296) {
        this.writeU8(221);
        this.writeU32(size2);
      } else {
        throw new Error(`Too large array: ${size2}`);
      }
      for (const item of object) {
        this.doEncode(item, depth + 1);
      }
    }
    countWithoutUndefined(object, keys) {
      let count = 0;
      for (const key of keys) {
        if (object[key] !== void 0) {
          count++;
        }
      }
      return count;
    }
    encodeMap(object, depth) {
      const keys = Object.keys(object);
      if (this.sortKeys) {
        keys.sort();
      }
      const size2 = this.ignoreUndefined ? this.countWithoutUndefined(object, keys) : keys.length;
      if (size2 < 16) {
        this.writeU8(128 + size2);
      } else if (size2 < 65536) {
        this.writeU8(222);
        this.writeU16(size2);
      } else if (size2 < 4294967296) {
        this.writeU8(223);
        this.writeU32(size2);
      } else {
        throw new Error(`Too large map object: ${size2}`);
      }
      for (const key of keys) {
        const value = object[key];
        if (!(this.ignoreUndefined && value === void 0)) {
          this.encodeString(key);
          this.doEncode(value, depth + 1);
        }
      }
    }
    encodeExtension(ext) {
      if (typeof ext.data === "function") {
        const data2 = ext.data(this.pos + 6);
        const size3 = data2.length;
        if (size3 >= 4294967296) {
          throw new Error(`Too large extension object: ${size3}`);
        }
        this.writeU8(201);
        this.writeU32(size3);
        this.writeI8(ext.type);
        this.writeU8a(data2);
        return;
      }
      const size2 = ext.data.length;
      if (size2 === 1) {
        this.writeU8(212);
      } else if (size2 === 2) {
        this.writeU8(213);
      } else if (size2 === 4) {
        this.writeU8(214);
      } else if (size2 === 8) {
        this.writeU8(215);
      } else if (size2 === 16) {
        this.writeU8(216);
      } else if (size2 < 256) {
        this.writeU8(199);
        this.writeU8(size2);
      } else if (size2 < 65536) {
        this.writeU8(200);
        this.writeU16(size2);
      } else if (size2 < 4294967296) {
        this.writeU8(201);
        this.writeU32(size2);
      } else {
        throw new Error(`Too large extension object: ${size2}`);
      }
      this.writeI8(ext.type);
      this.writeU8a(ext.data);
    }
    writeU8(value) {
      this.ensureBufferSizeToWrite(1);
      this.view.setUint8(this.pos, value);
      this.pos++;
    }
    writeU8a(values) {
      const size2 = values.length;
      this.ensureBufferSizeToWrite(size2);
      this.bytes.set(values, this.pos);
      this.pos += size2;
    }
    writeI8(value) {
      this.ensureBufferSizeToWrite(1);
      this.view.setInt8(this.pos, value);
      this.pos++;
    }
    writeU16(value) {
      this.ensureBufferSizeToWrite(2);
      this.view.setUint16(this.pos, value);
      this.pos += 2;
    }
    writeI16(value) {
      this.ensureBufferSizeToWrite(2);
      this.view.setInt16(this.pos, value);
      this.pos += 2;
    }
    writeU32(value) {
      this.ensureBufferSizeToWrite(4);
      this.view.setUint32(this.pos, value);
      this.pos += 4;
    }
    writeI32(value) {
      this.ensureBufferSizeToWrite(4);
      this.view.setInt32(this.pos, value);
      this.pos += 4;
    }
    writeF32(value) {
      this.ensureBufferSizeToWrite(4);
      this.view.setFloat32(this.pos, value);
      this.pos += 4;
    }
    writeF64(value) {
      this.ensureBufferSizeToWrite(8);
      this.view.setFloat64(this.pos, value);
      this.pos += 8;
    }
    writeU64(value) {
      this.ensureBufferSizeToWrite(8);
      setUint64(this.view, this.pos, value);
      this.pos += 8;
    }
    writeI64(value) {
      this.ensureBufferSizeToWrite(8);
      setInt64(this.view, this.pos, value);
      this.pos += 8;
    }
    writeBigUint64(value) {
      this.ensureBufferSizeToWrite(8);
      this.view.setBigUint64(this.pos, value);
      this.pos += 8;
    }
    writeBigInt64(value) {
      this.ensureBufferSizeToWrite(8);
      this.view.setBigInt64(this.pos, value);
      this.pos += 8;
    }
  };

  // node_modules/@msgpack/msgpack/dist.esm/encode.mjs
  function encode(value, options) {
    const encoder = new Encoder(options);
    return encoder.encodeSharedRef(value);
  }

  // src/limits.js
  var PROTOCOL_VERSION = 1;
  var BASE_CHUNK_SIZE = 16 * 1024;
  var DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
  var MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
  var CHUNK_FRAME_OVERHEAD = 96;
  var TRANSFER_ID_BYTES = 16;
  var SHA256_BYTES = 32;
  var MAX_NAME_BYTES = 4096;
  var MAX_NAME_COMPONENT_BYTES = 255;
  var MAX_NAME_DEPTH = 64;
  var MAX_TEXT_LENGTH = 1024;
  var MAX_CODE_LENGTH = 32;
  var MAX_MIME_LENGTH = 255;
  var MAX_RESUME_KEY_LENGTH = 256;
  var MAX_STORED_ID_LENGTH = 128;
  var MAX_FEATURES = 32;
  var MAX_FEATURE_LENGTH = 64;
  var MAX_ADVERTISED_SIZE = 2 ** 30;
  var MAX_VERSION = 2 ** 16 - 1;
  var DEFAULT_WINDOW = 4 << 20;

  // src/msgpack.js
  var MsgpackError = class extends Error {
  };
  var Float = class {
    constructor(value) {
      this.value = value;
    }
  };
  var Ext = class {
    constructor(type, data2) {
      this.type = type;
      this.data = data2;
    }
  };
  var BinKey = class {
    // a bin map key: msgpack-python keeps it as bytes, never equal to a str key
    constructor(bytes) {
      this.bytes = bytes;
    }
    toString() {
      return `bin:${Array.from(this.bytes).join(",")}`;
    }
  };
  var UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  var MAX_DEPTH = 1024;
  function unpack(bytes) {
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
    const u82 = () => (need(1), bytes[pos++]);
    const u16 = () => (need(2), pos += 2, view.getUint16(pos - 2));
    const u322 = () => (need(4), pos += 4, view.getUint32(pos - 4));
    const int2 = (big) => Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big;
    const str = (n) => {
      try {
        return UTF8.decode(take(n));
      } catch {
        throw new MsgpackError("invalid UTF-8 in a str");
      }
    };
    const map = (n, depth) => {
      const out = /* @__PURE__ */ new Map();
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
      const b = u82();
      let v;
      if (b <= 127) v = b;
      else if (b >= 224) v = b - 256;
      else if (b >= 160 && b <= 191) v = str(b & 31);
      else if (b >= 144 && b <= 159) v = array(b & 15, depth);
      else if (b >= 128 && b <= 143) v = map(b & 15, depth);
      else {
        switch (b) {
          case 192:
            v = null;
            break;
          case 194:
            v = false;
            break;
          case 195:
            v = true;
            break;
          case 196:
            v = take(u82());
            break;
          case 197:
            v = take(u16());
            break;
          case 198:
            v = take(u322());
            break;
          case 199:
            v = ext(u82());
            break;
          case 200:
            v = ext(u16());
            break;
          case 201:
            v = ext(u322());
            break;
          case 202:
            need(4);
            v = new Float(view.getFloat32(pos));
            pos += 4;
            break;
          case 203:
            need(8);
            v = new Float(view.getFloat64(pos));
            pos += 8;
            break;
          case 204:
            v = u82();
            break;
          case 205:
            v = u16();
            break;
          case 206:
            v = u322();
            break;
          case 207:
            need(8);
            v = int2(view.getBigUint64(pos));
            pos += 8;
            break;
          case 208:
            need(1);
            v = view.getInt8(pos);
            pos += 1;
            break;
          case 209:
            need(2);
            v = view.getInt16(pos);
            pos += 2;
            break;
          case 210:
            need(4);
            v = view.getInt32(pos);
            pos += 4;
            break;
          case 211:
            need(8);
            v = int2(view.getBigInt64(pos));
            pos += 8;
            break;
          case 212:
            v = ext(1);
            break;
          case 213:
            v = ext(2);
            break;
          case 214:
            v = ext(4);
            break;
          case 215:
            v = ext(8);
            break;
          case 216:
            v = ext(16);
            break;
          case 217:
            v = str(u82());
            break;
          case 218:
            v = str(u16());
            break;
          case 219:
            v = str(u322());
            break;
          case 220:
            v = array(u16(), depth);
            break;
          case 221:
            v = array(u322(), depth);
            break;
          case 222:
            v = map(u16(), depth);
            break;
          case 223:
            v = map(u322(), depth);
            break;
          default:
            throw new MsgpackError(`reserved byte 0x${b.toString(16)}`);
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

  // src/names.js
  var DEVICES = /* @__PURE__ */ new Set([
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
    ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
    "COM¹",
    "COM²",
    "COM³",
    "LPT¹",
    "LPT²",
    "LPT³"
  ]);
  var FORBIDDEN = new Set('\\<>:"|?*');
  var DRIVE = /^[A-Za-z]:/;
  var UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  var ENCODER = new TextEncoder();
  function isUnprintable(ch) {
    return UNPRINTABLE.test(ch);
  }
  function utf8Length(text2) {
    return ENCODER.encode(text2).length;
  }
  function hasLoneSurrogate(text2) {
    return new RegExp("\\p{Cs}", "u").test(text2);
  }
  function deviceStem(part) {
    return part.split(".")[0].toUpperCase().replace(/ +$/, "");
  }
  function nameProblem(name2) {
    if (typeof name2 !== "string") return `name must be a string, got ${typeof name2}`;
    if (!name2) return "name is empty";
    if (hasLoneSurrogate(name2)) return "name is not valid UTF-8 (lone surrogate)";
    const size2 = utf8Length(name2);
    if (size2 > MAX_NAME_BYTES) return `name is ${size2} bytes, more than ${MAX_NAME_BYTES}`;
    if (name2.startsWith("/") || DRIVE.test(name2)) return `name ${JSON.stringify(name2)} is an absolute path`;
    for (const ch of name2) {
      if (isUnprintable(ch)) return `name contains control character U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      if (FORBIDDEN.has(ch)) return `name contains forbidden character ${JSON.stringify(ch)}`;
    }
    const parts = name2.split("/");
    if (parts.length > MAX_NAME_DEPTH) return `name is ${parts.length} levels deep, more than ${MAX_NAME_DEPTH}`;
    for (const part of parts) {
      if (part === "" || part === "." || part === "..") return "name has an empty, '.' or '..' component";
      if (utf8Length(part) > MAX_NAME_COMPONENT_BYTES) return `name has a component longer than ${MAX_NAME_COMPONENT_BYTES} bytes`;
      const last = part[part.length - 1];
      if (last === "." || last === " ") return "name has a component ending in a dot or space";
      if (DEVICES.has(deviceStem(part))) return "name uses a reserved device name";
    }
    return null;
  }

  // src/codec.js
  var ProtocolError = class extends Error {
    constructor(message2, code2 = "protocol") {
      super(message2);
      this.code = code2;
    }
  };
  var CODE = /^[a-z][a-z0-9-]*$/;
  var FEATURE = /^[a-z0-9][a-z0-9.-]*$/;
  var MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;
  var fail = (key, problem) => new ProtocolError(`field '${key}' ${problem}`);
  var kind = (v) => v === null ? "NoneType" : v instanceof Float ? "float" : v instanceof Uint8Array ? "bytes" : Array.isArray(v) ? "list" : v instanceof Map ? "dict" : typeof v;
  var isInt = (v) => typeof v === "number" && Number.isInteger(v) || typeof v === "bigint";
  function uint(low, high) {
    return (key, v) => {
      if (!isInt(v)) throw fail(key, `must be an integer, got ${kind(v)}`);
      if (typeof v === "bigint" || v < low || v > high) throw fail(key, `is ${v}, outside ${low}..${high}`);
      return v;
    };
  }
  function bin(length) {
    return (key, v) => {
      if (!(v instanceof Uint8Array)) throw fail(key, `must be binary, got ${kind(v)}`);
      if (v.length !== length) throw fail(key, `must be ${length} bytes, got ${v.length}`);
      return v;
    };
  }
  var optional = (inner) => (key, v) => v === null ? null : inner(key, v);
  function text(maxLength, pattern = null, empty = true) {
    return (key, v) => {
      if (typeof v !== "string") throw fail(key, `must be a string, got ${kind(v)}`);
      const chars = [...v];
      if (chars.length > maxLength) throw fail(key, `is ${chars.length} characters, more than ${maxLength}`);
      if (!v) {
        if (empty) return v;
        throw fail(key, "must not be empty");
      }
      if (pattern && !pattern.test(v)) throw fail(key, `has an invalid value ${JSON.stringify(v)}`);
      for (const ch of chars) {
        if (isUnprintable(ch)) throw fail(key, `contains the control character U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
      }
      return v;
    };
  }
  function name(key, v) {
    const problem = nameProblem(v);
    if (problem !== null) throw new ProtocolError(problem, "unsafe-name");
    return v;
  }
  function data(key, v) {
    if (!(v instanceof Uint8Array)) throw fail(key, `must be binary, got ${kind(v)}`);
    if (!v.length) throw fail(key, "must not be empty");
    return v;
  }
  function features(key, v) {
    if (!Array.isArray(v)) throw fail(key, `must be an array, got ${kind(v)}`);
    if (v.length > MAX_FEATURES) throw fail(key, `lists ${v.length} features, more than ${MAX_FEATURES}`);
    const check = text(MAX_FEATURE_LENGTH, FEATURE, false);
    const items = v.map((item) => check(key, item));
    if (new Set(items).size !== items.length) throw fail(key, "lists a feature twice");
    return items;
  }
  var tid = bin(TRANSFER_ID_BYTES);
  var sha = bin(SHA256_BYTES);
  var size = uint(0, MAX_FILE_SIZE);
  var code = text(MAX_CODE_LENGTH, CODE, false);
  var message = text(MAX_TEXT_LENGTH);
  var SCHEMAS = {
    HELLO: {
      version: uint(1, MAX_VERSION),
      max_message_size: uint(BASE_CHUNK_SIZE + CHUNK_FRAME_OVERHEAD, MAX_ADVERTISED_SIZE),
      max_chunk_size: uint(BASE_CHUNK_SIZE, MAX_ADVERTISED_SIZE),
      features
    },
    OFFER: {
      transfer_id: tid,
      name,
      size,
      mime_type: text(MAX_MIME_LENGTH, MIME),
      chunk_size: uint(BASE_CHUNK_SIZE, MAX_ADVERTISED_SIZE),
      resume_key: text(MAX_RESUME_KEY_LENGTH),
      mtime_ms: uint(0, MAX_FILE_SIZE)
    },
    ACCEPT: { transfer_id: tid, offset: size },
    REJECT: { transfer_id: tid, code, message },
    CHUNK: { transfer_id: tid, offset: size, data },
    WINDOW: { transfer_id: tid, limit: size },
    EOF: { transfer_id: tid, size, sha256: sha },
    DONE: { transfer_id: tid, sha256: sha, stored_id: text(MAX_STORED_ID_LENGTH) },
    CANCEL: { transfer_id: tid, reason: message },
    ERROR: { transfer_id: optional(tid), code, message },
    // Keepalive (docs/keepalive.md): sent only to a peer whose HELLO lists "keepalive". The
    // page does not list it, so none should come; decoding it keeps the codec whole.
    PING: {}
  };
  function bytesOf(textWithEscapes) {
    return Uint8Array.from(textWithEscapes, (c) => c.charCodeAt(0));
  }
  var PREFIX = bytesOf("¤type¥CHUNK«transfer_idÄ");
  var OFFSET = bytesOf("¦offsetÏ");
  var DATA = bytesOf("¤dataÆ");
  var CHUNK_HEADER_SIZE = PREFIX.length + 16 + OFFSET.length + 8 + DATA.length + 4;
  function encodeChunk(frame) {
    const { transfer_id: id, offset, data: payload } = frame;
    if (!(id instanceof Uint8Array) || id.length !== TRANSFER_ID_BYTES) throw new TypeError("a transfer id is 16 bytes");
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError("a CHUNK offset is 0..2**53-1");
    const out = new Uint8Array(CHUNK_HEADER_SIZE + payload.length);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const part of [PREFIX, id, OFFSET]) {
      out.set(part, at);
      at += part.length;
    }
    view.setBigUint64(at, BigInt(offset));
    at += 8;
    out.set(DATA, at);
    at += DATA.length;
    view.setUint32(at, payload.length);
    at += 4;
    out.set(payload, at);
    return out;
  }
  function sameBytes(a, at, b) {
    for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
    return true;
  }
  function decodeChunkFast(bytes) {
    if (bytes.length <= CHUNK_HEADER_SIZE) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const idAt = PREFIX.length;
    const offsetKeyAt = idAt + 16;
    const offsetAt = offsetKeyAt + OFFSET.length;
    const dataKeyAt = offsetAt + 8;
    const lengthAt = dataKeyAt + DATA.length;
    if (!sameBytes(bytes, 0, PREFIX) || !sameBytes(bytes, offsetKeyAt, OFFSET) || !sameBytes(bytes, dataKeyAt, DATA)) return null;
    if (view.getUint32(lengthAt) !== bytes.length - CHUNK_HEADER_SIZE) return null;
    const offset = view.getBigUint64(offsetAt);
    if (offset > BigInt(MAX_FILE_SIZE)) return null;
    return {
      type: "CHUNK",
      transfer_id: bytes.slice(idAt, idAt + 16),
      offset: Number(offset),
      data: bytes.subarray(CHUNK_HEADER_SIZE)
    };
  }
  function encode2(frame) {
    if (frame.type === "CHUNK") return encodeChunk(frame);
    const schema = SCHEMAS[frame.type];
    if (!schema) throw new TypeError(`not a Ferry frame: ${frame.type}`);
    const body = { type: frame.type };
    for (const key of Object.keys(schema)) body[key] = frame[key];
    return encode(body);
  }
  function decode(bytes, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE) {
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    if (!(bytes instanceof Uint8Array)) throw new ProtocolError(`expected a binary message, got ${typeof bytes}`);
    if (bytes.length > maxMessageSize) {
      throw new ProtocolError(`message of ${bytes.length} bytes exceeds the maximum of ${maxMessageSize}`);
    }
    return decodeChunkFast(bytes) || decodeFull(bytes);
  }
  function decodeFull(bytes) {
    let body;
    try {
      body = unpack(bytes);
    } catch (exc) {
      if (exc instanceof MsgpackError || exc instanceof RangeError) throw new ProtocolError(`not a valid msgpack message: ${exc.message}`);
      throw exc;
    }
    if (!(body instanceof Map)) throw new ProtocolError(`frame must be a msgpack map, got ${kind(body)}`);
    const tag = body.get("type");
    const schema = typeof tag === "string" && Object.hasOwn(SCHEMAS, tag) ? SCHEMAS[tag] : null;
    if (!schema) throw new ProtocolError(`unknown frame type ${JSON.stringify(typeof tag === "string" ? tag : kind(tag))}`);
    const wanted = /* @__PURE__ */ new Set(["type", ...Object.keys(schema)]);
    const keys = [...body.keys()];
    if (keys.length !== wanted.size || !keys.every((k) => wanted.has(k))) {
      throw new ProtocolError(`${tag} frame has missing or extra fields`);
    }
    const frame = { type: tag };
    try {
      for (const [key, check] of Object.entries(schema)) frame[key] = check(key, body.get(key));
    } catch (exc) {
      if (exc instanceof ProtocolError) throw new ProtocolError(`${tag} frame: ${exc.message}`, exc.code);
      throw exc;
    }
    return frame;
  }

  // src/wordlist.js
  var EVEN = ["aardvark", "absurd", "accrue", "acme", "adrift", "adult", "afflict", "ahead", "aimless", "algol", "allow", "alone", "ammo", "ancient", "apple", "artist", "assume", "athens", "atlas", "aztec", "baboon", "backfield", "backward", "banjo", "beaming", "bedlamp", "beehive", "beeswax", "befriend", "belfast", "berserk", "billiard", "bison", "blackjack", "blockade", "blowtorch", "bluebird", "bombast", "bookshelf", "brackish", "breadline", "breakup", "brickyard", "briefcase", "burbank", "button", "buzzard", "cement", "chairlift", "chatter", "checkup", "chisel", "choking", "chopper", "christmas", "clamshell", "classic", "classroom", "cleanup", "clockwork", "cobra", "commence", "concert", "cowbell", "crackdown", "cranky", "crowfoot", "crucial", "crumpled", "crusade", "cubic", "dashboard", "deadbolt", "deckhand", "dogsled", "dragnet", "drainage", "dreadful", "drifter", "dropper", "drumbeat", "drunken", "dupont", "dwelling", "eating", "edict", "egghead", "eightball", "endorse", "endow", "enlist", "erase", "escape", "exceed", "eyeglass", "eyetooth", "facial", "fallout", "flagpole", "flatfoot", "flytrap", "fracture", "framework", "freedom", "frighten", "gazelle", "geiger", "glitter", "glucose", "goggles", "goldfish", "gremlin", "guidance", "hamlet", "highchair", "hockey", "indoors", "indulge", "inverse", "involve", "island", "jawbone", "keyboard", "kickoff", "kiwi", "klaxon", "locale", "lockup", "merit", "minnow", "miser", "mohawk", "mural", "music", "necklace", "neptune", "newborn", "nightbird", "oakland", "obtuse", "offload", "optic", "orca", "payday", "peachy", "pheasant", "physique", "playhouse", "pluto", "preclude", "prefer", "preshrunk", "printer", "prowler", "pupil", "puppy", "python", "quadrant", "quiver", "quota", "ragtime", "ratchet", "rebirth", "reform", "regain", "reindeer", "rematch", "repay", "retouch", "revenge", "reward", "rhythm", "ribcage", "ringbolt", "robust", "rocker", "ruffled", "sailboat", "sawdust", "scallion", "scenic", "scorecard", "scotland", "seabird", "select", "sentence", "shadow", "shamrock", "showgirl", "skullcap", "skydive", "slingshot", "slowdown", "snapline", "snapshot", "snowcap", "snowslide", "solo", "southward", "soybean", "spaniel", "spearhead", "spellbind", "spheroid", "spigot", "spindle", "spyglass", "stagehand", "stagnate", "stairway", "standard", "stapler", "steamship", "sterling", "stockman", "stopwatch", "stormy", "sugar", "surmount", "suspense", "sweatband", "swelter", "tactics", "talon", "tapeworm", "tempest", "tiger", "tissue", "tonic", "topmost", "tracker", "transit", "trauma", "treadmill", "trojan", "trouble", "tumor", "tunnel", "tycoon", "uncut", "unearth", "unwind", "uproot", "upset", "upshot", "vapor", "village", "virus", "vulcan", "waffle", "wallet", "watchword", "wayside", "willow", "woodlark", "zulu"];
  var ODD = ["adroitness", "adviser", "aftermath", "aggregate", "alkali", "almighty", "amulet", "amusement", "antenna", "applicant", "apollo", "armistice", "article", "asteroid", "atlantic", "atmosphere", "autopsy", "babylon", "backwater", "barbecue", "belowground", "bifocals", "bodyguard", "bookseller", "borderline", "bottomless", "bradbury", "bravado", "brazilian", "breakaway", "burlington", "businessman", "butterfat", "camelot", "candidate", "cannonball", "capricorn", "caravan", "caretaker", "celebrate", "cellulose", "certify", "chambermaid", "cherokee", "chicago", "clergyman", "coherence", "combustion", "commando", "company", "component", "concurrent", "confidence", "conformist", "congregate", "consensus", "consulting", "corporate", "corrosion", "councilman", "crossover", "crucifix", "cumbersome", "customer", "dakota", "decadence", "december", "decimal", "designing", "detector", "detergent", "determine", "dictator", "dinosaur", "direction", "disable", "disbelief", "disruptive", "distortion", "document", "embezzle", "enchanting", "enrollment", "enterprise", "equation", "equipment", "escapade", "eskimo", "everyday", "examine", "existence", "exodus", "fascinate", "filament", "finicky", "forever", "fortitude", "frequency", "gadgetry", "galveston", "getaway", "glossary", "gossamer", "graduate", "gravity", "guitarist", "hamburger", "hamilton", "handiwork", "hazardous", "headwaters", "hemisphere", "hesitate", "hideaway", "holiness", "hurricane", "hydraulic", "impartial", "impetus", "inception", "indigo", "inertia", "infancy", "inferno", "informant", "insincere", "insurgent", "integrate", "intention", "inventive", "istanbul", "jamaica", "jupiter", "leprosy", "letterhead", "liberty", "maritime", "matchmaker", "maverick", "medusa", "megaton", "microscope", "microwave", "midsummer", "millionaire", "miracle", "misnomer", "molasses", "molecule", "montana", "monument", "mosquito", "narrative", "nebula", "newsletter", "norwegian", "october", "ohio", "onlooker", "opulent", "orlando", "outfielder", "pacific", "pandemic", "pandora", "paperweight", "paragon", "paragraph", "paramount", "passenger", "pedigree", "pegasus", "penetrate", "perceptive", "performance", "pharmacy", "phonetic", "photograph", "pioneer", "pocketful", "politeness", "positive", "potato", "processor", "provincial", "proximate", "puberty", "publisher", "pyramid", "quantity", "racketeer", "rebellion", "recipe", "recover", "repellent", "replica", "reproduce", "resistor", "responsive", "retraction", "retrieval", "retrospect", "revenue", "revival", "revolver", "sandalwood", "sardonic", "saturday", "savagery", "scavenger", "sensation", "sociable", "souvenir", "specialist", "speculate", "stethoscope", "stupendous", "supportive", "surrender", "suspicious", "sympathy", "tambourine", "telephone", "therapist", "tobacco", "tolerance", "tomorrow", "torpedo", "tradition", "travesty", "trombonist", "truncated", "typewriter", "ultimate", "undaunted", "underfoot", "unicorn", "unify", "universe", "unravel", "upcoming", "vacancy", "vagabond", "vertigo", "virginia", "visitor", "vocalist", "voyager", "warranty", "waterloo", "whimsical", "wichita", "wilmington", "wyoming", "yesteryear", "yucatan"];

  // src/codes.js
  var EXAMPLE = "7-crossover-clockwork";
  var MAX_WORDS = 8;
  var ODD_SET = new Set(ODD);
  var EVEN_SET = new Set(EVEN);
  var ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];
  var CodeError = class extends Error {
  };
  var WS = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var TRIM = new RegExp(`^[${WS}]+|[${WS}]+$`, "g");
  var SPLIT = new RegExp(`[${WS}-]+`);
  var wordList = (position) => position % 2 === 0 ? ODD : EVEN;
  function closest(word, candidates) {
    let best = null;
    let bestDistance = Infinity;
    for (const c of candidates) {
      const d = distance(word, c);
      if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return bestDistance <= Math.max(1, Math.floor(best.length / 4)) ? best : null;
  }
  function distance(a, b) {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  }
  function parseCode(typed) {
    const trimmed = typeof typed === "string" ? typed.replace(TRIM, "") : "";
    if (!trimmed) throw new CodeError(`no code given; a code looks like ${EXAMPLE}`);
    const parts = trimmed.toLowerCase().split(SPLIT).filter(Boolean);
    const [first, ...words] = parts;
    if (!/^[0-9]+$/.test(first)) throw new CodeError(`a code starts with its number, as in ${EXAMPLE}`);
    const digits = first.replace(/^0+/, "");
    if (digits.length > 9) throw new CodeError("the number of a code has at most 9 digits");
    const nameplate = digits || "0";
    if (words.length < 2) throw new CodeError(`a code has at least two words after its number, as in ${EXAMPLE}`);
    if (words.length > MAX_WORDS) throw new CodeError(`a code has at most ${MAX_WORDS} words; this one has ${words.length}`);
    words.forEach((word, position) => {
      const expected = wordList(position);
      if ((expected === ODD ? ODD_SET : EVEN_SET).has(word)) return;
      const ordinal = ORDINALS[position];
      if (ODD_SET.has(word) || EVEN_SET.has(word)) throw new CodeError(`"${word}" is a code word, but not one that can come ${ordinal}: check the order of the words`);
      const close = closest(word, expected);
      throw new CodeError(`"${word.slice(0, 40)}" (${ordinal} word) is not a code word${close ? `; did you mean "${close}"?` : ""}`);
    });
    return { nameplate, words, text: [nameplate, ...words].join("-") };
  }
  function wordsFor(bytes) {
    return Array.from(bytes, (b, i) => (i % 2 === 0 ? EVEN : ODD)[b]).join("-");
  }

  // node_modules/@noble/hashes/_u64.js
  var U32_MASK64 = /* @__PURE__ */ (() => BigInt(2 ** 32 - 1))();
  var _32n = /* @__PURE__ */ BigInt(32);
  function fromBig(n, le = false) {
    if (le)
      return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
    return { h: Number(n >> _32n & U32_MASK64) | 0, l: Number(n & U32_MASK64) | 0 };
  }
  function split(lst, le = false) {
    const len = lst.length;
    let Ah = new Uint32Array(len);
    let Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var fromNumH = (n) => n / 2 ** 32 | 0;
  var fromNumL = (n) => n >>> 0;
  function setU64FromNum(view, byteOffset, n, isLE2) {
    const h = fromNumH(n);
    const l = fromNumL(n);
    view.setUint32(byteOffset, isLE2 ? l : h, isLE2);
    view.setUint32(byteOffset + 4, isLE2 ? h : l, isLE2);
  }
  var shrSH = (h, _l, s) => h >>> s;
  var shrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrSH = (h, l, s) => h >>> s | l << 32 - s;
  var rotrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrBH = (h, l, s) => h << 64 - s | l >>> s - 32;
  var rotrBL = (h, l, s) => h >>> s - 32 | l << 64 - s;
  function add(Ah, Al, Bh, Bl) {
    const l = (Al >>> 0) + (Bl >>> 0);
    return { h: Ah + Bh + (l / 2 ** 32 | 0) | 0, l: l | 0 };
  }
  var add3L = (Al, Bl, Cl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0);
  var add3H = (low, Ah, Bh, Ch) => Ah + Bh + Ch + (low / 2 ** 32 | 0) | 0;
  var add4L = (Al, Bl, Cl, Dl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0);
  var add4H = (low, Ah, Bh, Ch, Dh) => Ah + Bh + Ch + Dh + (low / 2 ** 32 | 0) | 0;
  var add5L = (Al, Bl, Cl, Dl, El) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0) + (El >>> 0);
  var add5H = (low, Ah, Bh, Ch, Dh, Eh) => Ah + Bh + Ch + Dh + Eh + (low / 2 ** 32 | 0) | 0;

  // node_modules/@noble/hashes/utils.js
  function isBytes(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle = (title) => title ? `"${title}" ` : "";
  function anumber(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes(value, length, title = "") {
    if (isBytes(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber(length, "length");
    const bytes = isBytes(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message2 = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message2);
    throw new RangeError(message2);
  }
  function ahash(h) {
    if (typeof h !== "function" || typeof h.create !== "function")
      throw new TypeError("expected hash wrapped by utils.createHasher");
    anumber(h.outputLen);
    anumber(h.blockLen);
    if (h.outputLen < 1 || h.blockLen < 1)
      throw new Error("hash blockLen / outputLen must be >= 1");
  }
  var aobject = (value, label) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value);
  };
  var aopts = (value, label) => {
    aobject(value, label);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`"${label}" expected plain object`);
    if (Object.hasOwn(value, "__proto__"))
      throw new TypeError(`"${label}.__proto__" is not allowed`);
  };
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput(out, instance) {
    abytes(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  var hasHexBuiltin = /* @__PURE__ */ (() => (
    // @ts-ignore
    typeof Uint8Array.from([]).toHex === "function" && typeof Uint8Array.fromHex === "function"
  ))();
  var hexes = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  function bytesToHex(bytes) {
    abytes(bytes);
    if (hasHexBuiltin)
      return bytes.toHex();
    let hex2 = "";
    for (let i = 0; i < bytes.length; i++) {
      hex2 += hexes[bytes[i]];
    }
    return hex2;
  }
  function asciiToBase16(ch) {
    return ch >= 48 && ch <= 57 ? ch - 48 : ch >= 65 && ch <= 70 ? ch - (65 - 10) : ch >= 97 && ch <= 102 ? ch - (97 - 10) : void 0;
  }
  function hexToBytes(hex2) {
    if (typeof hex2 !== "string")
      throw new TypeError("hex string expected, got " + typeof hex2);
    if (hasHexBuiltin) {
      try {
        return Uint8Array.fromHex(hex2);
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new RangeError(error.message);
        throw error;
      }
    }
    const hl = hex2.length;
    const al = hl / 2;
    if (hl % 2)
      throw new RangeError("hex string expected, got unpadded hex of length " + hl);
    const array = new Uint8Array(al);
    for (let ai = 0, hi = 0; ai < al; ai++, hi += 2) {
      const n1 = asciiToBase16(hex2.charCodeAt(hi));
      const n2 = asciiToBase16(hex2.charCodeAt(hi + 1));
      if (n1 === void 0 || n2 === void 0) {
        const char = hex2[hi] + hex2[hi + 1];
        throw new RangeError('hex string expected, got non-hex character "' + char + '" at index ' + hi);
      }
      array[ai] = n1 * 16 + n2;
    }
    return array;
  }
  function concatBytes(...arrays) {
    let sum = 0;
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i];
      abytes(a);
      sum += a.length;
    }
    const res = new Uint8Array(sum);
    for (let i = 0, pad = 0; i < arrays.length; i++) {
      const a = arrays[i];
      res.set(a, pad);
      pad += a.length;
    }
    return res;
  }
  function checkOpts(defaults, opts, title = "opts") {
    aopts(defaults, "defaults");
    if (opts !== void 0)
      aopts(opts, title);
    const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
    return merged;
  }
  function createHasher(hashCons, info = {}) {
    if (typeof hashCons !== "function")
      throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
    info = checkOpts({}, info, "info");
    const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp = hashCons(void 0);
    hashC.outputLen = tmp.outputLen;
    hashC.blockLen = tmp.blockLen;
    hashC.canXOF = tmp.canXOF;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  function randomBytes(bytesLength = 32) {
    anumber(bytesLength, "bytesLength");
    const cr = typeof globalThis === "object" ? globalThis.crypto : null;
    if (typeof cr?.getRandomValues !== "function")
      throw new Error("crypto.getRandomValues must be defined");
    if (bytesLength > 65536)
      throw new RangeError(`"bytesLength" expected <= 65536, got ${bytesLength}`);
    return cr.getRandomValues(new Uint8Array(bytesLength));
  }
  var oidNist = (suffix) => ({
    // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
    // Larger suffix values would need base-128 OID encoding and a different length byte.
    oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
  });

  // node_modules/@noble/hashes/_md.js
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    blockLen;
    outputLen;
    canXOF = false;
    padOffset;
    isLE;
    // For partial updates less than block size
    buffer;
    view;
    finished = false;
    length = 0;
    pos = 0;
    destroyed = false;
    constructor(blockLen, outputLen, padOffset, isLE2) {
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE2;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data2) {
      aexists(this);
      abytes(data2);
      const { view, buffer, blockLen } = this;
      const len = data2.length;
      let processed = false;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data2);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          processed = true;
          continue;
        }
        buffer.set(pos === 0 && take === len ? data2 : data2.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
          processed = true;
        }
      }
      this.length += data2.length;
      if (processed)
        this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE2 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      buffer.fill(0, pos);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        buffer.fill(0);
      }
      setU64FromNum(view, blockLen - 8, this.length * 8, isLE2);
      this.process(view, 0);
      this.roundClean();
      const oview = out === buffer ? view : createView(out);
      const len = this.outputLen;
      const outLen = len / 4;
      const state2 = this.get();
      if (len % 4 || outLen > state2.length)
        throw new Error("invalid outputLen");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state2[i], isLE2);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneIntoMeta(to) {
      const { buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (pos)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  var SHA512_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    4089235720,
    3144134277,
    2227873595,
    1013904242,
    4271175723,
    2773480762,
    1595750129,
    1359893119,
    2917565137,
    2600822924,
    725511199,
    528734635,
    4215389547,
    1541459225,
    327033209
  ]);

  // node_modules/@noble/hashes/sha2.js
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    // We cannot use array here since array allows indexing by variable
    // which means optimizer/compiler cannot use registers.
    // Numeric initializers matter: starting the fields as `undefined` changes
    // V8's field representation and makes sha256 3x slower (measured).
    A = 0;
    B = 0;
    C = 0;
    D = 0;
    E = 0;
    F = 0;
    G = 0;
    H = 0;
    constructor(outputLen, IV) {
      super(64, outputLen, 8, false);
      this.A = IV[0] | 0;
      this.B = IV[1] | 0;
      this.C = IV[2] | 0;
      this.D = IV[3] | 0;
      this.E = IV[4] | 0;
      this.F = IV[5] | 0;
      this.G = IV[6] | 0;
      this.H = IV[7] | 0;
    }
    get() {
      const { A, B, C, D, E, F, G, H } = this;
      return [A, B, C, D, E, F, G, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G | 0;
      this.H = H | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SHA256_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T1 = H + sigma1 + Chi(E, F, G) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T2 = sigma0 + Maj(A, B, C) | 0;
        H = G;
        G = F;
        F = E;
        E = D + T1 | 0;
        D = C;
        C = B;
        B = A;
        A = T1 + T2 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G = G + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.destroyed = true;
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32, SHA256_IV);
    }
  };
  var K512 = /* @__PURE__ */ (() => split([
    "0x428a2f98d728ae22",
    "0x7137449123ef65cd",
    "0xb5c0fbcfec4d3b2f",
    "0xe9b5dba58189dbbc",
    "0x3956c25bf348b538",
    "0x59f111f1b605d019",
    "0x923f82a4af194f9b",
    "0xab1c5ed5da6d8118",
    "0xd807aa98a3030242",
    "0x12835b0145706fbe",
    "0x243185be4ee4b28c",
    "0x550c7dc3d5ffb4e2",
    "0x72be5d74f27b896f",
    "0x80deb1fe3b1696b1",
    "0x9bdc06a725c71235",
    "0xc19bf174cf692694",
    "0xe49b69c19ef14ad2",
    "0xefbe4786384f25e3",
    "0x0fc19dc68b8cd5b5",
    "0x240ca1cc77ac9c65",
    "0x2de92c6f592b0275",
    "0x4a7484aa6ea6e483",
    "0x5cb0a9dcbd41fbd4",
    "0x76f988da831153b5",
    "0x983e5152ee66dfab",
    "0xa831c66d2db43210",
    "0xb00327c898fb213f",
    "0xbf597fc7beef0ee4",
    "0xc6e00bf33da88fc2",
    "0xd5a79147930aa725",
    "0x06ca6351e003826f",
    "0x142929670a0e6e70",
    "0x27b70a8546d22ffc",
    "0x2e1b21385c26c926",
    "0x4d2c6dfc5ac42aed",
    "0x53380d139d95b3df",
    "0x650a73548baf63de",
    "0x766a0abb3c77b2a8",
    "0x81c2c92e47edaee6",
    "0x92722c851482353b",
    "0xa2bfe8a14cf10364",
    "0xa81a664bbc423001",
    "0xc24b8b70d0f89791",
    "0xc76c51a30654be30",
    "0xd192e819d6ef5218",
    "0xd69906245565a910",
    "0xf40e35855771202a",
    "0x106aa07032bbd1b8",
    "0x19a4c116b8d2d0c8",
    "0x1e376c085141ab53",
    "0x2748774cdf8eeb99",
    "0x34b0bcb5e19b48a8",
    "0x391c0cb3c5c95a63",
    "0x4ed8aa4ae3418acb",
    "0x5b9cca4f7763e373",
    "0x682e6ff3d6b2b8a3",
    "0x748f82ee5defb2fc",
    "0x78a5636f43172f60",
    "0x84c87814a1f0ab72",
    "0x8cc702081a6439ec",
    "0x90befffa23631e28",
    "0xa4506cebde82bde9",
    "0xbef9a3f7b2c67915",
    "0xc67178f2e372532b",
    "0xca273eceea26619c",
    "0xd186b8c721c0c207",
    "0xeada7dd6cde0eb1e",
    "0xf57d4f7fee6ed178",
    "0x06f067aa72176fba",
    "0x0a637dc5a2c898a6",
    "0x113f9804bef90dae",
    "0x1b710b35131c471b",
    "0x28db77f523047d84",
    "0x32caab7b40c72493",
    "0x3c9ebe0a15c9bebc",
    "0x431d67c49c100d4c",
    "0x4cc5d4becb3e42b6",
    "0x597f299cfc657e2a",
    "0x5fcb6fab3ad6faec",
    "0x6c44198c4a475817"
  ].map((n) => BigInt(n))))();
  var SHA512_Kh = /* @__PURE__ */ (() => K512[0])();
  var SHA512_Kl = /* @__PURE__ */ (() => K512[1])();
  var SHA512_W_H = /* @__PURE__ */ new Uint32Array(80);
  var SHA512_W_L = /* @__PURE__ */ new Uint32Array(80);
  var SHA2_64B = class extends HashMD {
    // We cannot use array here since array allows indexing by variable
    // which means optimizer/compiler cannot use registers.
    // h -- high 32 bits, l -- low 32 bits
    // Numeric initializers matter: starting the fields as `undefined` changes
    // V8's field representation and slows hashing down (measured on sha256).
    Ah = 0;
    Al = 0;
    Bh = 0;
    Bl = 0;
    Ch = 0;
    Cl = 0;
    Dh = 0;
    Dl = 0;
    Eh = 0;
    El = 0;
    Fh = 0;
    Fl = 0;
    Gh = 0;
    Gl = 0;
    Hh = 0;
    Hl = 0;
    constructor(outputLen, IV) {
      super(128, outputLen, 16, false);
      this.Ah = IV[0] | 0;
      this.Al = IV[1] | 0;
      this.Bh = IV[2] | 0;
      this.Bl = IV[3] | 0;
      this.Ch = IV[4] | 0;
      this.Cl = IV[5] | 0;
      this.Dh = IV[6] | 0;
      this.Dl = IV[7] | 0;
      this.Eh = IV[8] | 0;
      this.El = IV[9] | 0;
      this.Fh = IV[10] | 0;
      this.Fl = IV[11] | 0;
      this.Gh = IV[12] | 0;
      this.Gl = IV[13] | 0;
      this.Hh = IV[14] | 0;
      this.Hl = IV[15] | 0;
    }
    // prettier-ignore
    get() {
      const { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      return [Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl];
    }
    // prettier-ignore
    set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl) {
      this.Ah = Ah | 0;
      this.Al = Al | 0;
      this.Bh = Bh | 0;
      this.Bl = Bl | 0;
      this.Ch = Ch | 0;
      this.Cl = Cl | 0;
      this.Dh = Dh | 0;
      this.Dl = Dl | 0;
      this.Eh = Eh | 0;
      this.El = El | 0;
      this.Fh = Fh | 0;
      this.Fl = Fl | 0;
      this.Gh = Gh | 0;
      this.Gl = Gl | 0;
      this.Hh = Hh | 0;
      this.Hl = Hl | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4) {
        SHA512_W_H[i] = view.getUint32(offset);
        SHA512_W_L[i] = view.getUint32(offset += 4);
      }
      for (let i = 16; i < 80; i++) {
        const W15h = SHA512_W_H[i - 15] | 0;
        const W15l = SHA512_W_L[i - 15] | 0;
        const s0h = rotrSH(W15h, W15l, 1) ^ rotrSH(W15h, W15l, 8) ^ shrSH(W15h, W15l, 7);
        const s0l = rotrSL(W15h, W15l, 1) ^ rotrSL(W15h, W15l, 8) ^ shrSL(W15h, W15l, 7);
        const W2h = SHA512_W_H[i - 2] | 0;
        const W2l = SHA512_W_L[i - 2] | 0;
        const s1h = rotrSH(W2h, W2l, 19) ^ rotrBH(W2h, W2l, 61) ^ shrSH(W2h, W2l, 6);
        const s1l = rotrSL(W2h, W2l, 19) ^ rotrBL(W2h, W2l, 61) ^ shrSL(W2h, W2l, 6);
        const SUMl = add4L(s0l, s1l, SHA512_W_L[i - 7], SHA512_W_L[i - 16]);
        const SUMh = add4H(SUMl, s0h, s1h, SHA512_W_H[i - 7], SHA512_W_H[i - 16]);
        SHA512_W_H[i] = SUMh | 0;
        SHA512_W_L[i] = SUMl | 0;
      }
      let { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      for (let i = 0; i < 80; i++) {
        const sigma1h = rotrSH(Eh, El, 14) ^ rotrSH(Eh, El, 18) ^ rotrBH(Eh, El, 41);
        const sigma1l = rotrSL(Eh, El, 14) ^ rotrSL(Eh, El, 18) ^ rotrBL(Eh, El, 41);
        const CHIh = Eh & Fh ^ ~Eh & Gh;
        const CHIl = El & Fl ^ ~El & Gl;
        const T1ll = add5L(Hl, sigma1l, CHIl, SHA512_Kl[i], SHA512_W_L[i]);
        const T1h = add5H(T1ll, Hh, sigma1h, CHIh, SHA512_Kh[i], SHA512_W_H[i]);
        const T1l = T1ll | 0;
        const sigma0h = rotrSH(Ah, Al, 28) ^ rotrBH(Ah, Al, 34) ^ rotrBH(Ah, Al, 39);
        const sigma0l = rotrSL(Ah, Al, 28) ^ rotrBL(Ah, Al, 34) ^ rotrBL(Ah, Al, 39);
        const MAJh = Ah & Bh ^ Ah & Ch ^ Bh & Ch;
        const MAJl = Al & Bl ^ Al & Cl ^ Bl & Cl;
        Hh = Gh | 0;
        Hl = Gl | 0;
        Gh = Fh | 0;
        Gl = Fl | 0;
        Fh = Eh | 0;
        Fl = El | 0;
        ({ h: Eh, l: El } = add(Dh | 0, Dl | 0, T1h | 0, T1l | 0));
        Dh = Ch | 0;
        Dl = Cl | 0;
        Ch = Bh | 0;
        Cl = Bl | 0;
        Bh = Ah | 0;
        Bl = Al | 0;
        const All = add3L(T1l, sigma0l, MAJl);
        Ah = add3H(All, T1h, sigma0h, MAJh);
        Al = All | 0;
      }
      ({ h: Ah, l: Al } = add(this.Ah | 0, this.Al | 0, Ah | 0, Al | 0));
      ({ h: Bh, l: Bl } = add(this.Bh | 0, this.Bl | 0, Bh | 0, Bl | 0));
      ({ h: Ch, l: Cl } = add(this.Ch | 0, this.Cl | 0, Ch | 0, Cl | 0));
      ({ h: Dh, l: Dl } = add(this.Dh | 0, this.Dl | 0, Dh | 0, Dl | 0));
      ({ h: Eh, l: El } = add(this.Eh | 0, this.El | 0, Eh | 0, El | 0));
      ({ h: Fh, l: Fl } = add(this.Fh | 0, this.Fl | 0, Fh | 0, Fl | 0));
      ({ h: Gh, l: Gl } = add(this.Gh | 0, this.Gl | 0, Gh | 0, Gl | 0));
      ({ h: Hh, l: Hl } = add(this.Hh | 0, this.Hl | 0, Hh | 0, Hl | 0));
      this.set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl);
    }
    roundClean() {
      clean(SHA512_W_H, SHA512_W_L);
    }
    destroy() {
      this.destroyed = true;
      clean(this.buffer);
      this.set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  };
  var _SHA512 = class extends SHA2_64B {
    constructor() {
      super(64, SHA512_IV);
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );
  var sha512 = /* @__PURE__ */ createHasher(
    () => new _SHA512(),
    /* @__PURE__ */ oidNist(3)
  );

  // node_modules/hash-wasm/dist/index.esm.js
  /*!
   * hash-wasm (https://www.npmjs.com/package/hash-wasm)
   * (c) Dani Biro
   * @license MIT
   */
  function __awaiter(thisArg, _arguments, P, generator) {
    function adopt(value) {
      return value instanceof P ? value : new P(function(resolve) {
        resolve(value);
      });
    }
    return new (P || (P = Promise))(function(resolve, reject) {
      function fulfilled(value) {
        try {
          step(generator.next(value));
        } catch (e) {
          reject(e);
        }
      }
      function rejected(value) {
        try {
          step(generator["throw"](value));
        } catch (e) {
          reject(e);
        }
      }
      function step(result) {
        result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected);
      }
      step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
  }
  var Mutex = class {
    constructor() {
      this.mutex = Promise.resolve();
    }
    lock() {
      let begin = () => {
      };
      this.mutex = this.mutex.then(() => new Promise(begin));
      return new Promise((res) => {
        begin = res;
      });
    }
    dispatch(fn) {
      return __awaiter(this, void 0, void 0, function* () {
        const unlock = yield this.lock();
        try {
          return yield Promise.resolve(fn());
        } finally {
          unlock();
        }
      });
    }
  };
  var _a;
  function getGlobal() {
    if (typeof globalThis !== "undefined")
      return globalThis;
    if (typeof self !== "undefined")
      return self;
    if (typeof window !== "undefined")
      return window;
    return global;
  }
  var globalObject = getGlobal();
  var nodeBuffer = (_a = globalObject.Buffer) !== null && _a !== void 0 ? _a : null;
  var textEncoder = globalObject.TextEncoder ? new globalObject.TextEncoder() : null;
  function hexCharCodesToInt(a, b) {
    return (a & 15) + (a >> 6 | a >> 3 & 8) << 4 | (b & 15) + (b >> 6 | b >> 3 & 8);
  }
  function writeHexToUInt8(buf, str) {
    const size2 = str.length >> 1;
    for (let i = 0; i < size2; i++) {
      const index = i << 1;
      buf[i] = hexCharCodesToInt(str.charCodeAt(index), str.charCodeAt(index + 1));
    }
  }
  function hexStringEqualsUInt8(str, buf) {
    if (str.length !== buf.length * 2) {
      return false;
    }
    for (let i = 0; i < buf.length; i++) {
      const strIndex = i << 1;
      if (buf[i] !== hexCharCodesToInt(str.charCodeAt(strIndex), str.charCodeAt(strIndex + 1))) {
        return false;
      }
    }
    return true;
  }
  var alpha = "a".charCodeAt(0) - 10;
  var digit = "0".charCodeAt(0);
  function getDigestHex(tmpBuffer, input, hashLength) {
    let p = 0;
    for (let i = 0; i < hashLength; i++) {
      let nibble = input[i] >>> 4;
      tmpBuffer[p++] = nibble > 9 ? nibble + alpha : nibble + digit;
      nibble = input[i] & 15;
      tmpBuffer[p++] = nibble > 9 ? nibble + alpha : nibble + digit;
    }
    return String.fromCharCode.apply(null, tmpBuffer);
  }
  var getUInt8Buffer = nodeBuffer !== null ? (data2) => {
    if (typeof data2 === "string") {
      const buf = nodeBuffer.from(data2, "utf8");
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    }
    if (nodeBuffer.isBuffer(data2)) {
      return new Uint8Array(data2.buffer, data2.byteOffset, data2.length);
    }
    if (ArrayBuffer.isView(data2)) {
      return new Uint8Array(data2.buffer, data2.byteOffset, data2.byteLength);
    }
    throw new Error("Invalid data type!");
  } : (data2) => {
    if (typeof data2 === "string") {
      return textEncoder.encode(data2);
    }
    if (ArrayBuffer.isView(data2)) {
      return new Uint8Array(data2.buffer, data2.byteOffset, data2.byteLength);
    }
    throw new Error("Invalid data type!");
  };
  var base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var base64Lookup = new Uint8Array(256);
  for (let i = 0; i < base64Chars.length; i++) {
    base64Lookup[base64Chars.charCodeAt(i)] = i;
  }
  function getDecodeBase64Length(data2) {
    let bufferLength = Math.floor(data2.length * 0.75);
    const len = data2.length;
    if (data2[len - 1] === "=") {
      bufferLength -= 1;
      if (data2[len - 2] === "=") {
        bufferLength -= 1;
      }
    }
    return bufferLength;
  }
  function decodeBase64(data2) {
    const bufferLength = getDecodeBase64Length(data2);
    const len = data2.length;
    const bytes = new Uint8Array(bufferLength);
    let p = 0;
    for (let i = 0; i < len; i += 4) {
      const encoded1 = base64Lookup[data2.charCodeAt(i)];
      const encoded2 = base64Lookup[data2.charCodeAt(i + 1)];
      const encoded3 = base64Lookup[data2.charCodeAt(i + 2)];
      const encoded4 = base64Lookup[data2.charCodeAt(i + 3)];
      bytes[p] = encoded1 << 2 | encoded2 >> 4;
      p += 1;
      bytes[p] = (encoded2 & 15) << 4 | encoded3 >> 2;
      p += 1;
      bytes[p] = (encoded3 & 3) << 6 | encoded4 & 63;
      p += 1;
    }
    return bytes;
  }
  var MAX_HEAP = 16 * 1024;
  var WASM_FUNC_HASH_LENGTH = 4;
  var wasmMutex = new Mutex();
  var wasmModuleCache = /* @__PURE__ */ new Map();
  function WASMInterface(binary, hashLength) {
    return __awaiter(this, void 0, void 0, function* () {
      let wasmInstance = null;
      let memoryView = null;
      let initialized = false;
      if (typeof WebAssembly === "undefined") {
        throw new Error("WebAssembly is not supported in this environment!");
      }
      const writeMemory = (data2, offset = 0) => {
        memoryView.set(data2, offset);
      };
      const getMemory = () => memoryView;
      const getExports = () => wasmInstance.exports;
      const setMemorySize = (totalSize) => {
        wasmInstance.exports.Hash_SetMemorySize(totalSize);
        const arrayOffset = wasmInstance.exports.Hash_GetBuffer();
        const memoryBuffer = wasmInstance.exports.memory.buffer;
        memoryView = new Uint8Array(memoryBuffer, arrayOffset, totalSize);
      };
      const getStateSize = () => {
        const view = new DataView(wasmInstance.exports.memory.buffer);
        const stateSize = view.getUint32(wasmInstance.exports.STATE_SIZE, true);
        return stateSize;
      };
      const loadWASMPromise = wasmMutex.dispatch(() => __awaiter(this, void 0, void 0, function* () {
        if (!wasmModuleCache.has(binary.name)) {
          const asm = decodeBase64(binary.data);
          const promise = WebAssembly.compile(asm.buffer);
          wasmModuleCache.set(binary.name, promise);
        }
        const module = yield wasmModuleCache.get(binary.name);
        wasmInstance = yield WebAssembly.instantiate(module, {
          // env: {
          //   emscripten_memcpy_big: (dest, src, num) => {
          //     const memoryBuffer = wasmInstance.exports.memory.buffer;
          //     const memView = new Uint8Array(memoryBuffer, 0);
          //     memView.set(memView.subarray(src, src + num), dest);
          //   },
          //   print_memory: (offset, len) => {
          //     const memoryBuffer = wasmInstance.exports.memory.buffer;
          //     const memView = new Uint8Array(memoryBuffer, 0);
          //     console.log('print_int32', memView.subarray(offset, offset + len));
          //   },
          // },
        });
      }));
      const setupInterface = () => __awaiter(this, void 0, void 0, function* () {
        if (!wasmInstance) {
          yield loadWASMPromise;
        }
        const arrayOffset = wasmInstance.exports.Hash_GetBuffer();
        const memoryBuffer = wasmInstance.exports.memory.buffer;
        memoryView = new Uint8Array(memoryBuffer, arrayOffset, MAX_HEAP);
      });
      const init = (bits = null) => {
        initialized = true;
        wasmInstance.exports.Hash_Init(bits);
      };
      const updateUInt8Array = (data2) => {
        let read = 0;
        while (read < data2.length) {
          const chunk = data2.subarray(read, read + MAX_HEAP);
          read += chunk.length;
          memoryView.set(chunk);
          wasmInstance.exports.Hash_Update(chunk.length);
        }
      };
      const update2 = (data2) => {
        if (!initialized) {
          throw new Error("update() called before init()");
        }
        const Uint8Buffer = getUInt8Buffer(data2);
        updateUInt8Array(Uint8Buffer);
      };
      const digestChars = new Uint8Array(hashLength * 2);
      const digest = (outputType, padding = null) => {
        if (!initialized) {
          throw new Error("digest() called before init()");
        }
        initialized = false;
        wasmInstance.exports.Hash_Final(padding);
        if (outputType === "binary") {
          return memoryView.slice(0, hashLength);
        }
        return getDigestHex(digestChars, memoryView, hashLength);
      };
      const save = () => {
        if (!initialized) {
          throw new Error("save() can only be called after init() and before digest()");
        }
        const stateOffset = wasmInstance.exports.Hash_GetState();
        const stateLength = getStateSize();
        const memoryBuffer = wasmInstance.exports.memory.buffer;
        const internalState = new Uint8Array(memoryBuffer, stateOffset, stateLength);
        const prefixedState = new Uint8Array(WASM_FUNC_HASH_LENGTH + stateLength);
        writeHexToUInt8(prefixedState, binary.hash);
        prefixedState.set(internalState, WASM_FUNC_HASH_LENGTH);
        return prefixedState;
      };
      const load = (state2) => {
        if (!(state2 instanceof Uint8Array)) {
          throw new Error("load() expects an Uint8Array generated by save()");
        }
        const stateOffset = wasmInstance.exports.Hash_GetState();
        const stateLength = getStateSize();
        const overallLength = WASM_FUNC_HASH_LENGTH + stateLength;
        const memoryBuffer = wasmInstance.exports.memory.buffer;
        if (state2.length !== overallLength) {
          throw new Error(`Bad state length (expected ${overallLength} bytes, got ${state2.length})`);
        }
        if (!hexStringEqualsUInt8(binary.hash, state2.subarray(0, WASM_FUNC_HASH_LENGTH))) {
          throw new Error("This state was written by an incompatible hash implementation");
        }
        const internalState = state2.subarray(WASM_FUNC_HASH_LENGTH);
        new Uint8Array(memoryBuffer, stateOffset, stateLength).set(internalState);
        initialized = true;
      };
      const isDataShort = (data2) => {
        if (typeof data2 === "string") {
          return data2.length < MAX_HEAP / 4;
        }
        return data2.byteLength < MAX_HEAP;
      };
      let canSimplify = isDataShort;
      switch (binary.name) {
        case "argon2":
        case "scrypt":
          canSimplify = () => true;
          break;
        case "blake2b":
        case "blake2s":
          canSimplify = (data2, initParam) => initParam <= 512 && isDataShort(data2);
          break;
        case "blake3":
          canSimplify = (data2, initParam) => initParam === 0 && isDataShort(data2);
          break;
        case "xxhash64":
        // cannot simplify
        case "xxhash3":
        case "xxhash128":
        case "crc64":
          canSimplify = () => false;
          break;
      }
      const calculate = (data2, initParam = null, digestParam = null) => {
        if (!canSimplify(data2, initParam)) {
          init(initParam);
          update2(data2);
          return digest("hex", digestParam);
        }
        const buffer = getUInt8Buffer(data2);
        memoryView.set(buffer);
        wasmInstance.exports.Hash_Calculate(buffer.length, initParam, digestParam);
        return getDigestHex(digestChars, memoryView, hashLength);
      };
      yield setupInterface();
      return {
        getMemory,
        writeMemory,
        getExports,
        setMemorySize,
        init,
        update: update2,
        digest,
        save,
        load,
        calculate,
        hashLength
      };
    });
  }
  var mutex$l = new Mutex();
  var mutex$k = new Mutex();
  var uint32View = new DataView(new ArrayBuffer(4));
  var mutex$j = new Mutex();
  var mutex$i = new Mutex();
  var mutex$h = new Mutex();
  var mutex$g = new Mutex();
  var polyBuffer = new Uint8Array(8);
  var mutex$f = new Mutex();
  var mutex$e = new Mutex();
  var mutex$d = new Mutex();
  var mutex$c = new Mutex();
  var mutex$b = new Mutex();
  var name$a = "sha256";
  var data$a = "AGFzbQEAAAABEQRgAAF/YAF/AGAAAGACf38AAwgHAAEBAQIAAwUEAQECAgYPAn8BQYCABAt/AEGAgAQLB4IBCQZtZW1vcnkCAA9fX3N0YWNrX3BvaW50ZXIDAA5IYXNoX0dldEJ1ZmZlcgAACUhhc2hfSW5pdAABC0hhc2hfVXBkYXRlAAIKSGFzaF9GaW5hbAAEDUhhc2hfR2V0U3RhdGUABQ5IYXNoX0NhbGN1bGF0ZQAGClNUQVRFX1NJWkUDAQqGSQcGAEGAgQQLnQEAQQBCADcDwIEFQQBBHEEgIABB4AFGIgAbNgLogQVBAEKnn+anxvST/b5/Qquzj/yRo7Pw2wAgABs3A+CBBUEAQrGWgP6fooWs6ABC/6S5iMWR2oKbfyAAGzcD2IEFQQBCl7rDg5Onlod3QvLmu+Ojp/2npX8gABs3A9CBBUEAQti9loj8oLW+NkLnzKfQ1tDrs7t/IAAbNwPIgQUL9wICAX4Hf0EAQQApA8CBBSIBIACtfDcDwIEFAkACQAJAIAGnQT9xIgINAEGAgQQhAwwBCyAAQcAAIAJrIgRJIQUCQCAARQ0AIAAgBCAFGyIDQQNxIQYgAkGAgQVqIQdBACECAkAgA0EESQ0AIANB/ABxIQhBACECA0AgByACaiIDIAJBgIEEai0AADoAACADQQFqIAJBgYEEai0AADoAACADQQJqIAJBgoEEai0AADoAACADQQNqIAJBg4EEai0AADoAACAIIAJBBGoiAkcNAAsgBkUNAQsDQCAHIAJqIAJBgIEEai0AADoAACACQQFqIQIgBkF/aiIGDQALCyAFDQFBgIEFEAMgACAEayEAIARBgIEEaiEDCwJAIABBwABJDQADQCADEAMgA0HAAGohAyAAQUBqIgBBP0sNAAsLIABFDQBBACEGQQAhAgNAIAJBgIEFaiADIAJqLQAAOgAAIAJBAWohAiAAIAZBAWoiBkH/AXFLDQALCwuDPQFFf0EAIAAoAjwiAUH/gfwHcUEIeCABQRh4Qf+B/AdxciIBQRl3IAFBDndzIAFBA3ZzIAAoAjgiAkH/gfwHcUEIeCACQRh4Qf+B/AdxciICaiAAKAIgIgNB/4H8B3FBCHggA0EYeEH/gfwHcXIiBEEZdyAEQQ53cyAEQQN2cyAAKAIcIgNB/4H8B3FBCHggA0EYeEH/gfwHcXIiBWogACgCBCIDQf+B/AdxQQh4IANBGHhB/4H8B3FyIgZBGXcgBkEOd3MgBkEDdnMgACgCACIDQf+B/AdxQQh4IANBGHhB/4H8B3FyIgdqIAAoAiQiA0H/gfwHcUEIeCADQRh4Qf+B/AdxciIIaiACQQ93IAJBDXdzIAJBCnZzaiIDaiAAKAIYIglB/4H8B3FBCHggCUEYeEH/gfwHcXIiCkEZdyAKQQ53cyAKQQN2cyAAKAIUIglB/4H8B3FBCHggCUEYeEH/gfwHcXIiC2ogAmogACgCECIJQf+B/AdxQQh4IAlBGHhB/4H8B3FyIgxBGXcgDEEOd3MgDEEDdnMgACgCDCIJQf+B/AdxQQh4IAlBGHhB/4H8B3FyIg1qIAAoAjAiCUH/gfwHcUEIeCAJQRh4Qf+B/AdxciIOaiAAKAIIIglB/4H8B3FBCHggCUEYeEH/gfwHcXIiD0EZdyAPQQ53cyAPQQN2cyAGaiAAKAIoIglB/4H8B3FBCHggCUEYeEH/gfwHcXIiEGogAUEPdyABQQ13cyABQQp2c2oiCUEPdyAJQQ13cyAJQQp2c2oiEUEPdyARQQ13cyARQQp2c2oiEkEPdyASQQ13cyASQQp2c2oiE2ogACgCNCIUQf+B/AdxQQh4IBRBGHhB/4H8B3FyIhVBGXcgFUEOd3MgFUEDdnMgDmogEmogACgCLCIAQf+B/AdxQQh4IABBGHhB/4H8B3FyIhZBGXcgFkEOd3MgFkEDdnMgEGogEWogCEEZdyAIQQ53cyAIQQN2cyAEaiAJaiAFQRl3IAVBDndzIAVBA3ZzIApqIAFqIAtBGXcgC0EOd3MgC0EDdnMgDGogFWogDUEZdyANQQ53cyANQQN2cyAPaiAWaiADQQ93IANBDXdzIANBCnZzaiIUQQ93IBRBDXdzIBRBCnZzaiIXQQ93IBdBDXdzIBdBCnZzaiIYQQ93IBhBDXdzIBhBCnZzaiIZQQ93IBlBDXdzIBlBCnZzaiIaQQ93IBpBDXdzIBpBCnZzaiIbQQ93IBtBDXdzIBtBCnZzaiIcQRl3IBxBDndzIBxBA3ZzIAJBGXcgAkEOd3MgAkEDdnMgFWogGGogDkEZdyAOQQ53cyAOQQN2cyAWaiAXaiAQQRl3IBBBDndzIBBBA3ZzIAhqIBRqIBNBD3cgE0ENd3MgE0EKdnNqIh1BD3cgHUENd3MgHUEKdnNqIh5BD3cgHkENd3MgHkEKdnNqIh9qIBNBGXcgE0EOd3MgE0EDdnMgGGogA0EZdyADQQ53cyADQQN2cyABaiAZaiAfQQ93IB9BDXdzIB9BCnZzaiIgaiASQRl3IBJBDndzIBJBA3ZzIBdqIB9qIBFBGXcgEUEOd3MgEUEDdnMgFGogHmogCUEZdyAJQQ53cyAJQQN2cyADaiAdaiAcQQ93IBxBDXdzIBxBCnZzaiIhQQ93ICFBDXdzICFBCnZzaiIiQQ93ICJBDXdzICJBCnZzaiIjQQ93ICNBDXdzICNBCnZzaiIkaiAbQRl3IBtBDndzIBtBA3ZzIB5qICNqIBpBGXcgGkEOd3MgGkEDdnMgHWogImogGUEZdyAZQQ53cyAZQQN2cyATaiAhaiAYQRl3IBhBDndzIBhBA3ZzIBJqIBxqIBdBGXcgF0EOd3MgF0EDdnMgEWogG2ogFEEZdyAUQQ53cyAUQQN2cyAJaiAaaiAgQQ93ICBBDXdzICBBCnZzaiIlQQ93ICVBDXdzICVBCnZzaiImQQ93ICZBDXdzICZBCnZzaiInQQ93ICdBDXdzICdBCnZzaiIoQQ93IChBDXdzIChBCnZzaiIpQQ93IClBDXdzIClBCnZzaiIqQQ93ICpBDXdzICpBCnZzaiIrQRl3ICtBDndzICtBA3ZzIB9BGXcgH0EOd3MgH0EDdnMgG2ogJ2ogHkEZdyAeQQ53cyAeQQN2cyAaaiAmaiAdQRl3IB1BDndzIB1BA3ZzIBlqICVqICRBD3cgJEENd3MgJEEKdnNqIixBD3cgLEENd3MgLEEKdnNqIi1BD3cgLUENd3MgLUEKdnNqIi5qICRBGXcgJEEOd3MgJEEDdnMgJ2ogIEEZdyAgQQ53cyAgQQN2cyAcaiAoaiAuQQ93IC5BDXdzIC5BCnZzaiIvaiAjQRl3ICNBDndzICNBA3ZzICZqIC5qICJBGXcgIkEOd3MgIkEDdnMgJWogLWogIUEZdyAhQQ53cyAhQQN2cyAgaiAsaiArQQ93ICtBDXdzICtBCnZzaiIwQQ93IDBBDXdzIDBBCnZzaiIxQQ93IDFBDXdzIDFBCnZzaiIyQQ93IDJBDXdzIDJBCnZzaiIzaiAqQRl3ICpBDndzICpBA3ZzIC1qIDJqIClBGXcgKUEOd3MgKUEDdnMgLGogMWogKEEZdyAoQQ53cyAoQQN2cyAkaiAwaiAnQRl3ICdBDndzICdBA3ZzICNqICtqICZBGXcgJkEOd3MgJkEDdnMgImogKmogJUEZdyAlQQ53cyAlQQN2cyAhaiApaiAvQQ93IC9BDXdzIC9BCnZzaiI0QQ93IDRBDXdzIDRBCnZzaiI1QQ93IDVBDXdzIDVBCnZzaiI2QQ93IDZBDXdzIDZBCnZzaiI3QQ93IDdBDXdzIDdBCnZzaiI4QQ93IDhBDXdzIDhBCnZzaiI5QQ93IDlBDXdzIDlBCnZzaiI6IDggNCAuICwgISAbIBkgAyAOIARBACgC2IEFIjtBGncgO0EVd3MgO0EHd3NBACgC5IEFIjxqQQAoAuCBBSI9QQAoAtyBBSI+cyA7cSA9c2ogB2pBmN+olARqIgdBACgC1IEFIj9qIgAgDGogOyANaiA+IA9qID0gBmogACA+IDtzcSA+c2ogAEEadyAAQRV3cyAAQQd3c2pBkYndiQdqIkBBACgC0IEFIkFqIgwgACA7c3EgO3NqIAxBGncgDEEVd3MgDEEHd3NqQc/3g657aiJCQQAoAsyBBSJDaiINIAwgAHNxIABzaiANQRp3IA1BFXdzIA1BB3dzakGlt9fNfmoiREEAKALIgQUiAGoiDyANIAxzcSAMc2ogD0EadyAPQRV3cyAPQQd3c2pB24TbygNqIkUgQSBDIABzcSBDIABxcyAAQR53IABBE3dzIABBCndzaiAHaiIGaiIHaiAFIA9qIAogDWogCyAMaiAHIA8gDXNxIA1zaiAHQRp3IAdBFXdzIAdBB3dzakHxo8TPBWoiCiAGIABzIENxIAYgAHFzIAZBHncgBkETd3MgBkEKd3NqIEBqIgxqIgQgByAPc3EgD3NqIARBGncgBEEVd3MgBEEHd3NqQaSF/pF5aiILIAwgBnMgAHEgDCAGcXMgDEEedyAMQRN3cyAMQQp3c2ogQmoiDWoiDyAEIAdzcSAHc2ogD0EadyAPQRV3cyAPQQd3c2pB1b3x2HpqIkAgDSAMcyAGcSANIAxxcyANQR53IA1BE3dzIA1BCndzaiBEaiIGaiIHIA8gBHNxIARzaiAHQRp3IAdBFXdzIAdBB3dzakGY1Z7AfWoiQiAGIA1zIAxxIAYgDXFzIAZBHncgBkETd3MgBkEKd3NqIEVqIgxqIgVqIBYgB2ogECAPaiAIIARqIAUgByAPc3EgD3NqIAVBGncgBUEVd3MgBUEHd3NqQYG2jZQBaiIIIAwgBnMgDXEgDCAGcXMgDEEedyAMQRN3cyAMQQp3c2ogCmoiDWoiDyAFIAdzcSAHc2ogD0EadyAPQRV3cyAPQQd3c2pBvovGoQJqIg4gDSAMcyAGcSANIAxxcyANQR53IA1BE3dzIA1BCndzaiALaiIGaiIHIA8gBXNxIAVzaiAHQRp3IAdBFXdzIAdBB3dzakHD+7GoBWoiECAGIA1zIAxxIAYgDXFzIAZBHncgBkETd3MgBkEKd3NqIEBqIgxqIgQgByAPc3EgD3NqIARBGncgBEEVd3MgBEEHd3NqQfS6+ZUHaiIWIAwgBnMgDXEgDCAGcXMgDEEedyAMQRN3cyAMQQp3c2ogQmoiDWoiBWogASAEaiACIAdqIBUgD2ogBSAEIAdzcSAHc2ogBUEadyAFQRV3cyAFQQd3c2pB/uP6hnhqIgcgDSAMcyAGcSANIAxxcyANQR53IA1BE3dzIA1BCndzaiAIaiIBaiIGIAUgBHNxIARzaiAGQRp3IAZBFXdzIAZBB3dzakGnjfDeeWoiBCABIA1zIAxxIAEgDXFzIAFBHncgAUETd3MgAUEKd3NqIA5qIgJqIgwgBiAFc3EgBXNqIAxBGncgDEEVd3MgDEEHd3NqQfTi74x8aiIFIAIgAXMgDXEgAiABcXMgAkEedyACQRN3cyACQQp3c2ogEGoiA2oiDSAMIAZzcSAGc2ogDUEadyANQRV3cyANQQd3c2pBwdPtpH5qIgggAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAWaiIBaiIPIBdqIBEgDWogFCAMaiAJIAZqIA8gDSAMc3EgDHNqIA9BGncgD0EVd3MgD0EHd3NqQYaP+f1+aiIGIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogB2oiAmoiCSAPIA1zcSANc2ogCUEadyAJQRV3cyAJQQd3c2pBxruG/gBqIgwgAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAEaiIDaiIRIAkgD3NxIA9zaiARQRp3IBFBFXdzIBFBB3dzakHMw7KgAmoiDSADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIAVqIgFqIhQgESAJc3EgCXNqIBRBGncgFEEVd3MgFEEHd3NqQe/YpO8CaiIPIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogCGoiAmoiF2ogEyAUaiAYIBFqIBIgCWogFyAUIBFzcSARc2ogF0EadyAXQRV3cyAXQQd3c2pBqonS0wRqIhggAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAGaiIDaiIJIBcgFHNxIBRzaiAJQRp3IAlBFXdzIAlBB3dzakHc08LlBWoiFCADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIAxqIgFqIhEgCSAXc3EgF3NqIBFBGncgEUEVd3MgEUEHd3NqQdqR5rcHaiIXIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogDWoiAmoiEiARIAlzcSAJc2ogEkEadyASQRV3cyASQQd3c2pB0qL5wXlqIhkgAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAPaiIDaiITaiAeIBJqIBogEWogHSAJaiATIBIgEXNxIBFzaiATQRp3IBNBFXdzIBNBB3dzakHtjMfBemoiGiADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIBhqIgFqIgkgEyASc3EgEnNqIAlBGncgCUEVd3MgCUEHd3NqQcjPjIB7aiIYIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogFGoiAmoiESAJIBNzcSATc2ogEUEadyARQRV3cyARQQd3c2pBx//l+ntqIhQgAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAXaiIDaiISIBEgCXNxIAlzaiASQRp3IBJBFXdzIBJBB3dzakHzl4C3fGoiFyADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIBlqIgFqIhNqICAgEmogHCARaiAfIAlqIBMgEiARc3EgEXNqIBNBGncgE0EVd3MgE0EHd3NqQceinq19aiIZIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogGmoiAmoiCSATIBJzcSASc2ogCUEadyAJQRV3cyAJQQd3c2pB0capNmoiGiACIAFzIANxIAIgAXFzIAJBHncgAkETd3MgAkEKd3NqIBhqIgNqIhEgCSATc3EgE3NqIBFBGncgEUEVd3MgEUEHd3NqQefSpKEBaiIYIAMgAnMgAXEgAyACcXMgA0EedyADQRN3cyADQQp3c2ogFGoiAWoiEiARIAlzcSAJc2ogEkEadyASQRV3cyASQQd3c2pBhZXcvQJqIhQgASADcyACcSABIANxcyABQR53IAFBE3dzIAFBCndzaiAXaiICaiITICNqICYgEmogIiARaiAlIAlqIBMgEiARc3EgEXNqIBNBGncgE0EVd3MgE0EHd3NqQbjC7PACaiIXIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogGWoiA2oiCSATIBJzcSASc2ogCUEadyAJQRV3cyAJQQd3c2pB/Nux6QRqIhkgAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAaaiIBaiIRIAkgE3NxIBNzaiARQRp3IBFBFXdzIBFBB3dzakGTmuCZBWoiGiABIANzIAJxIAEgA3FzIAFBHncgAUETd3MgAUEKd3NqIBhqIgJqIhIgESAJc3EgCXNqIBJBGncgEkEVd3MgEkEHd3NqQdTmqagGaiIYIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogFGoiA2oiE2ogKCASaiAkIBFqICcgCWogEyASIBFzcSARc2ogE0EadyATQRV3cyATQQd3c2pBu5WoswdqIhQgAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAXaiIBaiIJIBMgEnNxIBJzaiAJQRp3IAlBFXdzIAlBB3dzakGukouOeGoiFyABIANzIAJxIAEgA3FzIAFBHncgAUETd3MgAUEKd3NqIBlqIgJqIhEgCSATc3EgE3NqIBFBGncgEUEVd3MgEUEHd3NqQYXZyJN5aiIZIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogGmoiA2oiEiARIAlzcSAJc2ogEkEadyASQRV3cyASQQd3c2pBodH/lXpqIhogAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAYaiIBaiITaiAqIBJqIC0gEWogKSAJaiATIBIgEXNxIBFzaiATQRp3IBNBFXdzIBNBB3dzakHLzOnAemoiGCABIANzIAJxIAEgA3FzIAFBHncgAUETd3MgAUEKd3NqIBRqIgJqIgkgEyASc3EgEnNqIAlBGncgCUEVd3MgCUEHd3NqQfCWrpJ8aiIUIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogF2oiA2oiESAJIBNzcSATc2ogEUEadyARQRV3cyARQQd3c2pBo6Oxu3xqIhcgAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAZaiIBaiISIBEgCXNxIAlzaiASQRp3IBJBFXdzIBJBB3dzakGZ0MuMfWoiGSABIANzIAJxIAEgA3FzIAFBHncgAUETd3MgAUEKd3NqIBpqIgJqIhNqIDAgEmogLyARaiArIAlqIBMgEiARc3EgEXNqIBNBGncgE0EVd3MgE0EHd3NqQaSM5LR9aiIaIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogGGoiA2oiCSATIBJzcSASc2ogCUEadyAJQRV3cyAJQQd3c2pBheu4oH9qIhggAyACcyABcSADIAJxcyADQR53IANBE3dzIANBCndzaiAUaiIBaiIRIAkgE3NxIBNzaiARQRp3IBFBFXdzIBFBB3dzakHwwKqDAWoiFCABIANzIAJxIAEgA3FzIAFBHncgAUETd3MgAUEKd3NqIBdqIgJqIhIgESAJc3EgCXNqIBJBGncgEkEVd3MgEkEHd3NqQZaCk80BaiIXIAIgAXMgA3EgAiABcXMgAkEedyACQRN3cyACQQp3c2ogGWoiA2oiEyA2aiAyIBJqIDUgEWogMSAJaiATIBIgEXNxIBFzaiATQRp3IBNBFXdzIBNBB3dzakGI2N3xAWoiGSADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIBpqIgFqIgkgEyASc3EgEnNqIAlBGncgCUEVd3MgCUEHd3NqQczuoboCaiIaIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogGGoiAmoiESAJIBNzcSATc2ogEUEadyARQRV3cyARQQd3c2pBtfnCpQNqIhggAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAUaiIDaiISIBEgCXNxIAlzaiASQRp3IBJBFXdzIBJBB3dzakGzmfDIA2oiFCADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIBdqIgFqIhNqICxBGXcgLEEOd3MgLEEDdnMgKGogNGogM0EPdyAzQQ13cyAzQQp2c2oiFyASaiA3IBFqIDMgCWogEyASIBFzcSARc2ogE0EadyATQRV3cyATQQd3c2pBytTi9gRqIhsgASADcyACcSABIANxcyABQR53IAFBE3dzIAFBCndzaiAZaiICaiIJIBMgEnNxIBJzaiAJQRp3IAlBFXdzIAlBB3dzakHPlPPcBWoiGSACIAFzIANxIAIgAXFzIAJBHncgAkETd3MgAkEKd3NqIBpqIgNqIhEgCSATc3EgE3NqIBFBGncgEUEVd3MgEUEHd3NqQfPfucEGaiIaIAMgAnMgAXEgAyACcXMgA0EedyADQRN3cyADQQp3c2ogGGoiAWoiEiARIAlzcSAJc2ogEkEadyASQRV3cyASQQd3c2pB7oW+pAdqIhwgASADcyACcSABIANxcyABQR53IAFBE3dzIAFBCndzaiAUaiICaiITaiAuQRl3IC5BDndzIC5BA3ZzICpqIDZqIC1BGXcgLUEOd3MgLUEDdnMgKWogNWogF0EPdyAXQQ13cyAXQQp2c2oiFEEPdyAUQQ13cyAUQQp2c2oiGCASaiA5IBFqIBQgCWogEyASIBFzcSARc2ogE0EadyATQRV3cyATQQd3c2pB78aVxQdqIgkgAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAbaiIDaiIRIBMgEnNxIBJzaiARQRp3IBFBFXdzIBFBB3dzakGU8KGmeGoiGyADIAJzIAFxIAMgAnFzIANBHncgA0ETd3MgA0EKd3NqIBlqIgFqIhIgESATc3EgE3NqIBJBGncgEkEVd3MgEkEHd3NqQYiEnOZ4aiIZIAEgA3MgAnEgASADcXMgAUEedyABQRN3cyABQQp3c2ogGmoiAmoiEyASIBFzcSARc2ogE0EadyATQRV3cyATQQd3c2pB+v/7hXlqIhogAiABcyADcSACIAFxcyACQR53IAJBE3dzIAJBCndzaiAcaiIDaiIUIDxqNgLkgQVBACA/IAMgAnMgAXEgAyACcXMgA0EedyADQRN3cyADQQp3c2ogCWoiASADcyACcSABIANxcyABQR53IAFBE3dzIAFBCndzaiAbaiICIAFzIANxIAIgAXFzIAJBHncgAkETd3MgAkEKd3NqIBlqIgMgAnMgAXEgAyACcXMgA0EedyADQRN3cyADQQp3c2ogGmoiCWo2AtSBBUEAID0gL0EZdyAvQQ53cyAvQQN2cyAraiA3aiAYQQ93IBhBDXdzIBhBCnZzaiIYIBFqIBQgEyASc3EgEnNqIBRBGncgFEEVd3MgFEEHd3NqQevZwaJ6aiIZIAFqIhFqNgLggQVBACBBIAkgA3MgAnEgCSADcXMgCUEedyAJQRN3cyAJQQp3c2ogGWoiAWo2AtCBBUEAID4gMEEZdyAwQQ53cyAwQQN2cyAvaiAXaiA6QQ93IDpBDXdzIDpBCnZzaiASaiARIBQgE3NxIBNzaiARQRp3IBFBFXdzIBFBB3dzakH3x+b3e2oiFyACaiISajYC3IEFQQAgQyABIAlzIANxIAEgCXFzIAFBHncgAUETd3MgAUEKd3NqIBdqIgJqNgLMgQVBACA7IDRBGXcgNEEOd3MgNEEDdnMgMGogOGogGEEPdyAYQQ13cyAYQQp2c2ogE2ogEiARIBRzcSAUc2ogEkEadyASQRV3cyASQQd3c2pB8vHFs3xqIhEgA2pqNgLYgQVBACAAIAIgAXMgCXEgAiABcXMgAkEedyACQRN3cyACQQp3c2ogEWpqNgLIgQULswYCBH8BfkEAKALAgQUiAEECdkEPcSIBQQJ0IgIgAigCgIEFQX8gAEEDdCIAdEF/c3FBgAEgAHRzNgKAgQUCQAJAAkAgAUEOSQ0AAkAgAUEORw0AQQBBADYCvIEFC0GAgQUQA0EAIQIMAQsgAUENRg0BIAFBAWohAgsgAiEDAkBBBiACa0EHcSIARQ0AIAIgAGohAyACQQJ0QYCBBWohAQNAIAFBADYCACABQQRqIQEgAEF/aiIADQALCyACQXlqQQdJDQACQEEGIANrIgBBCHENACADQQJ0IgFCADcCmIEFIAFCADcCkIEFIAFCADcCiIEFIAFCADcCgIEFIABBCEkNASADQQhqIQMLIANBAnRBgIEFaiEBA0AgAUIANwIAIAFBOGpCADcCACABQTBqQgA3AgAgAUEoakIANwIAIAFBIGpCADcCACABQRhqQgA3AgAgAUEQakIANwIAIAFBCGpCADcCACABQcAAaiEBDAALC0EAIQBBAEEAKQPAgQUiBKdBA3QiAUH4gfwHcUEIeCABQRh4Qf+B/AdxcjYCvIEFQQAgBEIdiKciAUH/gfwHcUEIeCABQRh4Qf+B/AdxcjYCuIEFQYCBBRADQQBBACgC5IEFIgFB/4H8B3FBCHggAUEYeEH/gfwHcXI2AuSBBUEAQQAoAuCBBSIBQf+B/AdxQQh4IAFBGHhB/4H8B3FyNgLggQVBAEEAKALcgQUiAUH/gfwHcUEIeCABQRh4Qf+B/AdxcjYC3IEFQQBBACgC2IEFIgFB/4H8B3FBCHggAUEYeEH/gfwHcXI2AtiBBUEAQQAoAtSBBSIBQf+B/AdxQQh4IAFBGHhB/4H8B3FyNgLUgQVBAEEAKALQgQUiAUH/gfwHcUEIeCABQRh4Qf+B/AdxcjYC0IEFQQBBACgCzIEFIgFB/4H8B3FBCHggAUEYeEH/gfwHcXI2AsyBBUEAQQAoAsiBBSIBQf+B/AdxQQh4IAFBGHhB/4H8B3FyNgLIgQUCQEEAKALogQUiAkUNAEEAIQEDQCABQYCBBGogAUHIgQVqLQAAOgAAIAFBAWohASACIABBAWoiAEH/AXFLDQALCwsGAEGAgQULowEAQQBCADcDwIEFQQBBHEEgIAFB4AFGIgEbNgLogQVBAEKnn+anxvST/b5/Qquzj/yRo7Pw2wAgARs3A+CBBUEAQrGWgP6fooWs6ABC/6S5iMWR2oKbfyABGzcD2IEFQQBCl7rDg5Onlod3QvLmu+Ojp/2npX8gARs3A9CBBUEAQti9loj8oLW+NkLnzKfQ1tDrs7t/IAEbNwPIgQUgABACEAQLCwwBAEGAgAQLBHAAAAA=";
  var hash$a = "8ed695a3";
  var wasmJson$a = {
    name: name$a,
    data: data$a,
    hash: hash$a
  };
  var mutex$a = new Mutex();
  var mutex$9 = new Mutex();
  function createSHA256() {
    return WASMInterface(wasmJson$a, 32).then((wasm) => {
      wasm.init(256);
      const obj = {
        init: () => {
          wasm.init(256);
          return obj;
        },
        update: (data2) => {
          wasm.update(data2);
          return obj;
        },
        // biome-ignore lint/suspicious/noExplicitAny: Conflict with IHasher type
        digest: (outputType) => wasm.digest(outputType),
        save: () => wasm.save(),
        load: (data2) => {
          wasm.load(data2);
          return obj;
        },
        blockSize: 64,
        digestSize: 32
      };
      return obj;
    });
  }
  var mutex$8 = new Mutex();
  var mutex$7 = new Mutex();
  var mutex$6 = new Mutex();
  var mutex$5 = new Mutex();
  var seedBuffer$2 = new Uint8Array(8);
  var mutex$4 = new Mutex();
  var seedBuffer$1 = new Uint8Array(8);
  var mutex$3 = new Mutex();
  var seedBuffer = new Uint8Array(8);
  var mutex$2 = new Mutex();
  var mutex$1 = new Mutex();
  var mutex = new Mutex();

  // src/filehash.js
  async function fileHasher() {
    try {
      const h = await createSHA256();
      h.init();
      return { kind: "wasm", update: (data2) => h.update(data2), digest: () => h.digest("binary") };
    } catch (exc) {
      console.warn("ferry: no WebAssembly here, hashing in JavaScript:", exc && exc.message);
      const h = sha256.create();
      return { kind: "js", update: (data2) => h.update(data2), digest: () => h.digest() };
    }
  }

  // node_modules/@noble/ciphers/utils.js
  /*! noble-ciphers - MIT License (c) 2023 Paul Miller (paulmillr.com) */
  function isBytes2(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle2 = (title) => title ? `"${title}" ` : "";
  function abool(value, title = "") {
    if (typeof value !== "boolean")
      throw new TypeError(atitle2(title) + "expected boolean, got type=" + typeof value);
    return value;
  }
  function anumber2(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle2(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle2(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes2(value, length, title = "") {
    if (isBytes2(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber2(length, "length");
    const bytes = isBytes2(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message2 = atitle2(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message2);
    throw new RangeError(message2);
  }
  function aexists2(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput2(out, instance) {
    abytes2(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function aoutput32(out, instance) {
    aoutput2(out, instance);
    if (!isAligned32(out))
      throw new Error("invalid output, must be aligned");
  }
  function u8(arr) {
    return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function u32(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean2(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView2(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  var isLE = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
  function byteSwap(word) {
    return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
  }
  var swap8IfBE = isLE ? (n) => n : (n) => byteSwap(n) >>> 0;
  function byteSwap32(arr) {
    for (let i = 0; i < arr.length; i++) {
      arr[i] = byteSwap(arr[i]);
    }
    return arr;
  }
  var swap32IfBE = isLE ? (u) => u : byteSwap32;
  function equalBytes(a, b) {
    a = abytes2(a);
    b = abytes2(b);
    if (a.length !== b.length)
      return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++)
      diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function wrapMacConstructor(keyLen, macCons, fromMsg) {
    const mac = macCons;
    const getArgs = fromMsg || (() => []);
    const macC = (msg, key) => mac(key, ...getArgs(msg)).update(msg).digest();
    const tmp = mac(new Uint8Array(keyLen), ...getArgs(new Uint8Array(0)));
    macC.outputLen = tmp.outputLen;
    macC.blockLen = tmp.blockLen;
    macC.create = (key, ...args) => mac(key, ...args);
    return macC;
  }
  var wrapCipher = /* @__NO_SIDE_EFFECTS__ */ (params, constructor) => {
    function wrappedCipher(key, ...args) {
      abytes2(key, void 0, "key");
      if (params.nonceLength !== void 0) {
        const nonce2 = args[0];
        abytes2(nonce2, params.varSizeNonce ? void 0 : params.nonceLength, "nonce");
      }
      const tagl = params.tagLength;
      const aadStart = params.nonceLength !== void 0 ? 1 : 0;
      if (!params.withAAD) {
        for (let i = aadStart; i < args.length; i++)
          if (isBytes2(args[i]))
            throw new Error("AAD not supported");
      }
      if (params.withAAD && args[aadStart] !== void 0)
        abytes2(args[aadStart], void 0, "AAD");
      const cipher = constructor(key, ...args);
      const checkOutput = (fnLength, output) => {
        if (output !== void 0) {
          if (fnLength !== 2)
            throw new Error("cipher output not supported");
          abytes2(output, void 0, "output");
        }
      };
      let called = false;
      const wrCipher = {
        encrypt(data2, output) {
          if (called)
            throw new Error("cannot encrypt() twice with same key + nonce");
          called = true;
          abytes2(data2, void 0, "data");
          checkOutput(cipher.encrypt.length, output);
          return cipher.encrypt(data2, output);
        },
        decrypt(data2, output) {
          abytes2(data2, void 0, "data");
          if (tagl && data2.length < tagl)
            throw new Error('"ciphertext" expected length >= tagLength=' + tagl);
          checkOutput(cipher.decrypt.length, output);
          return cipher.decrypt(data2, output);
        }
      };
      return wrCipher;
    }
    Object.assign(wrappedCipher, params);
    return wrappedCipher;
  };
  function getOutput(expectedLength, out, onlyAligned = true) {
    if (out === void 0)
      return new Uint8Array(expectedLength);
    abytes2(out, expectedLength, "output");
    if (onlyAligned && !isAligned32(out))
      throw new Error("invalid output, must be aligned");
    return out;
  }
  function u64Lengths(dataLength, aadLength, isLE2) {
    anumber2(dataLength);
    anumber2(aadLength);
    abool(isLE2);
    const num = new Uint8Array(16);
    const view = createView2(num);
    view.setBigUint64(0, BigInt(aadLength), isLE2);
    view.setBigUint64(8, BigInt(dataLength), isLE2);
    return num;
  }
  function isAligned32(bytes) {
    return bytes.byteOffset % 4 === 0;
  }
  function copyBytes(bytes) {
    return Uint8Array.from(abytes2(bytes));
  }

  // node_modules/@noble/ciphers/_polyval.js
  var BLOCK_SIZE = 16;
  var ZEROS16 = /* @__PURE__ */ new Uint8Array(16);
  var ZEROS32 = /* @__PURE__ */ u32(ZEROS16);
  var POLY = 225;
  var mul2 = (s0, s1, s2, s3) => {
    const hiBit = s3 & 1;
    return {
      s3: s2 << 31 | s3 >>> 1,
      s2: s1 << 31 | s2 >>> 1,
      s1: s0 << 31 | s1 >>> 1,
      // NIST SP 800-38D §6.3 applies `V >> 1` and XORs R on carry. In this
      // 4x32-bit split, R = 0xe1 || 0^120 lives in the top byte of s0.
      s0: s0 >>> 1 ^ POLY << 24 & -(hiBit & 1)
      // reduce % poly
    };
  };
  var swapLE = (n) => (n >>> 0 & 255) << 24 | (n >>> 8 & 255) << 16 | (n >>> 16 & 255) << 8 | n >>> 24 & 255 | 0;
  var estimateWindow = (bytes) => {
    if (bytes > 64 * 1024)
      return 8;
    if (bytes > 1024)
      return 4;
    return 2;
  };
  var GHASH = class {
    blockLen = BLOCK_SIZE;
    outputLen = BLOCK_SIZE;
    s0 = 0;
    s1 = 0;
    s2 = 0;
    s3 = 0;
    finished = false;
    destroyed = false;
    t;
    W;
    windowSize;
    // We select bits per window adaptively based on expectedLength
    constructor(key, expectedLength) {
      abytes2(key, 16, "key");
      key = copyBytes(key);
      const kView = createView2(key);
      let k0 = kView.getUint32(0, false);
      let k1 = kView.getUint32(4, false);
      let k2 = kView.getUint32(8, false);
      let k3 = kView.getUint32(12, false);
      const doubles = [];
      for (let i = 0; i < 128; i++) {
        doubles.push({ s0: swapLE(k0), s1: swapLE(k1), s2: swapLE(k2), s3: swapLE(k3) });
        ({ s0: k0, s1: k1, s2: k2, s3: k3 } = mul2(k0, k1, k2, k3));
      }
      const W = estimateWindow(expectedLength || 1024);
      if (![1, 2, 4, 8].includes(W))
        throw new Error("ghash: invalid window size, expected 2, 4 or 8");
      this.W = W;
      const bits = 128;
      const windows = bits / W;
      const windowSize = this.windowSize = 2 ** W;
      const items = [];
      for (let w = 0; w < windows; w++) {
        for (let byte = 0; byte < windowSize; byte++) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < W; j++) {
            const bit = byte >>> W - j - 1 & 1;
            if (!bit)
              continue;
            const { s0: d0, s1: d1, s2: d2, s3: d3 } = doubles[W * w + j];
            s0 ^= d0, s1 ^= d1, s2 ^= d2, s3 ^= d3;
          }
          items.push({ s0, s1, s2, s3 });
        }
      }
      this.t = items;
    }
    _updateBlock(s0, s1, s2, s3) {
      s0 ^= this.s0, s1 ^= this.s1, s2 ^= this.s2, s3 ^= this.s3;
      const { W, t, windowSize } = this;
      let o0 = 0, o1 = 0, o2 = 0, o3 = 0;
      const mask = (1 << W) - 1;
      let w = 0;
      for (const num of [s0, s1, s2, s3]) {
        for (let bytePos = 0; bytePos < 4; bytePos++) {
          const byte = num >>> 8 * bytePos & 255;
          for (let bitPos = 8 / W - 1; bitPos >= 0; bitPos--) {
            const bit = byte >>> W * bitPos & mask;
            const { s0: e0, s1: e1, s2: e2, s3: e3 } = t[w * windowSize + bit];
            o0 ^= e0, o1 ^= e1, o2 ^= e2, o3 ^= e3;
            w += 1;
          }
        }
      }
      this.s0 = o0;
      this.s1 = o1;
      this.s2 = o2;
      this.s3 = o3;
    }
    update(data2) {
      aexists2(this);
      abytes2(data2);
      data2 = copyBytes(data2);
      const b32 = u32(data2);
      const blocks = Math.floor(data2.length / BLOCK_SIZE);
      const left = data2.length % BLOCK_SIZE;
      for (let i = 0; i < blocks; i++) {
        this._updateBlock(swap8IfBE(b32[i * 4 + 0]), swap8IfBE(b32[i * 4 + 1]), swap8IfBE(b32[i * 4 + 2]), swap8IfBE(b32[i * 4 + 3]));
      }
      if (left) {
        ZEROS16.set(data2.subarray(blocks * BLOCK_SIZE));
        this._updateBlock(swap8IfBE(ZEROS32[0]), swap8IfBE(ZEROS32[1]), swap8IfBE(ZEROS32[2]), swap8IfBE(ZEROS32[3]));
        clean2(ZEROS32);
      }
      return this;
    }
    destroy() {
      this.destroyed = true;
      const { t } = this;
      for (const elm of t) {
        elm.s0 = 0, elm.s1 = 0, elm.s2 = 0, elm.s3 = 0;
      }
    }
    digestInto(out) {
      aexists2(this);
      aoutput32(out, this);
      this.finished = true;
      const { s0, s1, s2, s3 } = this;
      const o32 = u32(out);
      o32[0] = s0;
      o32[1] = s1;
      o32[2] = s2;
      o32[3] = s3;
      if (!isLE)
        swap32IfBE(o32.subarray(0, BLOCK_SIZE / 4));
    }
    digest() {
      const res = new Uint8Array(BLOCK_SIZE);
      this.digestInto(res);
      this.destroy();
      return res;
    }
  };
  var ghash = /* @__PURE__ */ wrapMacConstructor(16, (key, expectedLength) => new GHASH(key, expectedLength), (msg) => [msg.length]);

  // node_modules/@noble/ciphers/aes.js
  var BLOCK_SIZE2 = 16;
  var BLOCK_SIZE32 = 4;
  var EMPTY_BLOCK = /* @__PURE__ */ new Uint8Array(BLOCK_SIZE2);
  var POLY2 = 283;
  function validateKeyLength(key) {
    if (![16, 24, 32].includes(key.length))
      throw new Error('"aes key" expected Uint8Array of length 16/24/32, got length=' + key.length);
  }
  function mul22(n) {
    return n << 1 ^ POLY2 & -(n >> 7);
  }
  function mul(a, b) {
    let res = 0;
    for (; b > 0; b >>= 1) {
      res ^= a & -(b & 1);
      a = mul22(a);
    }
    return res;
  }
  var sbox = /* @__PURE__ */ (() => {
    const t = new Uint8Array(256);
    for (let i = 0, x = 1; i < 256; i++, x ^= mul22(x))
      t[i] = x;
    const box2 = new Uint8Array(256);
    box2[0] = 99;
    for (let i = 0; i < 255; i++) {
      let x = t[255 - i];
      x |= x << 8;
      box2[t[i]] = (x ^ x >> 4 ^ x >> 5 ^ x >> 6 ^ x >> 7 ^ 99) & 255;
    }
    clean2(t);
    return box2;
  })();
  var rotr32_8 = (n) => n << 24 | n >>> 8;
  var rotl32_8 = (n) => n << 8 | n >>> 24;
  function genTtable(sbox2, fn) {
    if (sbox2.length !== 256)
      throw new Error("wrong sbox length");
    const T0 = new Uint32Array(256).map((_, j) => fn(sbox2[j]));
    const T1 = T0.map(rotl32_8);
    const T2 = T1.map(rotl32_8);
    const T3 = T2.map(rotl32_8);
    const T01 = new Uint32Array(256 * 256);
    const T23 = new Uint32Array(256 * 256);
    const sbox22 = new Uint16Array(256 * 256);
    for (let i = 0; i < 256; i++) {
      for (let j = 0; j < 256; j++) {
        const idx = i * 256 + j;
        T01[idx] = T0[i] ^ T1[j];
        T23[idx] = T2[i] ^ T3[j];
        sbox22[idx] = sbox2[i] << 8 | sbox2[j];
      }
    }
    return { sbox: sbox2, sbox2: sbox22, T0, T1, T2, T3, T01, T23 };
  }
  var tableEncoding = /* @__PURE__ */ genTtable(sbox, (s) => mul(s, 3) << 24 | s << 16 | s << 8 | mul(s, 2));
  var xPowers = /* @__PURE__ */ (() => {
    const p = new Uint8Array(16);
    for (let i = 0, x = 1; i < 16; i++, x = mul22(x))
      p[i] = x;
    return p;
  })();
  function expandKeyLE(key) {
    abytes2(key);
    const len = key.length;
    validateKeyLength(key);
    const { sbox2 } = tableEncoding;
    const toClean = [];
    if (!isLE || !isAligned32(key))
      toClean.push(key = copyBytes(key));
    const k32 = swap32IfBE(u32(key));
    const Nk = k32.length;
    const subByte = (n) => applySbox(sbox2, n, n, n, n);
    const xk = new Uint32Array(len + 28);
    xk.set(k32);
    for (let i = Nk; i < xk.length; i++) {
      let t = xk[i - 1];
      if (i % Nk === 0)
        t = subByte(rotr32_8(t)) ^ xPowers[i / Nk - 1];
      else if (Nk > 6 && i % Nk === 4)
        t = subByte(t);
      xk[i] = xk[i - Nk] ^ t;
    }
    clean2(...toClean);
    return xk;
  }
  function apply0123(T01, T23, s0, s1, s2, s3) {
    return T01[s0 << 8 & 65280 | s1 >>> 8 & 255] ^ T23[s2 >>> 8 & 65280 | s3 >>> 24 & 255];
  }
  function applySbox(sbox2, s0, s1, s2, s3) {
    return sbox2[s0 & 255 | s1 & 65280] | sbox2[s2 >>> 16 & 255 | s3 >>> 16 & 65280] << 16;
  }
  function encrypt(xk, s0, s1, s2, s3) {
    const { sbox2, T01, T23 } = tableEncoding;
    let k = 0;
    s0 ^= xk[k++], s1 ^= xk[k++], s2 ^= xk[k++], s3 ^= xk[k++];
    const rounds = xk.length / 4 - 2;
    for (let i = 0; i < rounds; i++) {
      const t02 = xk[k++] ^ apply0123(T01, T23, s0, s1, s2, s3);
      const t12 = xk[k++] ^ apply0123(T01, T23, s1, s2, s3, s0);
      const t22 = xk[k++] ^ apply0123(T01, T23, s2, s3, s0, s1);
      const t32 = xk[k++] ^ apply0123(T01, T23, s3, s0, s1, s2);
      s0 = t02, s1 = t12, s2 = t22, s3 = t32;
    }
    const t0 = xk[k++] ^ applySbox(sbox2, s0, s1, s2, s3);
    const t1 = xk[k++] ^ applySbox(sbox2, s1, s2, s3, s0);
    const t2 = xk[k++] ^ applySbox(sbox2, s2, s3, s0, s1);
    const t3 = xk[k++] ^ applySbox(sbox2, s3, s0, s1, s2);
    return { s0: t0, s1: t1, s2: t2, s3: t3 };
  }
  function ctr32(xk, isLE2, nonce2, src, dst) {
    abytes2(nonce2, BLOCK_SIZE2, "nonce");
    abytes2(src);
    dst = getOutput(src.length, dst);
    const ctr = nonce2;
    const c32 = u32(ctr);
    const view = createView2(ctr);
    const src32 = u32(src);
    const dst32 = u32(dst);
    const ctrPos = isLE2 ? 0 : 12;
    const srcLen = src.length;
    let ctrNum = view.getUint32(ctrPos, isLE2);
    for (let i = 0; i + 4 <= src32.length; i += 4) {
      const { s0, s1, s2, s3 } = encrypt(xk, swap8IfBE(c32[0]), swap8IfBE(c32[1]), swap8IfBE(c32[2]), swap8IfBE(c32[3]));
      dst32[i + 0] = src32[i + 0] ^ swap8IfBE(s0);
      dst32[i + 1] = src32[i + 1] ^ swap8IfBE(s1);
      dst32[i + 2] = src32[i + 2] ^ swap8IfBE(s2);
      dst32[i + 3] = src32[i + 3] ^ swap8IfBE(s3);
      ctrNum = ctrNum + 1 >>> 0;
      view.setUint32(ctrPos, ctrNum, isLE2);
    }
    const start = BLOCK_SIZE2 * Math.floor(src32.length / BLOCK_SIZE32);
    if (start < srcLen) {
      const { s0, s1, s2, s3 } = encrypt(xk, swap8IfBE(c32[0]), swap8IfBE(c32[1]), swap8IfBE(c32[2]), swap8IfBE(c32[3]));
      const b32 = new Uint32Array([s0, s1, s2, s3]);
      swap32IfBE(b32);
      const buf = u8(b32);
      for (let i = start, pos = 0; i < srcLen; i++, pos++)
        dst[i] = src[i] ^ buf[pos];
      clean2(b32);
    }
    return dst;
  }
  function computeTag(fn, isLE2, key, data2, AAD) {
    const aadLength = AAD ? AAD.length : 0;
    const h = fn.create(key, data2.length + aadLength);
    if (AAD)
      h.update(AAD);
    const num = u64Lengths(8 * data2.length, 8 * aadLength, isLE2);
    h.update(data2);
    h.update(num);
    const res = h.digest();
    clean2(num);
    return res;
  }
  var gcm = /* @__PURE__ */ wrapCipher({ blockSize: 16, nonceLength: 12, tagLength: 16, withAAD: true, varSizeNonce: true }, function aesgcm(key, nonce2, AAD) {
    if (nonce2.length < 8)
      throw new Error("aes/gcm: invalid nonce length");
    const tagLength = 16;
    function _computeTag(authKey, tagMask, data2) {
      const tag = computeTag(ghash, false, authKey, data2, AAD);
      for (let i = 0; i < tagMask.length; i++)
        tag[i] ^= tagMask[i];
      return tag;
    }
    function deriveKeys2() {
      const xk = expandKeyLE(key);
      const authKey = EMPTY_BLOCK.slice();
      const counter = EMPTY_BLOCK.slice();
      ctr32(xk, false, counter, counter, authKey);
      if (nonce2.length === 12) {
        counter.set(nonce2);
      } else {
        const nonceLen = EMPTY_BLOCK.slice();
        const view = createView2(nonceLen);
        view.setBigUint64(8, BigInt(nonce2.length * 8), false);
        const g = ghash.create(authKey).update(nonce2).update(nonceLen);
        g.digestInto(counter);
        g.destroy();
      }
      const tagMask = ctr32(xk, false, counter, EMPTY_BLOCK);
      return { xk, authKey, counter, tagMask };
    }
    return {
      encrypt(plaintext) {
        const { xk, authKey, counter, tagMask } = deriveKeys2();
        const out = new Uint8Array(plaintext.length + tagLength);
        const toClean = [xk, authKey, counter, tagMask];
        if (!isAligned32(plaintext))
          toClean.push(plaintext = copyBytes(plaintext));
        ctr32(xk, false, counter, plaintext, out.subarray(0, plaintext.length));
        const tag = _computeTag(authKey, tagMask, out.subarray(0, out.length - tagLength));
        toClean.push(tag);
        out.set(tag, plaintext.length);
        clean2(...toClean);
        return out;
      },
      decrypt(ciphertext) {
        const { xk, authKey, counter, tagMask } = deriveKeys2();
        const toClean = [xk, authKey, tagMask, counter];
        if (!isAligned32(ciphertext))
          toClean.push(ciphertext = copyBytes(ciphertext));
        const data2 = ciphertext.subarray(0, -tagLength);
        const passedTag = ciphertext.subarray(-tagLength);
        const tag = _computeTag(authKey, tagMask, data2);
        toClean.push(tag);
        if (!equalBytes(tag, passedTag)) {
          clean2(...toClean);
          throw new Error("aes-gcm: invalid tag");
        }
        const out = ctr32(xk, false, counter, data2);
        clean2(...toClean);
        return out;
      }
    };
  });

  // node_modules/@noble/curves/utils.js
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  function aarray(item, title, inner = () => {
  }) {
    if (!Array.isArray(item))
      throw new TypeError(`"${title}" expected array, got type=${typeof item}`);
    for (let i = 0; i < item.length; i++)
      inner(item[i], `${title}[${i}]`);
    return item;
  }
  var abytes3 = (value, length, title) => abytes(value, length, title);
  var anumber3 = anumber;
  function aobject2(value, title = "object") {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError(title === "object" ? "expected valid options object" : `"${title}" expected object, got type=${typeof value}`);
    return value;
  }
  function afunction(value, title) {
    if (typeof value !== "function")
      throw new TypeError(`"${title}" is invalid: expected function, got ${typeof value}`);
    return value;
  }
  var bytesToHex2 = bytesToHex;
  var concatBytes3 = (...arrays) => concatBytes(...arrays);
  var hexToBytes2 = (hex2) => hexToBytes(hex2);
  var isBytes3 = isBytes;
  var randomBytes2 = (bytesLength) => randomBytes(bytesLength);
  var _0n = /* @__PURE__ */ BigInt(0);
  var _1n = /* @__PURE__ */ BigInt(1);
  var atitle3 = (title) => title ? `"${title}" ` : "";
  function abool2(value, title = "") {
    if (typeof value !== "boolean")
      throw new TypeError(atitle3(title) + "expected boolean, got type=" + typeof value);
    return value;
  }
  function abignumber(n) {
    if (typeof n === "bigint") {
      if (!isPosBig(n))
        throw new RangeError("positive bigint expected, got " + n);
    } else
      anumber3(n);
    return n;
  }
  function asafenumber(value, title = "") {
    if (typeof value !== "number") {
      const prefix = title && `"${title}" `;
      throw new TypeError(prefix + "expected number, got type=" + typeof value);
    }
    if (!Number.isSafeInteger(value)) {
      const prefix = title && `"${title}" `;
      throw new RangeError(prefix + "expected safe integer, got " + value);
    }
  }
  function hexToNumber(hex2) {
    if (typeof hex2 !== "string")
      throw new TypeError("hex string expected, got " + typeof hex2);
    return hex2 === "" ? _0n : BigInt("0x" + hex2);
  }
  function bytesToNumberBE(bytes) {
    return hexToNumber(bytesToHex(bytes));
  }
  function bytesToNumberLE(bytes) {
    return hexToNumber(bytesToHex(copyBytes2(abytes(bytes)).reverse()));
  }
  function numberToBytesBE(n, len) {
    anumber(len);
    if (len === 0)
      throw new Error("zero output length is invalid");
    n = abignumber(n);
    const expectedLen = len * 2;
    const hex2 = n.toString(16);
    if (hex2.length > expectedLen)
      throw new RangeError("number is too large");
    return hexToBytes(hex2.padStart(expectedLen, "0"));
  }
  function numberToBytesLE(n, len) {
    return numberToBytesBE(n, len).reverse();
  }
  function copyBytes2(bytes) {
    return Uint8Array.from(abytes3(bytes));
  }
  function isPosBig(n) {
    return typeof n === "bigint" && _0n <= n;
  }
  function inRange(n, min, max) {
    return isPosBig(n) && isPosBig(min) && isPosBig(max) && min <= n && n < max;
  }
  function aInRange(title, n, min, max) {
    if (!inRange(n, min, max))
      throw new RangeError("expected valid " + title + ": " + min + " <= n < " + max + ", got " + n);
  }
  function bitLen(n) {
    if (n < _0n)
      throw new Error("expected non-negative bigint, got " + n);
    return n === _0n ? 0 : n.toString(2).length;
  }
  var bitMask = (n) => {
    asafenumber(n, "n");
    return (_1n << BigInt(n)) - _1n;
  };
  function validateObject(object, fields = {}, optFields = {}, title = "object") {
    aobject2(object, title);
    aobject2(fields, "fields");
    aobject2(optFields, "optFields");
    function checkField(fieldName, expectedType, isOpt) {
      const label = title === "object" ? `param "${String(fieldName)}"` : `"${title}.${String(fieldName)}"`;
      const val = object[fieldName];
      if (!Object.hasOwn(object, fieldName) && (isOpt ? val !== void 0 : expectedType !== "function")) {
        throw new TypeError(`${label} is invalid: expected own property`);
      }
      if (isOpt && val === void 0)
        return;
      const current = typeof val;
      if (current !== expectedType || val === null)
        throw new TypeError(`${label} is invalid: expected ${expectedType}, got ${current}`);
    }
    const iter = (f, isOpt) => Object.entries(f).forEach(([k, v]) => checkField(k, v, isOpt));
    iter(fields, false);
    iter(optFields, true);
  }

  // node_modules/@noble/curves/abstract/modular.js
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n2 = /* @__PURE__ */ BigInt(0);
  var _1n2 = /* @__PURE__ */ BigInt(1);
  var _2n = /* @__PURE__ */ BigInt(2);
  var _3n = /* @__PURE__ */ BigInt(3);
  var _4n = /* @__PURE__ */ BigInt(4);
  var _5n = /* @__PURE__ */ BigInt(5);
  var _7n = /* @__PURE__ */ BigInt(7);
  var _8n = /* @__PURE__ */ BigInt(8);
  var _9n = /* @__PURE__ */ BigInt(9);
  var _15n = /* @__PURE__ */ BigInt(15);
  var _16n = /* @__PURE__ */ BigInt(16);
  var POW_WINDOWED_MIN = /* @__PURE__ */ BigInt("0x10000000000000000");
  function mod(a, b) {
    if (b <= _0n2)
      throw new Error("mod: expected positive modulus, got " + b);
    const result = a % b;
    return result >= _0n2 ? result : b + result;
  }
  function pow(num, power, modulo) {
    if (modulo <= _1n2)
      throw new Error("pow: expected modulus > 1, got " + modulo);
    if (typeof power !== "bigint")
      throw new TypeError("invalid exponent: expected bigint, got " + typeof power);
    if (power < _0n2)
      throw new Error("invalid exponent, negatives unsupported");
    if (power === _0n2)
      return _1n2;
    if (power === _1n2)
      return num;
    let d = num % modulo;
    if (d < _0n2)
      d += modulo;
    if (power < POW_WINDOWED_MIN) {
      let p2 = _1n2;
      while (power > _0n2) {
        if (power & _1n2)
          p2 = p2 * d % modulo;
        d = d * d % modulo;
        power >>= _1n2;
      }
      return p2;
    }
    const digits = [];
    while (power > _0n2) {
      digits.push(Number(power & _15n));
      power >>= _4n;
    }
    const table = new Array(16);
    table[0] = _1n2;
    table[1] = d;
    for (let i = 2; i < 16; i++)
      table[i] = table[i - 1] * d % modulo;
    let p = table[digits[digits.length - 1]];
    for (let w = digits.length - 2; w >= 0; w--) {
      p = p * p % modulo;
      p = p * p % modulo;
      p = p * p % modulo;
      p = p * p % modulo;
      const digit2 = digits[w];
      if (digit2 !== 0)
        p = p * table[digit2] % modulo;
    }
    return p;
  }
  function pow2(x, power, modulo) {
    if (modulo <= _1n2)
      throw new Error("pow2: expected modulus > 1, got " + modulo);
    if (power < _0n2)
      throw new Error("pow2: expected non-negative exponent, got " + power);
    let res = x;
    while (power-- > _0n2) {
      res *= res;
      res %= modulo;
    }
    return res;
  }
  function invert(number, modulo) {
    if (number === _0n2)
      throw new Error("invert: expected non-zero number");
    if (modulo <= _1n2)
      throw new Error("invert: expected modulus > 1, got " + modulo);
    let a = mod(number, modulo);
    let b = modulo;
    let x = _0n2, u = _1n2;
    while (a !== _0n2) {
      const q = b / a;
      const r = b - a * q;
      const m = x - u * q;
      b = a, a = r, x = u, u = m;
    }
    const gcd = b;
    if (gcd !== _1n2)
      throw new Error("invert: does not exist");
    return mod(x, modulo);
  }
  function assertIsSquare(Fp2, root, n) {
    const F = Fp2;
    if (!F.eql(F.sqr(root), n))
      throw new Error("Cannot find square root");
  }
  function aoddModulus(order, fnName) {
    if ((order & _1n2) === _0n2)
      throw new Error(fnName + ": expected odd modulus, got " + order);
  }
  function sqrt3mod4(Fp2, n) {
    const F = Fp2;
    const p1div4 = (F.ORDER + _1n2) / _4n;
    const root = F.pow(n, p1div4);
    assertIsSquare(F, root, n);
    return root;
  }
  function sqrt5mod8(Fp2, n) {
    const F = Fp2;
    const p5div8 = (F.ORDER - _5n) / _8n;
    const n2 = F.mul(n, _2n);
    const v = F.pow(n2, p5div8);
    const nv = F.mul(n, v);
    const i = F.mul(F.mul(nv, _2n), v);
    const root = F.mul(nv, F.sub(i, F.ONE));
    assertIsSquare(F, root, n);
    return root;
  }
  function sqrt9mod16(P) {
    const Fp_ = Field(P);
    const tn = tonelliShanks(P);
    const c1 = tn(Fp_, Fp_.neg(Fp_.ONE));
    const c2 = tn(Fp_, c1);
    const c3 = tn(Fp_, Fp_.neg(c1));
    const c4 = (P + _7n) / _16n;
    return ((Fp2, n) => {
      const F = Fp2;
      let tv1 = F.pow(n, c4);
      let tv2 = F.mul(tv1, c1);
      const tv3 = F.mul(tv1, c2);
      const tv4 = F.mul(tv1, c3);
      const e1 = F.eql(F.sqr(tv2), n);
      const e2 = F.eql(F.sqr(tv3), n);
      tv1 = F.cmov(tv1, tv2, e1);
      tv2 = F.cmov(tv4, tv3, e2);
      const e3 = F.eql(F.sqr(tv2), n);
      const root = F.cmov(tv1, tv2, e3);
      assertIsSquare(F, root, n);
      return root;
    });
  }
  function tonelliShanks(P) {
    if (P < _3n)
      throw new Error("sqrt is not defined for small field");
    aoddModulus(P, "tonelliShanks");
    let Q2 = P - _1n2;
    let S2 = 0;
    while (Q2 % _2n === _0n2) {
      Q2 /= _2n;
      S2++;
    }
    let Z = _2n;
    const _Fp = Field(P);
    while (FpLegendre(_Fp, Z) === 1) {
      if (Z++ > 1e3)
        throw new Error("Cannot find square root: probably non-prime P");
    }
    if (S2 === 1)
      return sqrt3mod4;
    let cc = _Fp.pow(Z, Q2);
    const Q1div2 = (Q2 + _1n2) / _2n;
    return function tonelliSlow(Fp2, n) {
      const F = Fp2;
      if (F.is0(n))
        return n;
      if (FpLegendre(F, n) !== 1)
        throw new Error("Cannot find square root");
      let M = S2;
      let c = F.mul(F.ONE, cc);
      let t = F.pow(n, Q2);
      let R = F.pow(n, Q1div2);
      while (!F.eql(t, F.ONE)) {
        if (F.is0(t))
          throw new Error("Cannot find square root: probably non-prime P");
        let i = 1;
        let t_tmp = F.sqr(t);
        while (!F.eql(t_tmp, F.ONE)) {
          i++;
          t_tmp = F.sqr(t_tmp);
          if (i === M)
            throw new Error("Cannot find square root");
        }
        const exponent = _1n2 << BigInt(M - i - 1);
        const b = F.pow(c, exponent);
        M = i;
        c = F.sqr(b);
        t = F.mul(t, c);
        R = F.mul(R, b);
      }
      return R;
    };
  }
  function FpSqrt(P) {
    aoddModulus(P, "Fp.sqrt");
    if (P % _4n === _3n)
      return sqrt3mod4;
    if (P % _8n === _5n)
      return sqrt5mod8;
    if (P % _16n === _9n)
      return sqrt9mod16(P);
    return tonelliShanks(P);
  }
  var isNegativeLE = (num, modulo) => (mod(num, modulo) & _1n2) === _1n2;
  var FIELD_FIELDS = [
    "create",
    "isValid",
    "is0",
    "neg",
    "inv",
    "sqrt",
    "sqr",
    "eql",
    "add",
    "sub",
    "mul",
    "pow",
    "div",
    "addN",
    "subN",
    "mulN",
    "sqrN"
  ];
  function validateField(field) {
    aobject2(field, "field");
    if (typeof field.ORDER !== "bigint")
      throw new TypeError('param "ORDER" is invalid: expected bigint, got ' + typeof field.ORDER);
    asafenumber(field.BYTES, "BYTES");
    asafenumber(field.BITS, "BITS");
    for (const name2 of FIELD_FIELDS)
      afunction(field[name2], "field." + name2);
    if (field.BYTES < 1 || field.BITS < 1)
      throw new Error("invalid field: expected BYTES/BITS > 0");
    if (field.ORDER <= _1n2)
      throw new Error("invalid field: expected ORDER > 1, got " + field.ORDER);
    return field;
  }
  function FpInvertBatch(Fp2, nums, passZero = false) {
    validateField(Fp2);
    aarray(nums, "nums");
    abool2(passZero, "passZero");
    const F = Fp2;
    const inverted = new Array(nums.length).fill(passZero ? F.ZERO : void 0);
    const multipliedAcc = nums.reduce((acc, num, i) => {
      if (F.is0(num))
        return acc;
      inverted[i] = acc;
      return F.mul(acc, num);
    }, F.ONE);
    const invertedAcc = F.inv(multipliedAcc);
    nums.reduceRight((acc, num, i) => {
      if (F.is0(num))
        return acc;
      inverted[i] = F.mul(acc, inverted[i]);
      return F.mul(acc, num);
    }, invertedAcc);
    return inverted;
  }
  function FpLegendre(Fp2, n) {
    validateField(Fp2);
    const F = Fp2;
    aoddModulus(F.ORDER, "FpLegendre");
    const p1mod2 = (F.ORDER - _1n2) / _2n;
    const powered = F.pow(n, p1mod2);
    const yes = F.eql(powered, F.ONE);
    const zero = F.eql(powered, F.ZERO);
    const no = F.eql(powered, F.neg(F.ONE));
    if (!yes && !zero && !no)
      throw new Error("invalid Legendre symbol result");
    return yes ? 1 : zero ? 0 : -1;
  }
  function nLength(n, nBitLength) {
    if (nBitLength !== void 0)
      anumber3(nBitLength);
    if (n <= _0n2)
      throw new Error("invalid n length: expected positive n, got " + n);
    if (nBitLength !== void 0 && nBitLength < 1)
      throw new Error("invalid n length: expected positive bit length, got " + nBitLength);
    const bits = bitLen(n);
    if (nBitLength !== void 0 && nBitLength < bits)
      throw new Error(`invalid n length: expected nBitLength (${nBitLength}) >= bitLen(n) (${bits})`);
    const _nBitLength = nBitLength !== void 0 ? nBitLength : bits;
    const nByteLength = Math.ceil(_nBitLength / 8);
    return { nBitLength: _nBitLength, nByteLength };
  }
  var FIELD_SQRT = /* @__PURE__ */ new WeakMap();
  var _Field = class {
    ORDER;
    BITS;
    BYTES;
    isLE;
    ZERO = _0n2;
    ONE = _1n2;
    _lengths;
    _mod;
    constructor(ORDER, opts = {}) {
      if (ORDER <= _1n2)
        throw new Error("invalid field: expected ORDER > 1, got " + ORDER);
      let _nbitLength = void 0;
      this.isLE = false;
      if (opts != null && typeof opts === "object") {
        if (typeof opts.BITS === "number")
          _nbitLength = opts.BITS;
        if (typeof opts.sqrt === "function")
          Object.defineProperty(this, "sqrt", { value: opts.sqrt, enumerable: true });
        if (typeof opts.isLE === "boolean")
          this.isLE = opts.isLE;
        if (opts.allowedLengths)
          this._lengths = Object.freeze(opts.allowedLengths.slice());
        if (typeof opts.modFromBytes === "boolean")
          this._mod = opts.modFromBytes;
      }
      const { nBitLength, nByteLength } = nLength(ORDER, _nbitLength);
      if (nByteLength > 2048)
        throw new Error("invalid field: expected ORDER of <= 2048 bytes");
      this.ORDER = ORDER;
      this.BITS = nBitLength;
      this.BYTES = nByteLength;
      Object.freeze(this);
    }
    create(num) {
      return mod(num, this.ORDER);
    }
    isValid(num) {
      if (typeof num !== "bigint")
        throw new TypeError("invalid field element: expected bigint, got " + typeof num);
      return _0n2 <= num && num < this.ORDER;
    }
    is0(num) {
      return num === _0n2;
    }
    // is valid and invertible
    isValidNot0(num) {
      return !this.is0(num) && this.isValid(num);
    }
    isOdd(num) {
      return (num & _1n2) === _1n2;
    }
    neg(num) {
      return mod(-num, this.ORDER);
    }
    eql(lhs, rhs) {
      return lhs === rhs;
    }
    sqr(num) {
      return mod(num * num, this.ORDER);
    }
    add(lhs, rhs) {
      return mod(lhs + rhs, this.ORDER);
    }
    sub(lhs, rhs) {
      return mod(lhs - rhs, this.ORDER);
    }
    mul(lhs, rhs) {
      return mod(lhs * rhs, this.ORDER);
    }
    pow(num, power) {
      return pow(num, power, this.ORDER);
    }
    div(lhs, rhs) {
      return mod(lhs * invert(rhs, this.ORDER), this.ORDER);
    }
    // Same as above, but doesn't normalize
    sqrN(num) {
      return num * num;
    }
    addN(lhs, rhs) {
      return lhs + rhs;
    }
    subN(lhs, rhs) {
      return lhs - rhs;
    }
    mulN(lhs, rhs) {
      return lhs * rhs;
    }
    inv(num) {
      return invert(num, this.ORDER);
    }
    sqrt(num) {
      let sqrt = FIELD_SQRT.get(this);
      if (!sqrt)
        FIELD_SQRT.set(this, sqrt = FpSqrt(this.ORDER));
      return sqrt(this, num);
    }
    toBytes(num) {
      return this.isLE ? numberToBytesLE(num, this.BYTES) : numberToBytesBE(num, this.BYTES);
    }
    fromBytes(bytes, skipValidation = false) {
      abytes3(bytes);
      const { _lengths: allowedLengths, BYTES, isLE: isLE2, ORDER, _mod: modFromBytes } = this;
      if (allowedLengths) {
        if (bytes.length < 1 || !allowedLengths.includes(bytes.length) || bytes.length > BYTES) {
          throw new Error("Field.fromBytes: expected " + allowedLengths + " bytes, got " + bytes.length);
        }
        const padded = new Uint8Array(BYTES);
        padded.set(bytes, isLE2 ? 0 : padded.length - bytes.length);
        bytes = padded;
      }
      if (bytes.length !== BYTES)
        throw new Error("Field.fromBytes: expected " + BYTES + " bytes, got " + bytes.length);
      let scalar = isLE2 ? bytesToNumberLE(bytes) : bytesToNumberBE(bytes);
      if (modFromBytes)
        scalar = mod(scalar, ORDER);
      if (!skipValidation) {
        if (!this.isValid(scalar))
          throw new Error("invalid field element: outside of range 0..ORDER");
      }
      return scalar;
    }
    // TODO: we don't need it here, move out to separate fn
    invertBatch(lst) {
      return FpInvertBatch(this, lst, true);
    }
    // We can't move this out because Fp6, Fp12 implement it
    // and it's unclear what to return in there.
    cmov(a, b, condition) {
      abool2(condition, "condition");
      return condition ? b : a;
    }
  };
  function Field(ORDER, opts = {}) {
    Object.freeze(_Field.prototype);
    return new _Field(ORDER, opts);
  }

  // node_modules/@noble/curves/abstract/curve.js
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n3 = /* @__PURE__ */ BigInt(0);
  var _1n3 = /* @__PURE__ */ BigInt(1);
  var _4n2 = /* @__PURE__ */ BigInt(4);
  var BLIND_BYTES = 16;
  var BLIND_BITS = 128;
  var FW_WINDOW = 5;
  var TABLE_BYTES_MAX = /* @__PURE__ */ (() => 2 ** 31)();
  function validatePointCons(Point2) {
    const pc = Point2;
    if (typeof pc !== "function")
      throw new TypeError('"Point" expected constructor, got type=' + typeof Point2);
    afunction(pc.fromAffine, "Point.fromAffine");
    afunction(pc.fromBytes, "Point.fromBytes");
    afunction(pc.fromHex, "Point.fromHex");
    aobject2(pc.BASE, "Point.BASE");
    aobject2(pc.ZERO, "Point.ZERO");
    validateField(pc.Fp);
    validateField(pc.Fn);
  }
  function normalizeZ(c, points) {
    validatePointCons(c);
    validateMSMPoints(points, c);
    const invertedZs = FpInvertBatch(c.Fp, points.map((p) => p.Z));
    return points.map((p, i) => c.fromAffine(p.toAffine(invertedZs[i])));
  }
  function validateW(W, bits, min = 1) {
    if (!Number.isSafeInteger(W) || W < min || W > bits)
      throw new Error("invalid window size, expected [" + min + ".." + bits + "], got W=" + W);
  }
  function validateTableBytes(numPoints, fpBytes) {
    const bytes = numPoints * (4 * fpBytes + 128);
    if (bytes > TABLE_BYTES_MAX)
      throw new Error("invalid window size: table would need ~" + Math.ceil(bytes / 2 ** 20) + " MiB, max " + TABLE_BYTES_MAX / 2 ** 20 + " MiB");
  }
  function probeRandomBytes(randomBytes4, length) {
    if (randomBytes4 === void 0)
      return void 0;
    afunction(randomBytes4, "randomBytes");
    try {
      const probe = randomBytes4(length);
      if (!isBytes3(probe) || probe.length !== length)
        return void 0;
    } catch {
      return void 0;
    }
    return randomBytes4;
  }
  function validateMSMPoints(points, c) {
    aarray(points, "points");
    points.forEach((p, i) => {
      if (!(p instanceof c))
        throw new Error("invalid point at index " + i);
    });
  }
  function validateMSMScalars(scalars, field, maxScalar) {
    if (!Array.isArray(scalars))
      throw new Error("array of scalars expected");
    scalars.forEach((s, i) => {
      const ok = maxScalar === void 0 ? field.isValid(s) : isPosBig(s) && s < maxScalar;
      if (!ok)
        throw new Error("invalid scalar at index " + i);
    });
  }
  var pointWindowSizes = /* @__PURE__ */ new WeakMap();
  function getWindowSize(P) {
    return pointWindowSizes.get(P) || 1;
  }
  function oddMultiples(p, size2) {
    const dbl = p.double();
    const t = [p];
    for (let j = 1; j < size2; j++)
      t.push(t[j - 1].add(dbl));
    return t;
  }
  function wnafDigits(n, W) {
    const size2 = 2 ** W;
    const half = size2 / 2;
    const mask = BigInt(size2 - 1);
    const d = [];
    while (n > _0n3) {
      let w = 0;
      if (n & _1n3) {
        w = Number(n & mask);
        if (w >= half)
          w -= size2;
        n -= BigInt(w);
      }
      d.push(w);
      n >>= _1n3;
    }
    return d;
  }
  function signedWindowDigits(n, W, windows) {
    const size2 = 2 ** W;
    const half = size2 / 2;
    const mask = BigInt(size2 - 1);
    const shiftBy = BigInt(W);
    const d = [];
    for (let w = 0; w < windows; w++) {
      let v = Number(n & mask);
      n >>= shiftBy;
      if (v > half) {
        v -= size2;
        n += _1n3;
      }
      d.push(v);
    }
    if (n !== _0n3)
      throw new Error("invalid wnaf");
    return d;
  }
  function wnafWalk(zero, tables, digits) {
    let max = 0;
    for (const d of digits)
      max = Math.max(max, d.length);
    let acc = zero;
    for (let bit = max - 1; bit >= 0; bit--) {
      if (bit !== max - 1)
        acc = acc.double();
      for (let i = 0; i < digits.length; i++) {
        const w = digits[i][bit];
        if (w) {
          const item = tables[i][Math.abs(w) - 1 >> 1];
          acc = acc.add(w < 0 ? item.negate() : item);
        }
      }
    }
    return acc;
  }
  var ScalarMultiplier = class {
    Point;
    BASE;
    ZERO;
    randomBytes;
    wnafPrecomputes = /* @__PURE__ */ new WeakMap();
    baseCanBeBlinded;
    bits;
    // Parametrized with a given Point class (not individual point)
    constructor(Point2, randomBytes4) {
      validatePointCons(Point2);
      this.randomBytes = probeRandomBytes(randomBytes4, BLIND_BYTES);
      this.Point = Point2;
      this.BASE = Point2.BASE;
      this.ZERO = Point2.ZERO;
      this.bits = Point2.Fn.BITS;
    }
    /**
     * Creates a signed fixed-window wNAF precomputation table: for every window w, the
     * multiples `[1..2^(W−1)]⋅2^(w⋅W)⋅P`, flattened. All doublings are baked into the table,
     * so cached multiplication is additions-only. `windows = ceil(bits/W) + 1`: the extra
     * window absorbs the final carry of signed-digit recoding.
     * For a 256-bit curve and W=6, the table is 44⋅32 = 1408 points.
     * @param point - Point instance
     * @param W - window size
     * @param bits - scalar bitlength the table must cover
     */
    buildWnafTable(point, W, bits) {
      const windows = Math.ceil(bits / W) + 1;
      const half = 2 ** (W - 1);
      const comp = [];
      let base = point;
      for (let w = 0; w < windows; w++) {
        let acc = base;
        for (let i = 0; i < half; i++) {
          comp.push(acc);
          acc = acc.add(base);
        }
        base = comp[comp.length - 1].double();
      }
      return { W, bits, windows, comp };
    }
    /**
     * Implements ec multiplication using precomputed signed fixed-window wNAF tables.
     * Constant-time: fixed window count with one table addition per window — zero digits feed
     * the fake accumulator — and no doublings; the lookup scans the whole window slice.
     * Scalar bounds are validated by the public entry points ({@link ScalarMultiplier.mulCT},
     * {@link ScalarMultiplier.mulCTBlinded}, {@link ScalarMultiplier.mulUnsafe});
     * signedWindowDigits throws if `n` exceeds the table.
     * @returns real and fake (for const-time) points
     */
    wnafCachedCT(precomputes, n) {
      const { W, windows, comp } = precomputes;
      const half = 2 ** (W - 1);
      const digits = signedWindowDigits(n, W, windows);
      let p = this.ZERO;
      let f = this.BASE;
      for (let w = 0; w < windows; w++) {
        const digit2 = digits[w];
        const start = w * half;
        const idx = Math.abs(digit2) - 1;
        let sel = comp[start];
        for (let i = 1; i < half; i++)
          sel = i === idx ? comp[start + i] : sel;
        const neg = sel.negate();
        if (digit2 === 0)
          f = f.add(comp[start]);
        else
          p = p.add(digit2 < 0 ? neg : sel);
      }
      return { p, f };
    }
    // Cache key is point identity plus (W, bits); at most two entries exist per point (public-width
    // `Fn.BITS` and blinded `Fn.BITS + BLIND_BITS`). Callers must not reuse the same point with
    // incompatible `transform(...)` layouts and expect a separate cache entry.
    getWnafPrecomputes(W, point, bits, transform) {
      let entries = this.wnafPrecomputes.get(point);
      let comp = entries?.find((entry) => entry.W === W && entry.bits === bits);
      if (!comp) {
        comp = this.buildWnafTable(point, W, bits);
        if (typeof transform === "function")
          comp = { ...comp, comp: transform(comp.comp) };
        if (!entries) {
          entries = [];
          this.wnafPrecomputes.set(point, entries);
        }
        entries.push(comp);
      }
      return comp;
    }
    assertPoint(point) {
      if (!(point instanceof this.Point))
        throw new TypeError('"point" expected Point instance, got type=' + typeof point);
    }
    // Shared prologue of the constant-time entry points. Rejects scalar 0: in key/signature-style
    // callers a zero scalar means broken upstream plumbing, and concrete Points already reject it.
    // Uses inRange instead of Fn.isValidNot0: validateField() only certifies the arithmetic subset.
    validateMulInput(point, scalar) {
      this.assertPoint(point);
      if (!inRange(scalar, _1n3, this.Point.Fn.ORDER))
        throw new Error("invalid scalar");
    }
    // Constant-time dispatch shared by mulCT / mulCTBlinded. Un-precomputed points (W===1, e.g.
    // ECDH peer keys) skip building a throwaway cached table in favor of a small fixed-window
    // multiply. `n` must be < 2^bits.
    runCT(point, n, bits, transform) {
      const W = getWindowSize(point);
      if (W === 1)
        return this.fixedWindowCT(point, n, bits);
      return this.wnafCachedCT(this.getWnafPrecomputes(W, point, bits, transform), n);
    }
    mulCT(point, scalar, transform) {
      this.validateMulInput(point, scalar);
      return this.runCT(point, scalar, this.bits, transform);
    }
    mulCTBlinded(point, scalar, transform) {
      this.validateMulInput(point, scalar);
      if (this.randomBytes === void 0)
        throw new Error("randomBytes is required for scalar blinding");
      const bits = this.Point.Fn.BITS + BLIND_BITS;
      const blind = this.randomBytes(BLIND_BYTES);
      if (!isBytes3(blind) || blind.length !== BLIND_BYTES)
        throw new Error("randomBytes returned invalid byte array");
      blind[0] = blind[0] & 63 | 128;
      const n = scalar + bytesToNumberBE(blind) * this.Point.Fn.ORDER;
      return this.runCT(point, n, bits, transform);
    }
    /**
     * Constant-time multiplication `n*point` for an un-precomputed point, via a small fixed window.
     * A cached wNAF table only pays off when reused; a flat 2^FW_WINDOW table (`size-1` adds) is
     * far cheaper to build for a single use. The point-operation sequence is independent of `n`:
     * build the table, then per window exactly FW_WINDOW doublings, a data-oblivious scan over
     * every table entry, and one addition (adds the identity when the window digit is 0 — never
     * skipped).
     *
     * `n` must be `< 2^bits`. Assumes complete addition (adding the identity costs the same as any
     * add), which holds for the Weierstrass/Edwards point types used here. The table is left in
     * projective form (no normalizeZ): normalizing this small a table costs more than the
     * mixed-add savings it would buy for a single multiply.
     * @returns real point `p`; `f` duplicates it only to match {@link wnafCachedCT}'s return shape
     * (this path needs no fake accumulator — its op-count is already scalar-independent).
     */
    fixedWindowCT(point, n, bits) {
      const W = FW_WINDOW;
      const size2 = 1 << W;
      const mask = bitMask(W);
      const table = new Array(size2);
      table[0] = this.ZERO;
      for (let i = 1; i < size2; i++)
        table[i] = table[i - 1].add(point);
      const windows = Math.ceil(bits / W);
      let acc = this.ZERO;
      for (let window2 = windows - 1; window2 >= 0; window2--) {
        if (window2 !== windows - 1)
          for (let d = 0; d < W; d++)
            acc = acc.double();
        const digit2 = Number(n >> BigInt(window2 * W) & mask);
        let sel = table[0];
        for (let i = 1; i < size2; i++)
          sel = i === digit2 ? table[i] : sel;
        acc = acc.add(sel);
      }
      return { p: acc, f: acc };
    }
    shouldBlind(point, cofactor) {
      if (this.randomBytes === void 0)
        return false;
      if (cofactor === _1n3)
        return true;
      if (point !== this.BASE)
        return false;
      if (this.baseCanBeBlinded === void 0)
        this.baseCanBeBlinded = this.mulUnsafe(this.BASE, this.Point.Fn.ORDER).is0();
      return this.baseCanBeBlinded;
    }
    mulSecret(point, scalar, cofactor, transform) {
      return this.shouldBlind(point, cofactor) ? this.mulCTBlinded(point, scalar, transform) : this.mulCT(point, scalar, transform);
    }
    mulUnsafe(point, scalar, transform) {
      this.assertPoint(point);
      if (!isPosBig(scalar))
        throw new Error("invalid scalar");
      const W = getWindowSize(point);
      if (W === 1 || scalar >= this.Point.Fn.ORDER)
        return mulAddUnsafe(this.Point, [point], [scalar], true);
      const precomputes = this.getWnafPrecomputes(W, point, this.bits, transform);
      return this.wnafCachedCT(precomputes, scalar).p;
    }
    // Remembers the window size used for precomputed wNAF multiplication of the given point
    // and drops any previously built tables. Usually only the base point is precomputed.
    // W=1 resets the point to the un-precomputed (table-less) paths.
    // W is additionally capped so tables stay under ~2 GiB ({@link TABLE_BYTES_MAX}).
    setWindowSize(point, W) {
      this.assertPoint(point);
      validateW(W, this.bits);
      const windows = Math.ceil((this.bits + BLIND_BITS) / W) + 1;
      validateTableBytes(windows * 2 ** (W - 1), this.Point.Fp.BYTES);
      pointWindowSizes.set(point, W);
      this.wnafPrecomputes.delete(point);
    }
    // True when a window size is set: tables themselves are built lazily on first multiply.
    hasWindowSize(point) {
      return getWindowSize(point) !== 1;
    }
  };
  function mulAddUnsafe(c, points, scalars, allowOversized = false) {
    validatePointCons(c);
    validateMSMPoints(points, c);
    abool2(allowOversized, "allowOversized");
    validateMSMScalars(scalars, c.Fn, allowOversized ? c.Fn.ORDER ** _4n2 : void 0);
    if (points.length !== scalars.length)
      throw new Error("arrays of points and scalars must have equal length");
    const tables = points.map((p) => oddMultiples(p, 4));
    const digits = scalars.map((n) => wnafDigits(n, 4));
    return wnafWalk(c.ZERO, tables, digits);
  }
  function createField(order, field, isLE2) {
    if (field) {
      if (field.ORDER !== order)
        throw new Error("Field.ORDER must match order: Fp == p, Fn == n");
      validateField(field);
      return field;
    } else {
      return Field(order, { isLE: isLE2 });
    }
  }
  function createCurveFields(type, CURVE, curveOpts = {}, FpFnLE) {
    if (type !== "weierstrass" && type !== "edwards")
      throw new Error('expected curve type "weierstrass" or "edwards"');
    if (FpFnLE === void 0)
      FpFnLE = type === "edwards";
    if (!CURVE || typeof CURVE !== "object")
      throw new Error(`expected valid ${type} CURVE object`);
    validateObject(curveOpts);
    for (const p of ["p", "n", "h"]) {
      const val = CURVE[p];
      if (!(isPosBig(val) && val !== _0n3))
        throw new Error(`CURVE.${p} must be positive bigint`);
    }
    const Fp2 = createField(CURVE.p, curveOpts.Fp, FpFnLE);
    const Fn = createField(CURVE.n, curveOpts.Fn, FpFnLE);
    const _b = type === "weierstrass" ? "b" : "d";
    const params = ["Gx", "Gy", "a", _b];
    for (const p of params) {
      if (!Fp2.isValid(CURVE[p]))
        throw new Error(`CURVE.${p} must be valid field element of CURVE.Fp`);
    }
    CURVE = Object.freeze(Object.assign({}, CURVE));
    return { CURVE, Fp: Fp2, Fn };
  }
  function createKeygen(randomSecretKey, getPublicKey) {
    return function keygen(seed) {
      const secretKey = randomSecretKey(seed);
      return { secretKey, publicKey: getPublicKey(secretKey) };
    };
  }

  // node_modules/@noble/curves/abstract/edwards.js
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n4 = /* @__PURE__ */ BigInt(0);
  var _1n4 = /* @__PURE__ */ BigInt(1);
  var _2n2 = /* @__PURE__ */ BigInt(2);
  var _4n3 = /* @__PURE__ */ BigInt(4);
  var _8n2 = /* @__PURE__ */ BigInt(8);
  function isEdValidXY(Fp2, CURVE, x, y) {
    const x2 = Fp2.sqr(x);
    const y2 = Fp2.sqr(y);
    const left = Fp2.add(Fp2.mul(CURVE.a, x2), y2);
    const right = Fp2.add(Fp2.ONE, Fp2.mul(CURVE.d, Fp2.mul(x2, y2)));
    return Fp2.eql(left, right);
  }
  function edwards(params, extraOpts = {}) {
    validateObject(extraOpts, {}, {}, "extraOpts");
    const opts = extraOpts;
    const validated = createCurveFields("edwards", params, opts, opts.FpFnLE);
    const { Fp: Fp2, Fn } = validated;
    let CURVE = validated.CURVE;
    const { h: cofactor } = CURVE;
    if (FpLegendre(Fp2, CURVE.a) !== 1)
      throw new Error("edwards: CURVE.a must be a square in Fp for complete addition formulas");
    if (FpLegendre(Fp2, CURVE.d) !== -1)
      throw new Error("edwards: CURVE.d must be a non-square in Fp for complete addition formulas");
    validateObject(opts, {}, { uvRatio: "function", randomBytes: "function" });
    const randomBytes4 = opts.randomBytes === void 0 ? randomBytes2 : opts.randomBytes;
    const MASK = _2n2 << BigInt(Fp2.BYTES * 8) - _1n4;
    function isOdd(n) {
      if (!Fp2.isOdd)
        throw new Error("Field does not have .isOdd()");
      return Fp2.isOdd(n);
    }
    const uvRatio2 = opts.uvRatio === void 0 ? (u, v) => {
      try {
        return { isValid: true, value: Fp2.sqrt(Fp2.div(u, v)) };
      } catch (e) {
        return { isValid: false, value: _0n4 };
      }
    } : opts.uvRatio;
    if (!isEdValidXY(Fp2, CURVE, CURVE.Gx, CURVE.Gy))
      throw new Error("bad curve params: generator point");
    const mulA = Fp2.eql(CURVE.a, Fp2.neg(Fp2.ONE)) ? (x) => Fp2.neg(x) : Fp2.eql(CURVE.a, Fp2.ONE) ? (x) => x : (x) => Fp2.mul(CURVE.a, x);
    function acoord(title, n, banZero = false) {
      const min = banZero ? _1n4 : _0n4;
      aInRange("coordinate " + title, n, min, MASK);
      return n;
    }
    function aedpoint(other) {
      if (!(other instanceof Point2))
        throw new Error("EdwardsPoint expected");
    }
    class Point2 {
      static BASE = new Point2(CURVE.Gx, CURVE.Gy, Fp2.ONE, Fp2.mul(CURVE.Gx, CURVE.Gy));
      static ZERO = new Point2(Fp2.ZERO, Fp2.ONE, Fp2.ONE, Fp2.ZERO);
      static Fp = Fp2;
      static Fn = Fn;
      X;
      Y;
      Z;
      T;
      constructor(X, Y, Z, T) {
        this.X = acoord("x", X);
        this.Y = acoord("y", Y);
        this.Z = acoord("z", Z, true);
        this.T = acoord("t", T);
        Object.freeze(this);
      }
      static CURVE() {
        return CURVE;
      }
      /**
       * Create one extended Edwards point from affine coordinates.
       * Does NOT validate that the point is on-curve or torsion-free.
       * Use `.assertValidity()` on adversarial inputs.
       */
      static fromAffine(p) {
        if (p instanceof Point2)
          throw new Error("extended point not allowed");
        const { x, y } = p || {};
        acoord("x", x);
        acoord("y", y);
        return new Point2(x, y, Fp2.ONE, Fp2.mul(x, y));
      }
      // Uses algo from RFC8032 5.1.3.
      static fromBytes(bytes, zip215 = false) {
        const len = Fp2.BYTES;
        const { a, d } = CURVE;
        bytes = copyBytes2(abytes3(bytes, len, "point"));
        abool2(zip215, "zip215");
        const normed = copyBytes2(bytes);
        const lastByte = bytes[len - 1];
        normed[len - 1] = lastByte & ~128;
        const y = bytesToNumberLE(normed);
        const max = zip215 ? MASK : Fp2.ORDER;
        aInRange("point.y", y, _0n4, max);
        const y2 = Fp2.sqr(y);
        const u = Fp2.sub(y2, Fp2.ONE);
        const v = Fp2.sub(Fp2.mulN(d, y2), a);
        let { isValid, value: x } = uvRatio2(u, v);
        if (!isValid)
          throw new Error("bad point: invalid y coordinate");
        const isXOdd = isOdd(x);
        const isLastByteOdd = (lastByte & 128) !== 0;
        if (!zip215 && Fp2.is0(x) && isLastByteOdd)
          throw new Error("bad point: x=0 and x_0=1");
        if (isLastByteOdd !== isXOdd)
          x = Fp2.neg(x);
        return Point2.fromAffine({ x, y });
      }
      static fromHex(hex2, zip215 = false) {
        return Point2.fromBytes(hexToBytes2(hex2), zip215);
      }
      get x() {
        return this.toAffine().x;
      }
      get y() {
        return this.toAffine().y;
      }
      precompute(windowSize = 6, isLazy = true) {
        wnaf.setWindowSize(this, windowSize);
        if (!isLazy)
          this.multiply(_2n2);
        return this;
      }
      // Useful in fromAffine() - not for fromBytes(), which always created valid points.
      assertValidity() {
        const p = this;
        const { a, d } = CURVE;
        if (p.is0())
          throw new Error("bad point: ZERO");
        const { X, Y, Z, T } = p;
        const X2 = Fp2.sqr(X);
        const Y2 = Fp2.sqr(Y);
        const Z2 = Fp2.sqr(Z);
        const Z4 = Fp2.sqr(Z2);
        const aX2 = Fp2.mul(X2, a);
        const left = Fp2.mul(Fp2.add(aX2, Y2), Z2);
        const right = Fp2.add(Z4, Fp2.mul(d, Fp2.mul(X2, Y2)));
        if (!Fp2.eql(left, right))
          throw new Error("bad point: equation left != right (1)");
        const XY = Fp2.mul(X, Y);
        const ZT = Fp2.mul(Z, T);
        if (!Fp2.eql(XY, ZT))
          throw new Error("bad point: equation left != right (2)");
      }
      // Compare one point to another.
      equals(other) {
        aedpoint(other);
        const { X: X1, Y: Y1, Z: Z1 } = this;
        const { X: X2, Y: Y2, Z: Z2 } = other;
        const X1Z2 = Fp2.mul(X1, Z2);
        const X2Z1 = Fp2.mul(X2, Z1);
        const Y1Z2 = Fp2.mul(Y1, Z2);
        const Y2Z1 = Fp2.mul(Y2, Z1);
        return Fp2.eql(X1Z2, X2Z1) && Fp2.eql(Y1Z2, Y2Z1);
      }
      is0() {
        return this.equals(Point2.ZERO);
      }
      negate() {
        return new Point2(Fp2.neg(this.X), this.Y, this.Z, Fp2.neg(this.T));
      }
      // Fast algo for doubling Extended Point.
      // https://hyperelliptic.org/EFD/g1p/auto-twisted-extended.html#doubling-dbl-2008-hwcd
      // Cost: 4M + 4S + 1*a + 6add + 1*2.
      double() {
        const { X: X1, Y: Y1, Z: Z1 } = this;
        const A = Fp2.sqr(X1);
        const B = Fp2.sqr(Y1);
        const C = Fp2.mul(Fp2.sqr(Z1), _2n2);
        const D = mulA(A);
        const x1y1 = Fp2.addN(X1, Y1);
        const E = Fp2.sub(Fp2.subN(Fp2.sqr(x1y1), A), B);
        const G = Fp2.addN(D, B);
        const F = Fp2.subN(G, C);
        const H = Fp2.subN(D, B);
        const X3 = Fp2.mul(E, F);
        const Y3 = Fp2.mul(G, H);
        const T3 = Fp2.mul(E, H);
        const Z3 = Fp2.mul(F, G);
        return new Point2(X3, Y3, Z3, T3);
      }
      // Fast algo for adding 2 Extended Points.
      // https://hyperelliptic.org/EFD/g1p/auto-twisted-extended.html#addition-add-2008-hwcd
      // Cost: 9M + 1*a + 1*d + 7add.
      add(other) {
        aedpoint(other);
        const { d } = CURVE;
        const { X: X1, Y: Y1, Z: Z1, T: T1 } = this;
        const { X: X2, Y: Y2, Z: Z2, T: T2 } = other;
        const A = Fp2.mul(X1, X2);
        const B = Fp2.mul(Y1, Y2);
        const C = Fp2.mul(Fp2.mulN(T1, d), T2);
        const D = Fp2.mul(Z1, Z2);
        const E = Fp2.sub(Fp2.subN(Fp2.mulN(Fp2.addN(X1, Y1), Fp2.addN(X2, Y2)), A), B);
        const F = Fp2.subN(D, C);
        const G = Fp2.addN(D, C);
        const H = Fp2.sub(B, mulA(A));
        const X3 = Fp2.mul(E, F);
        const Y3 = Fp2.mul(G, H);
        const T3 = Fp2.mul(E, H);
        const Z3 = Fp2.mul(F, G);
        return new Point2(X3, Y3, Z3, T3);
      }
      subtract(other) {
        aedpoint(other);
        return this.add(other.negate());
      }
      // Constant-time multiplication.
      multiply(scalar) {
        if (!Fn.isValidNot0(scalar))
          throw new RangeError("invalid scalar: expected 1 <= sc < curve.n");
        const { p, f } = wnaf.mulSecret(this, scalar, cofactor, normalize);
        return normalize([p, f])[0];
      }
      // Non-constant-time multiplication. Uses double-and-add algorithm.
      // It's faster, but should only be used when you don't care about
      // an exposed private key e.g. sig verification.
      // Keeps the same subgroup-scalar contract: 0 is allowed for public-scalar callers, but
      // n and larger values are rejected instead of being reduced mod n to the identity point.
      multiplyUnsafe(scalar) {
        if (!Fn.isValid(scalar))
          throw new RangeError("invalid scalar: expected 0 <= sc < curve.n");
        if (scalar === _0n4)
          return Point2.ZERO;
        if (this.is0() || scalar === _1n4)
          return this;
        return wnaf.mulUnsafe(this, scalar, normalize);
      }
      // Checks if point is of small order.
      // If you add something to small order point, you will have "dirty"
      // point with torsion component.
      // Clears cofactor and checks if the result is 0.
      isSmallOrder() {
        return this.clearCofactor().is0();
      }
      // Multiplies point by curve order and checks if the result is 0.
      // Returns `false` is the point is dirty.
      isTorsionFree() {
        return wnaf.mulUnsafe(this, CURVE.n).is0();
      }
      // Converts Extended point to default (x, y) coordinates.
      // Can accept precomputed Z^-1 - for example, from invertBatch.
      toAffine(invertedZ) {
        const p = this;
        let iz = invertedZ;
        if (iz != null && typeof iz !== "bigint")
          throw new TypeError('"invertedZ" expected bigint, got type=' + typeof iz);
        const { X, Y, Z } = p;
        const is0 = p.is0();
        if (iz == null)
          iz = is0 ? Fp2.create(_8n2) : Fp2.inv(Z);
        const x = Fp2.mul(X, iz);
        const y = Fp2.mul(Y, iz);
        const zz = Fp2.mul(Z, iz);
        if (is0)
          return { x: Fp2.ZERO, y: Fp2.ONE };
        if (!Fp2.eql(zz, Fp2.ONE))
          throw new Error("invZ was invalid");
        return { x, y };
      }
      clearCofactor() {
        if (cofactor === _1n4)
          return this;
        if (cofactor === _2n2)
          return this.double();
        if (cofactor === _4n3)
          return this.double().double();
        if (cofactor === _8n2)
          return this.double().double().double();
        return this.multiplyUnsafe(cofactor);
      }
      toBytes() {
        const { x, y } = this.toAffine();
        const bytes = Fp2.toBytes(y);
        bytes[bytes.length - 1] |= isOdd(x) ? 128 : 0;
        return bytes;
      }
      toHex() {
        return bytesToHex2(this.toBytes());
      }
      toString() {
        return `<Point ${this.is0() ? "ZERO" : this.toHex()}>`;
      }
    }
    const normalize = (points) => normalizeZ(Point2, points);
    const wnaf = new ScalarMultiplier(Point2, randomBytes4);
    if (wnaf.bits >= 6)
      Point2.BASE.precompute(6);
    Object.freeze(Point2.prototype);
    Object.freeze(Point2);
    return Point2;
  }
  function eddsa(Point2, cHash, eddsaOpts = {}) {
    validatePointCons(Point2);
    if (typeof cHash !== "function")
      throw new Error('"hash" function param is required');
    const hash = cHash;
    const opts = eddsaOpts;
    validateObject(opts, {}, {
      adjustScalarBytes: "function",
      randomBytes: "function",
      domain: "function",
      prehash: "function",
      zip215: "boolean",
      mapToCurve: "function",
      toMontgomery: "function",
      toMontgomerySecret: "function"
    });
    const { prehash } = opts;
    const { BASE, Fp: Fp2, Fn } = Point2;
    const outputLen = hash.outputLen;
    const expectedLen = 2 * Fp2.BYTES;
    if (outputLen !== void 0) {
      asafenumber(outputLen, "hash.outputLen");
      if (outputLen !== expectedLen)
        throw new Error(`hash.outputLen must be ${expectedLen}, got ${outputLen}`);
    }
    const randomBytes4 = opts.randomBytes === void 0 ? randomBytes2 : opts.randomBytes;
    const toMontgomery2 = opts.toMontgomery;
    const toMontgomerySecret2 = opts.toMontgomerySecret;
    const adjustScalarBytes2 = opts.adjustScalarBytes === void 0 ? (bytes) => bytes : opts.adjustScalarBytes;
    const domain = opts.domain === void 0 ? (data2, ctx, phflag) => {
      abool2(phflag, "phflag");
      if (ctx.length || phflag)
        throw new Error("Contexts/pre-hash are not supported");
      return data2;
    } : opts.domain;
    function modN_LE(hash2) {
      return Fn.create(bytesToNumberLE(hash2));
    }
    function getPrivateScalar(key) {
      const len = lengths.secretKey;
      abytes3(key, lengths.secretKey, "secretKey");
      const hashed = abytes3(hash(key), 2 * len, "hashedSecretKey");
      const head = adjustScalarBytes2(hashed.slice(0, len));
      const prefix = hashed.slice(len, 2 * len);
      const scalar = modN_LE(head);
      return { head, prefix, scalar };
    }
    function getExtendedPublicKey(secretKey) {
      const { head, prefix, scalar } = getPrivateScalar(secretKey);
      const point = BASE.multiply(scalar);
      const pointBytes = point.toBytes();
      return { head, prefix, scalar, point, pointBytes };
    }
    function getPublicKey(secretKey) {
      return getExtendedPublicKey(secretKey).pointBytes;
    }
    function hashDomainToScalar(context = Uint8Array.of(), ...msgs) {
      const msg = concatBytes3(...msgs);
      return modN_LE(hash(domain(msg, abytes3(context, void 0, "context"), !!prehash)));
    }
    function sign(msg, secretKey, options = {}) {
      validateObject(options, {}, {}, "options");
      msg = copyBytes2(abytes3(msg, void 0, "message"));
      if (prehash)
        msg = prehash(msg);
      const { prefix, scalar, pointBytes } = getExtendedPublicKey(secretKey);
      const r = hashDomainToScalar(options.context, prefix, msg);
      const R = BASE.multiply(r).toBytes();
      const k = hashDomainToScalar(options.context, R, pointBytes, msg);
      const s = Fn.create(r + k * scalar);
      if (!Fn.isValid(s))
        throw new Error("sign failed: invalid s");
      const rs = concatBytes3(R, Fn.toBytes(s));
      return abytes3(rs, lengths.signature, "result");
    }
    const verifyOpts = {
      zip215: opts.zip215
    };
    function verify(sig, msg, publicKey, options = verifyOpts) {
      validateObject(options);
      const { context } = options;
      const zip215 = options.zip215 === void 0 ? !!verifyOpts.zip215 : options.zip215;
      const len = lengths.signature;
      sig = abytes3(sig, len, "signature");
      msg = abytes3(msg, void 0, "message");
      publicKey = abytes3(publicKey, lengths.publicKey, "publicKey");
      if (zip215 !== void 0)
        abool2(zip215, "zip215");
      if (prehash)
        msg = prehash(msg);
      const mid = len / 2;
      const r = sig.subarray(0, mid);
      const s = bytesToNumberLE(sig.subarray(mid, len));
      let A, R, SB;
      try {
        A = Point2.fromBytes(publicKey, zip215);
        R = Point2.fromBytes(r, zip215);
        SB = BASE.multiplyUnsafe(s);
      } catch (error) {
        return false;
      }
      if (!zip215 && A.isSmallOrder())
        return false;
      const k = hashDomainToScalar(context, r, publicKey, msg);
      const RkA = R.add(A.multiplyUnsafe(k));
      return RkA.subtract(SB).clearCofactor().is0();
    }
    const _size = Fp2.BYTES;
    const lengths = {
      secretKey: _size,
      publicKey: _size,
      signature: 2 * _size,
      seed: _size
    };
    function randomSecretKey(seed) {
      seed = seed === void 0 ? randomBytes4(lengths.seed) : seed;
      return abytes3(seed, lengths.seed, "seed");
    }
    function isValidSecretKey(key) {
      return isBytes3(key) && key.length === lengths.secretKey;
    }
    function isValidPublicKey(key, zip215) {
      try {
        return !!Point2.fromBytes(key, zip215 === void 0 ? verifyOpts.zip215 : zip215);
      } catch (error) {
        return false;
      }
    }
    const utils = {
      getExtendedPublicKey,
      randomSecretKey,
      isValidSecretKey,
      isValidPublicKey,
      /** Converts an Edwards public key to a companion Montgomery public key. */
      toMontgomery(publicKey) {
        if (toMontgomery2 === void 0)
          throw new Error("Montgomery conversion is not supported for this curve");
        return toMontgomery2(Point2.fromBytes(publicKey));
      },
      toMontgomerySecret(secretKey) {
        if (toMontgomerySecret2 === void 0)
          throw new Error("Montgomery conversion is not supported for this curve");
        return toMontgomerySecret2(secretKey);
      }
    };
    Object.freeze(lengths);
    Object.freeze(utils);
    return Object.freeze({
      keygen: createKeygen(randomSecretKey, getPublicKey),
      getPublicKey,
      sign,
      verify,
      utils,
      Point: Point2,
      lengths
    });
  }

  // node_modules/@noble/curves/ed25519.js
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _1n5 = /* @__PURE__ */ BigInt(1);
  var _2n3 = /* @__PURE__ */ BigInt(2);
  var _5n2 = /* @__PURE__ */ BigInt(5);
  var _8n3 = /* @__PURE__ */ BigInt(8);
  var ed25519_CURVE_p = /* @__PURE__ */ BigInt("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");
  var ed25519_CURVE = /* @__PURE__ */ (() => ({
    p: ed25519_CURVE_p,
    n: BigInt("0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"),
    h: _8n3,
    a: BigInt("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"),
    d: BigInt("0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"),
    Gx: BigInt("0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a"),
    Gy: BigInt("0x6666666666666666666666666666666666666666666666666666666666666658")
  }))();
  function ed25519_pow_2_252_3(x) {
    const _10n = BigInt(10), _20n = BigInt(20), _40n = BigInt(40), _80n = BigInt(80);
    const P = ed25519_CURVE_p;
    const x2 = x * x % P;
    const b2 = x2 * x % P;
    const b4 = pow2(b2, _2n3, P) * b2 % P;
    const b5 = pow2(b4, _1n5, P) * x % P;
    const b10 = pow2(b5, _5n2, P) * b5 % P;
    const b20 = pow2(b10, _10n, P) * b10 % P;
    const b40 = pow2(b20, _20n, P) * b20 % P;
    const b80 = pow2(b40, _40n, P) * b40 % P;
    const b160 = pow2(b80, _80n, P) * b80 % P;
    const b240 = pow2(b160, _80n, P) * b80 % P;
    const b250 = pow2(b240, _10n, P) * b10 % P;
    const pow_p_5_8 = pow2(b250, _2n3, P) * x % P;
    return { pow_p_5_8, b2 };
  }
  function adjustScalarBytes(bytes) {
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  }
  var ED25519_SQRT_M1 = /* @__PURE__ */ BigInt("19681161376707505956807079304988542015446066515923890162744021073123829784752");
  function uvRatio(u, v) {
    const P = ed25519_CURVE_p;
    const v3 = mod(v * v * v, P);
    const v7 = mod(v3 * v3 * v, P);
    const pow3 = ed25519_pow_2_252_3(u * v7).pow_p_5_8;
    let x = mod(u * v3 * pow3, P);
    const vx2 = mod(v * x * x, P);
    const root1 = x;
    const root2 = mod(x * ED25519_SQRT_M1, P);
    const useRoot1 = vx2 === u;
    const useRoot2 = vx2 === mod(-u, P);
    const noRoot = vx2 === mod(-u * ED25519_SQRT_M1, P);
    if (useRoot1)
      x = root1;
    if (useRoot2 || noRoot)
      x = root2;
    if (isNegativeLE(x, P))
      x = mod(-x, P);
    return { isValid: useRoot1 || useRoot2, value: x };
  }
  var ed25519_Point = /* @__PURE__ */ edwards(ed25519_CURVE, { uvRatio });
  var Fp = /* @__PURE__ */ (() => ed25519_Point.Fp)();
  function toMontgomery(point) {
    const { y } = point;
    return Fp.toBytes(Fp.div(_1n5 + y, _1n5 - y));
  }
  function toMontgomerySecret(secretKey) {
    const size2 = ed25519_Point.Fp.BYTES;
    abytes(secretKey, size2);
    return adjustScalarBytes(sha512(secretKey.subarray(0, size2))).subarray(0, size2);
  }
  function ed(opts) {
    return eddsa(ed25519_Point, sha512, Object.assign({ adjustScalarBytes, toMontgomery, toMontgomerySecret, zip215: true }, opts));
  }
  var ed25519 = /* @__PURE__ */ ed({});

  // node_modules/@noble/hashes/hmac.js
  var _HMAC = class {
    oHash;
    iHash;
    blockLen;
    outputLen;
    canXOF = false;
    finished = false;
    destroyed = false;
    constructor(hash, key) {
      ahash(hash);
      abytes(key, void 0, "key");
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("expected Hash instance");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean(pad);
    }
    update(buf) {
      aexists(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const buf = out.subarray(0, this.outputLen);
      this.iHash.digestInto(buf);
      this.oHash.update(buf);
      this.oHash.digestInto(buf);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to ||= Object.create(Object.getPrototypeOf(this), {});
      const { oHash, iHash, finished, destroyed, blockLen, outputLen, canXOF } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.canXOF = canXOF;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac = /* @__PURE__ */ (() => {
    const hmac_ = ((hash, key, message2) => new _HMAC(hash, key).update(message2).digest());
    hmac_.create = (hash, key) => new _HMAC(hash, key);
    return hmac_;
  })();

  // node_modules/@noble/hashes/hkdf.js
  var HKDF_COUNTER = /* @__PURE__ */ Uint8Array.of(0);
  var EMPTY_BUFFER = /* @__PURE__ */ Uint8Array.of();
  function expand(hash, prk, info, length = 32, _recycled) {
    ahash(hash);
    anumber(length, "length");
    abytes(prk, void 0, "prk");
    const olen = hash.outputLen;
    if (prk.length < olen)
      throw new Error('"prk" must be at least HashLen octets');
    if (length > 255 * olen)
      throw new Error("Length must be <= 255*HashLen");
    const blocks = Math.ceil(length / olen);
    if (info === void 0)
      info = EMPTY_BUFFER;
    else
      abytes(info, void 0, "info");
    if (!blocks) {
      if (_recycled)
        clean(prk);
      return new Uint8Array();
    }
    const okm = _recycled && blocks === 1 ? prk : new Uint8Array(blocks * olen);
    const { iHash, oHash } = hmac.create(hash, prk);
    const T = _recycled ? prk : new Uint8Array(olen);
    const worker = blocks > 1 ? _recycled?.iHash || hash.create() : void 0;
    for (let counter = 0; counter < blocks - 1; counter++) {
      HKDF_COUNTER[0] = counter + 1;
      const iWork = iHash._cloneInto(worker);
      if (counter)
        iWork.update(T);
      iWork.update(info).update(HKDF_COUNTER).digestInto(T);
      oHash._cloneInto(worker).update(T).digestInto(T);
      okm.set(T, olen * counter);
    }
    HKDF_COUNTER[0] = blocks;
    if (blocks > 1)
      iHash.update(T);
    iHash.update(info).update(HKDF_COUNTER).digestInto(T);
    oHash.update(T).digestInto(T);
    okm.set(T, olen * (blocks - 1));
    iHash.destroy();
    oHash.destroy();
    worker?.destroy();
    if (T !== okm)
      clean(T);
    clean(HKDF_COUNTER);
    if (length === okm.length)
      return okm;
    const res = okm.slice(0, length);
    clean(okm);
    return res;
  }
  var hkdf = (hash, ikm, salt, info, length) => {
    ahash(hash);
    if (salt === void 0)
      salt = new Uint8Array(hash.outputLen);
    const HMAC = hmac.create(hash, salt).update(ikm);
    return expand(hash, HMAC.digest(), info, length, HMAC);
  };

  // src/pairing.js
  var PROTOCOL = "ferry-pairing-v1";
  var VERSION = 1;
  var SECRET_BYTES = 32;
  var PAKE_BYTES = 33;
  var MAX_RECORD_BYTES = 256 * 1024;
  var TAG_BYTES = 16;
  var MAX_SEQ = Number.MAX_SAFE_INTEGER;
  var Q = 2n ** 255n - 19n;
  var Point = ed25519.Point;
  var L = Point.Fn.ORDER;
  var enc = new TextEncoder();
  var ascii = (s) => enc.encode(s);
  var S_HEX = "6f00dae87c1be1a73b5922ef431cd8f57879569c222d22b1cd71e8546ab8e6f1";
  var S = Point.fromHex(S_HEX);
  var AuthenticationError = class extends Error {
    constructor(message2, reason, byPeer = false) {
      super(message2);
      this.code = "auth";
      this.reason = reason;
      this.byPeer = byPeer;
    }
  };
  var malformed = (what) => new AuthenticationError(`pairing failed: a malformed message (${what})`, "malformed");
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  var toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  var bigBE = (b) => b.length ? BigInt("0x" + toHex(b)) : 0n;
  var bigLE = (b) => bigBE(Uint8Array.from(b).reverse());
  function equalBytes2(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function compareBytes(a, b) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function b64encode(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = bytes[i] << 16 | (bytes[i + 1] ?? 0) << 8 | (bytes[i + 2] ?? 0);
      out += B64[n >> 18 & 63] + B64[n >> 12 & 63];
      out += i + 1 < bytes.length ? B64[n >> 6 & 63] : "=";
      out += i + 2 < bytes.length ? B64[n & 63] : "=";
    }
    return out;
  }
  var b64Length = (n) => 4 * Math.floor((n + 2) / 3);
  function b64raw(text2) {
    if (text2.length % 4 || /[^A-Za-z0-9+/=]/.test(text2) || /=[^=]/.test(text2) || /={3,}$/.test(text2)) return null;
    const bytes = [];
    for (let i = 0; i < text2.length; i += 4) {
      const q = text2.slice(i, i + 4);
      const v = [...q].map((c) => c === "=" ? 0 : B64.indexOf(c));
      const n = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
      bytes.push(n >> 16 & 255);
      if (q[2] !== "=") bytes.push(n >> 8 & 255);
      if (q[3] !== "=") bytes.push(n & 255);
    }
    return Uint8Array.from(bytes);
  }
  function b64decode(value, field, { size: size2 = null, maxSize = 0 } = {}) {
    const limit = b64Length(size2 !== null ? size2 : maxSize);
    if (typeof value !== "string") throw malformed(`field '${field}' must be a base64 string`);
    if (value.length > limit) throw malformed(`field '${field}' is too long`);
    const data2 = b64raw(value);
    if (data2 === null) throw malformed(`field '${field}' is not base64`);
    if (b64encode(data2) !== value) throw malformed(`field '${field}' is not canonical base64`);
    if (size2 !== null && data2.length !== size2) throw malformed(`field '${field}' must hold ${size2} bytes, not ${data2.length}`);
    return data2;
  }
  function b64urlEncode(bytes) {
    return b64encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function b64urlDecode(text2) {
    if (/[^A-Za-z0-9_-]/.test(text2)) return null;
    const std = text2.replace(/-/g, "+").replace(/_/g, "/");
    const padded = std + "=".repeat((4 - std.length % 4) % 4);
    const data2 = b64raw(padded);
    return data2 && b64urlEncode(data2) === text2 ? data2 : null;
  }
  function password(mode, secret) {
    return concat(ascii(mode), new Uint8Array([0]), secret);
  }
  function passwordScalar(pw) {
    return bigBE(hkdf(sha256, pw, new Uint8Array(0), ascii("SPAKE2 pw"), 48)) % L;
  }
  var mul3 = (point, scalar) => scalar === 0n ? Point.ZERO : point.multiply(scalar);
  var Spake2 = class {
    /** `entropy` is 64 random bytes: the secret scalar is int_be(entropy) mod L. */
    constructor(pw, entropy, idSymmetric = ascii(PROTOCOL)) {
      this.pw = pw;
      this.id = idSymmetric;
      this.w = passwordScalar(pw);
      this.x = bigBE(entropy) % L;
      this.outbound = mul3(Point.BASE, this.x).add(mul3(S, this.w)).toBytes();
      this.message = concat(ascii("S"), this.outbound);
    }
    /** The SPAKE2 key, or an Error for a message that is not a valid peer message. */
    finish(message2) {
      if (message2.length !== PAKE_BYTES || message2[0] !== 83) throw new Error("not a symmetric SPAKE2 message");
      const body = message2.subarray(1);
      if ((bigLE(body) & (1n << 255n) - 1n) >= Q) throw new Error("not a canonical point");
      const P = Point.fromBytes(body);
      if (P.is0() || !P.isTorsionFree()) throw new Error("not in the prime-order subgroup");
      if (equalBytes2(P.toBytes(), this.outbound)) throw new Error("reflected");
      const K = mul3(P.subtract(mul3(S, this.w)), this.x);
      const [m1, m2] = [body, this.outbound].sort(compareBytes);
      return sha256(concat(sha256(this.pw), sha256(this.id), m1, m2, K.toBytes()));
    }
  };
  var lp = (b) => {
    const out = new Uint8Array(4 + b.length);
    new DataView(out.buffer).setUint32(0, b.length);
    out.set(b, 4);
    return out;
  };
  function transcriptHash(mode, pakeWaiter, pakeJoiner) {
    return sha256(concat(...[ascii(PROTOCOL), ascii(mode), pakeWaiter, pakeJoiner].map(lp)));
  }
  var LABELS = {
    "confirm waiter": 32,
    "confirm joiner": 32,
    "seal waiter": 32,
    "iv waiter": 12,
    "seal joiner": 32,
    "iv joiner": 12,
    verifier: 4,
    exporter: 32
  };
  function deriveKeys(spakeKey, th) {
    const keys = { transcript: th };
    for (const [label, n] of Object.entries(LABELS)) {
      keys[label] = hkdf(sha256, spakeKey, th, ascii(`${PROTOCOL} ${label}`), n);
    }
    return keys;
  }
  var confirmMac = (keys, role) => hmac(sha256, keys[`confirm ${role}`], keys.transcript);
  var proofPayload = (role, th) => concat(ascii(`${PROTOCOL} identity ${role}`), new Uint8Array([0]), th);
  var exportSecret = (exporter, label, n = 32) => hkdf(sha256, exporter, new Uint8Array(0), enc.encode(label), n);
  var B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  function peerIdOf(publicKey) {
    const digest = sha256(publicKey).subarray(0, 30);
    let bits = 0n;
    for (const b of digest) bits = bits << 8n | BigInt(b);
    let text2 = "";
    for (let i = 47; i >= 0; i--) text2 += B32[Number(bits >> BigInt(5 * i) & 31n)];
    return text2.match(/.{6}/g).join("-");
  }
  var Identity = class _Identity {
    constructor(seed) {
      this.seed = seed;
      this.publicKey = ed25519.getPublicKey(seed);
      this.peerId = peerIdOf(this.publicKey);
    }
    static generate() {
      return new _Identity(randomBytes3(32));
    }
    sign(data2) {
      return ed25519.sign(data2, this.seed);
    }
  };
  function verifySignature(publicKey, signature, data2) {
    try {
      return ed25519.verify(signature, data2, publicKey, { zip215: false });
    } catch {
      return false;
    }
  }
  function randomBytes3(n) {
    return globalThis.crypto.getRandomValues(new Uint8Array(n));
  }
  var int = (low, high) => (v, name2) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high) throw malformed(`field '${name2}' must be an integer from ${low} to ${high}`);
    return v;
  };
  var textField = (limit) => (v, name2) => {
    if (typeof v !== "string" || !(v.length > 0 && [...v].length <= limit)) throw malformed(`field '${name2}' must be a string of 1 to ${limit} characters`);
    return v;
  };
  var b64f = (size2) => (v, name2) => b64decode(v, name2, { size: size2 });
  var box = (v, name2) => {
    const data2 = b64decode(v, name2, { maxSize: MAX_RECORD_BYTES + TAG_BYTES });
    if (data2.length < TAG_BYTES) throw malformed(`field '${name2}' is shorter than an AES-GCM tag`);
    return data2;
  };
  var SCHEMA = {
    "pair-hello": { v: int(0, 2 ** 31), mode: textField(16), commit: b64f(32) },
    "pair-pake": { pake: b64f(PAKE_BYTES) },
    "pair-reveal": { pake: b64f(PAKE_BYTES), mac: b64f(32) },
    "pair-confirm": { mac: b64f(32) },
    sealed: { seq: int(0, MAX_SEQ), box },
    "pair-abort": { reason: textField(32) },
    "pair-identity": { key: b64f(32), sig: b64f(64) }
  };
  var isObject = (m) => m !== null && typeof m === "object" && !Array.isArray(m);
  function parse(message2, allowed = null) {
    if (!isObject(message2)) throw malformed("expected a JSON object");
    const kind2 = message2.type;
    if (typeof kind2 !== "string") throw malformed("the message has no string 'type'");
    const schema = Object.hasOwn(SCHEMA, kind2) ? SCHEMA[kind2] : null;
    if (!schema || allowed && !allowed.includes(kind2)) {
      throw new AuthenticationError("pairing failed: the peer sent a message that is not a pairing message", "unexpected");
    }
    const keys = Object.keys(message2).filter((k) => k !== "type");
    const wanted = Object.keys(schema);
    if (keys.length !== wanted.length || !keys.every((k) => Object.hasOwn(schema, k))) throw malformed(`${kind2}: wrong fields`);
    const fields = {};
    for (const [name2, check] of Object.entries(schema)) fields[name2] = check(message2[name2], name2);
    return [kind2, fields];
  }
  var PEER_REASONS = {
    "wrong-secret": "the code or secret did not match on its side",
    untrusted: "it does not trust this device",
    "bad-proof": "this side's identity proof did not verify there",
    mode: "it does not accept this way of pairing",
    timeout: "it gave up waiting",
    tampered: "it saw a message altered, replayed, reordered or dropped",
    malformed: "it received a malformed message",
    unexpected: "it received a message out of order"
  };
  function peerAbort(reason) {
    const known = Object.hasOwn(PEER_REASONS, reason) || reason === "incomplete" || reason === "other";
    const why = PEER_REASONS[reason] || `reason ${JSON.stringify(reason.slice(0, 32))}`;
    return new AuthenticationError(`pairing failed: the peer ended it (${why})`, known ? reason : "other", true);
  }
  function nonce(iv, seq) {
    const out = Uint8Array.from(iv);
    let n = BigInt(seq);
    for (let i = 11; i >= 0 && n > 0n; i--) {
      out[i] ^= Number(n & 255n);
      n >>= 8n;
    }
    return out;
  }
  function loadRecord(plaintext) {
    let value;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
    } catch {
      throw malformed("a sealed record does not hold JSON");
    }
    if (!isObject(value) || typeof value.type !== "string") throw malformed("a sealed record must hold a JSON object with a string 'type'");
    return value;
  }
  var SealedChannel = class {
    constructor(sendKey, sendIv, receiveKey, receiveIv, exporter) {
      Object.assign(this, { sendKey, sendIv, receiveKey, receiveIv, exporter });
      this.nextSend = 0;
      this.nextReceive = 0;
      this.error = null;
    }
    _alive() {
      if (this.error) throw new AuthenticationError(`the sealed channel is closed after a failure: ${this.error.message}`, this.error.reason, this.error.byPeer);
    }
    seal(message2) {
      this._alive();
      const plaintext = enc.encode(JSON.stringify(message2));
      if (plaintext.length > MAX_RECORD_BYTES) throw new RangeError("a sealed message holds at most 256 KiB of JSON");
      const seq = this.nextSend;
      const sealed = gcm(this.sendKey, nonce(this.sendIv, seq)).encrypt(plaintext);
      this.nextSend += 1;
      return { type: "sealed", seq, box: b64encode(sealed) };
    }
    open(message2) {
      this._alive();
      try {
        const [kind2, fields] = parse(message2, ["sealed", "pair-abort"]);
        if (kind2 === "pair-abort") throw peerAbort(fields.reason);
        return this.openRecord(fields.seq, fields.box);
      } catch (exc) {
        if (exc instanceof AuthenticationError && !this.error) this.error = exc;
        throw exc;
      }
    }
    openRecord(seq, sealedBox) {
      if (seq !== this.nextReceive) {
        throw new AuthenticationError(`pairing channel broken: record ${seq} arrived where ${this.nextReceive} was due`, "tampered");
      }
      let plaintext;
      try {
        plaintext = gcm(this.receiveKey, nonce(this.receiveIv, seq)).decrypt(sealedBox);
      } catch {
        throw new AuthenticationError(`pairing channel broken: record ${seq} failed authentication`, "tampered");
      }
      const value = loadRecord(plaintext);
      this.nextReceive += 1;
      return value;
    }
    export(label, n = 32) {
      return exportSecret(this.exporter, label, n);
    }
  };
  var WRONG_SECRET = {
    code: "pairing failed: the code did not match on both sides (a wrong or mistyped code, or someone guessing)",
    secret: "pairing failed: the link's secret did not match (a wrong, old or altered link)",
    trusted: "pairing failed: the key exchange did not confirm (the messages were altered on the way)"
  };
  var Handshake = class {
    constructor(role, identity, { secrets, trusted = /* @__PURE__ */ new Set(), entropy = randomBytes3 } = {}) {
      if (role !== "waiter" && role !== "joiner") throw new TypeError("role is waiter or joiner");
      const modes = Object.keys(secrets || {});
      if (!modes.length) throw new TypeError("pairing needs a code, a secret or trusted mode");
      if (role === "joiner" && modes.length !== 1) throw new TypeError("a joiner pairs one way");
      if (secrets.secret && secrets.secret.length !== SECRET_BYTES) throw new TypeError("a pairing secret is 32 bytes");
      Object.assign(this, { role, identity, secrets, trusted, entropy });
      this.peer = role === "waiter" ? "joiner" : "waiter";
      this.state = "idle";
      this.mode = modes.length === 1 ? modes[0] : null;
      this.result = null;
      this.channel = null;
      this.error = null;
      this._notice = null;
    }
    start() {
      if (this.state !== "idle") throw new Error("start() twice");
      if (this.role === "waiter") {
        this.state = "waiting";
        return [];
      }
      this._spake = new Spake2(password(this.mode, this.secrets[this.mode]), this.entropy(64));
      this.state = "hello-sent";
      return [{ type: "pair-hello", v: VERSION, mode: this.mode, commit: b64encode(sha256(this._spake.message)) }];
    }
    receive(message2) {
      if (this.state === "failed") throw this.error;
      if (this.state === "paired" || this.state === "idle") throw new Error(`receive() in state ${this.state}`);
      try {
        const [kind2, fields] = parse(message2);
        if (kind2 === "pair-abort") throw peerAbort(fields.reason);
        const handler = {
          "hello-sent": { "pair-pake": "_joinerOnPake" },
          revealed: { "pair-confirm": "_onConfirm" },
          confirmed: { sealed: "_onIdentity" },
          waiting: { "pair-hello": "_waiterOnHello" },
          "pake-sent": { "pair-reveal": "_waiterOnReveal" }
        }[this.state][kind2];
        if (!handler) throw new AuthenticationError(`pairing failed: ${kind2} arrived out of order`, "unexpected");
        return this[handler](fields);
      } catch (exc) {
        const error = exc instanceof AuthenticationError ? exc : new AuthenticationError(`pairing failed: ${exc.message}`, "other");
        this.fail(error);
        throw error;
      }
    }
    /** Fail from outside the machine (deadline, connection closed). */
    fail(error) {
      if (this.state === "failed") return;
      this.state = "failed";
      this.error = error;
      this._notice = error.byPeer ? null : { type: "pair-abort", reason: error.reason };
      this._spake = null;
      this._keys = null;
      this.secrets = {};
      if (this.channel && !this.channel.error) this.channel.error = error;
    }
    abortMessage() {
      const notice = this._notice;
      this._notice = null;
      return notice;
    }
    _waiterOnHello(fields) {
      if (fields.v !== VERSION) throw new AuthenticationError(`pairing failed: the peer speaks pairing version ${fields.v}`, "mode");
      if (!Object.hasOwn(this.secrets, fields.mode)) throw new AuthenticationError("pairing failed: the peer asked for a mode this side does not accept", "mode");
      this.mode = fields.mode;
      this._spake = new Spake2(password(this.mode, this.secrets[this.mode]), this.entropy(64));
      this._commit = fields.commit;
      this.state = "pake-sent";
      return [{ type: "pair-pake", pake: b64encode(this._spake.message) }];
    }
    _joinerOnPake(fields) {
      const keys = this._finishSpake(fields.pake, this._spake.message);
      const channel = this._newChannel(keys);
      const reveal = { type: "pair-reveal", pake: b64encode(this._spake.message), mac: b64encode(confirmMac(keys, this.role)) };
      const proof = channel.seal(this._identityRecord(keys));
      Object.assign(this, { _keys: keys, channel, _spake: null, state: "revealed" });
      return [reveal, proof];
    }
    _waiterOnReveal(fields) {
      if (!equalBytes2(sha256(fields.pake), this._commit)) {
        throw new AuthenticationError("pairing failed: the joiner's PAKE message does not match its commitment", "tampered");
      }
      const keys = this._finishSpake(this._spake.message, fields.pake);
      this._checkConfirm(keys, fields.mac);
      Object.assign(this, { _keys: keys, channel: this._newChannel(keys), _spake: null, state: "confirmed" });
      return [];
    }
    _onConfirm(fields) {
      this._checkConfirm(this._keys, fields.mac);
      this.state = "confirmed";
      return [];
    }
    _onIdentity(fields) {
      const keys = this._keys;
      const record = this.channel.openRecord(fields.seq, fields.box);
      if (record.type !== "pair-identity") throw new AuthenticationError("pairing failed: the peer's first sealed record is not its identity proof", "unexpected");
      const [, proof] = parse(record);
      if (!verifySignature(proof.key, proof.sig, proofPayload(this.peer, keys.transcript))) {
        throw new AuthenticationError("pairing failed: the peer's identity proof does not verify", "bad-proof");
      }
      const peerId = peerIdOf(proof.key);
      const trusted = this.trusted.has(peerId);
      if (this.mode === "trusted" && !trusted) throw new AuthenticationError(`pairing failed: peer ${peerId} is not trusted here`, "untrusted");
      let send = [];
      if (this.role === "waiter") {
        send = [{ type: "pair-confirm", mac: b64encode(confirmMac(keys, this.role)) }, this.channel.seal(this._identityRecord(keys))];
      }
      this.result = { peerId, peerKey: proof.key, verifierBytes: keys.verifier, trusted, mode: this.mode, role: this.role };
      this._keys = null;
      this.state = "paired";
      return send;
    }
    _finishSpake(pakeWaiter, pakeJoiner) {
      const peer = this.role === "waiter" ? pakeJoiner : pakeWaiter;
      let key;
      try {
        key = this._spake.finish(peer);
      } catch {
        throw new AuthenticationError("pairing failed: the peer's PAKE message is not a valid SPAKE2 message", "malformed");
      }
      this.spakeKey = key;
      return deriveKeys(key, transcriptHash(this.mode, pakeWaiter, pakeJoiner));
    }
    _checkConfirm(keys, mac) {
      if (!equalBytes2(confirmMac(keys, this.peer), mac)) throw new AuthenticationError(WRONG_SECRET[this.mode], "wrong-secret");
    }
    _newChannel(keys) {
      const r = this.role;
      const p = this.peer;
      return new SealedChannel(keys[`seal ${r}`], keys[`iv ${r}`], keys[`seal ${p}`], keys[`iv ${p}`], keys.exporter);
    }
    _identityRecord(keys) {
      return { type: "pair-identity", key: b64encode(this.identity.publicKey), sig: b64encode(this.identity.sign(proofPayload(this.role, keys.transcript))) };
    }
  };

  // src/link.js
  function parseFragment(fragment) {
    const text2 = fragment.replace(/^#/, "");
    const m = /^(send|receive)-([1-9][0-9]{0,8})-([A-Za-z0-9_-]{43})$/.exec(text2);
    if (!m) return null;
    const secret = b64urlDecode(m[3]);
    if (!secret || secret.length !== 32) return null;
    return { action: m[1], nameplate: m[2], secret };
  }

  // src/rendezvous.js
  var APP_ID = "ferry-engine/transfer/v1";
  var MAX_BODY = 64 * 1024;
  var MAX_MESSAGES = 256;
  var MAX_FRAME = 2 * MAX_BODY + 16 * 1024;
  var RendezvousError = class extends Error {
    constructor(message2, code2) {
      super(message2);
      this.code = code2;
    }
  };
  var PeerGone = class extends Error {
    constructor(message2 = "the other side closed the signaling") {
      super(message2);
      this.code = "peer-gone";
    }
  };
  var hexOf = (text2) => Array.from(new TextEncoder().encode(text2), (b) => b.toString(16).padStart(2, "0")).join("");
  function textOf(hex2) {
    if (typeof hex2 !== "string" || hex2.length % 2 || /[^0-9a-f]/.test(hex2)) throw new Error("body is not hex");
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(hex2.match(/../g) || [], (h) => parseInt(h, 16)));
  }
  function randomSide() {
    return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  var Mailbox = class {
    constructor(url, nameplate, { WebSocketImpl = globalThis.WebSocket, version = "web" } = {}) {
      if (!/^wss?:\/\//.test(url)) throw new RendezvousError(`not a rendezvous URL: ${url}`, "config");
      if (!/^[1-9][0-9]{0,8}$/.test(nameplate)) throw new RendezvousError("the link's number is malformed", "config");
      Object.assign(this, { url, nameplate, WebSocketImpl, version });
      this.side = randomSide();
      this.mailbox = null;
      this.peerSide = null;
      this.sent = 0;
      this.seen = /* @__PURE__ */ new Map();
      this.ready = /* @__PURE__ */ new Map();
      this.next = 0;
      this.peerBye = null;
      this.inbox = [];
      this.waiters = [];
      this.error = null;
      this.closed = false;
    }
    /** Connect, claim, open; resolves once the waiting side is known to be there. */
    open() {
      return new Promise((resolve, reject) => {
        let ws;
        try {
          ws = new this.WebSocketImpl(this.url);
        } catch (exc) {
          reject(new RendezvousError(`cannot reach the rendezvous server ${this.url}: ${exc.message}`, "rendezvous-unreachable"));
          return;
        }
        this.ws = ws;
        let opened = false;
        this._opened = (error) => {
          if (opened) return;
          opened = true;
          error ? reject(error) : resolve();
        };
        ws.onerror = () => this._fail(new RendezvousError(`cannot reach the rendezvous server ${this.url}`, "rendezvous-unreachable"));
        ws.onclose = () => this._fail(new RendezvousError("lost the rendezvous server", "rendezvous-unreachable"));
        ws.onmessage = (event) => {
          try {
            this._onServer(event.data);
          } catch (exc) {
            this._fail(exc instanceof RendezvousError ? exc : new RendezvousError(`rendezvous: ${exc.message}`, "rendezvous-protocol"));
          }
        };
      });
    }
    _command(command) {
      if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(command));
    }
    _onServer(data2) {
      if (typeof data2 !== "string" || data2.length > MAX_FRAME) throw new RendezvousError("the server sent an oversized or binary message", "rendezvous-protocol");
      const m = JSON.parse(data2);
      switch (m.type) {
        case "welcome":
          if (m.welcome && typeof m.welcome.error === "string") throw new RendezvousError(`the rendezvous server refuses service: ${m.welcome.error.slice(0, 200)}`, "rendezvous-refused");
          this._command({ type: "bind", appid: APP_ID, side: this.side, client_version: ["ferry", this.version] });
          this._command({ type: "claim", nameplate: this.nameplate });
          break;
        case "claimed":
          if (typeof m.mailbox !== "string") throw new Error("claimed without a mailbox");
          this.mailbox = m.mailbox;
          this._command({ type: "open", mailbox: this.mailbox });
          this._command({ type: "ping", ping: 1 });
          break;
        case "pong":
          if (!this.peerSide) {
            this._command({ type: "release", nameplate: this.nameplate });
            this._command({ type: "close", mailbox: this.mailbox, mood: "lonely" });
            throw new RendezvousError("nobody is waiting behind this link (it was used already, or the other side stopped)", "unknown-nameplate");
          }
          this._command({ type: "add", phase: "hello", body: hexOf("{}") });
          this._command({ type: "release", nameplate: this.nameplate });
          this._opened(null);
          break;
        case "message":
          this._onMessage(m);
          break;
        case "error":
          if (m.error === "crowded") throw new RendezvousError("someone else is already using this link", "crowded");
          throw new RendezvousError(`the rendezvous server reported an error: ${String(m.error).slice(0, 200)}`, "rendezvous-server-error");
        default:
          break;
      }
    }
    _onMessage(m) {
      if (m.side === this.side) return;
      if (typeof m.phase !== "string" || typeof m.body !== "string" || m.body.length > 2 * MAX_BODY) throw new RendezvousError("a malformed mailbox message", "rendezvous-protocol");
      if (this.peerSide === null) this.peerSide = m.side;
      else if (m.side !== this.peerSide) throw new RendezvousError("a third side wrote into the mailbox", "crowded");
      if (this.seen.has(m.phase)) {
        if (this.seen.get(m.phase) !== m.body) throw new RendezvousError(`two different messages for phase ${m.phase}`, "rendezvous-protocol");
        return;
      }
      this.seen.set(m.phase, m.body);
      if (this.seen.size > MAX_MESSAGES + 20) throw new RendezvousError("too many mailbox messages", "rendezvous-protocol");
      if (m.phase === "hello") return;
      if (m.phase === "bye") {
        const bye = JSON.parse(textOf(m.body));
        if (!Number.isSafeInteger(bye.messages) || bye.messages < this.next) throw new RendezvousError("a malformed bye", "rendezvous-protocol");
        this.peerBye = bye.messages;
      } else if (/^(0|[1-9][0-9]*)$/.test(m.phase)) {
        const n = Number(m.phase);
        if (n >= MAX_MESSAGES || this.peerBye !== null && n >= this.peerBye) throw new RendezvousError("a mailbox message out of range", "rendezvous-protocol");
        this.ready.set(n, JSON.parse(textOf(m.body)));
      } else {
        return;
      }
      while (this.ready.has(this.next)) {
        this.inbox.push(this.ready.get(this.next));
        this.ready.delete(this.next);
        this.next += 1;
      }
      this._wake();
    }
    _wake() {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    _fail(error) {
      if (this.closed || this.error) return;
      this.error = error;
      if (this._opened) this._opened(error);
      this._wake();
      try {
        this.ws.close();
      } catch {
      }
    }
    send(message2) {
      if (this.error) throw this.error;
      if (this.closed) throw new PeerGone("signaling is closed");
      const body = hexOf(JSON.stringify(message2));
      if (body.length > 2 * MAX_BODY || this.sent >= MAX_MESSAGES) throw new RangeError("a signaling message over the mailbox's bounds");
      this._command({ type: "add", phase: String(this.sent), body });
      this.sent += 1;
    }
    /** The other side's next message; throws PeerGone once it said bye, or the error. */
    async receive() {
      for (; ; ) {
        if (this.inbox.length) return this.inbox.shift();
        if (this.error) throw this.error;
        if (this.closed) throw new PeerGone("signaling is closed");
        if (this.peerBye !== null && this.next >= this.peerBye) throw new PeerGone();
        await new Promise((resolve) => this.waiters.push(resolve));
      }
    }
    close(mood = "happy") {
      if (this.closed) return;
      if (!this.error && this.mailbox) {
        this._command({ type: "add", phase: "bye", body: hexOf(JSON.stringify({ messages: this.sent })) });
        this._command({ type: "close", mailbox: this.mailbox, mood });
      }
      this.closed = true;
      this._wake();
      const ws = this.ws;
      if (ws) setTimeout(() => ws.close(), 500);
    }
  };

  // src/transfer.js
  var TransferFailed = class extends Error {
    constructor(message2, code2 = "failed", byPeer = false) {
      super(message2);
      this.code = code2;
      this.byPeer = byPeer;
    }
  };
  function negotiatedChunkLimit(local, peer) {
    const messageLimit = Math.min(local.max_message_size, peer.max_message_size) - CHUNK_FRAME_OVERHEAD;
    return Math.max(BASE_CHUNK_SIZE, Math.min(local.max_chunk_size, peer.max_chunk_size, messageLimit));
  }
  var hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  var same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  var FerryConnection = class {
    constructor({ window: window2 = DEFAULT_WINDOW, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE } = {}) {
      this.hello = {
        type: "HELLO",
        version: PROTOCOL_VERSION,
        max_message_size: maxMessageSize,
        max_chunk_size: maxMessageSize - CHUNK_FRAME_OVERHEAD,
        features: []
      };
      this.window = window2;
      this.peerHello = null;
      this.out = null;
      this.incoming = /* @__PURE__ */ new Map();
      this.maxIncoming = 64;
      this.failure = null;
    }
    get chunkLimit() {
      return this.peerHello ? negotiatedChunkLimit(this.hello, this.peerHello) : BASE_CHUNK_SIZE;
    }
    start() {
      return [this.hello];
    }
    // -- sending ----------------------------------------------------------------------------
    offer(transferId, name2, size2, { mimeType = "application/octet-stream", mtimeMs = 0, chunkSize = 64 * 1024 } = {}) {
      const problem = nameProblem(name2);
      if (problem) throw new TypeError(problem);
      const offer = {
        type: "OFFER",
        transfer_id: transferId,
        name: name2,
        size: size2,
        mime_type: mimeType,
        chunk_size: Math.min(Math.max(chunkSize, BASE_CHUNK_SIZE), this.chunkLimit),
        resume_key: "",
        mtime_ms: mtimeMs
      };
      this.out = { offer, state: "offered", credit: 0, next: 0, sha256: null };
      return [offer];
    }
    /** How many bytes may go out now (credit and size). */
    get sendable() {
      const o = this.out;
      return o && o.state === "sending" ? Math.min(o.credit, o.offer.size) - o.next : 0;
    }
    chunk(data2) {
      const o = this.out;
      if (!o || o.state !== "sending" || data2.length === 0 || data2.length > o.offer.chunk_size || o.next + data2.length > Math.min(o.credit, o.offer.size)) {
        throw new Error("a chunk outside the credit");
      }
      const frame = { type: "CHUNK", transfer_id: o.offer.transfer_id, offset: o.next, data: data2 };
      o.next += data2.length;
      return frame;
    }
    finish(sha2562) {
      const o = this.out;
      if (!o || o.state !== "sending" || o.next !== o.offer.size) throw new Error("EOF before every byte was sent");
      o.sha256 = sha2562;
      o.state = "eof-sent";
      return [{ type: "EOF", transfer_id: o.offer.transfer_id, size: o.offer.size, sha256: sha2562 }];
    }
    // -- receiving --------------------------------------------------------------------------
    accept(i, offset = 0) {
      i.state = "receiving";
      i.expected = i.durable = i.granted = offset;
      return [{ type: "ACCEPT", transfer_id: i.offer.transfer_id, offset }, ...this._grant(i)];
    }
    reject(i, code2, message2) {
      i.state = "failed";
      return [{ type: "REJECT", transfer_id: i.offer.transfer_id, code: code2, message: message2 }];
    }
    /** The sink made bytes below `upto` durable: grant more credit. */
    durable(i, upto) {
      if (i.state !== "receiving" && i.state !== "verifying") return [];
      if (upto <= i.durable) return [];
      i.durable = upto;
      return i.state === "receiving" ? this._grant(i) : [];
    }
    complete(i, sha2562) {
      if (!same(sha2562, i.sha256)) {
        i.state = "failed";
        return [{ type: "ERROR", transfer_id: i.offer.transfer_id, code: "integrity", message: "the SHA-256 of the received bytes differs from the sender's" }];
      }
      i.state = "completed";
      return [{ type: "DONE", transfer_id: i.offer.transfer_id, sha256: sha2562, stored_id: "" }];
    }
    _grant(i) {
      const limit = Math.min(i.durable + this.window, i.offer.size);
      if (limit <= i.granted) return [];
      if (limit < i.offer.size && limit - i.granted < Math.floor(this.window / 4)) return [];
      i.granted = limit;
      return [{ type: "WINDOW", transfer_id: i.offer.transfer_id, limit }];
    }
    cancel(reason = "cancelled") {
      const frames = [];
      for (const t of [this.out, ...this.incoming.values()]) {
        if (t && !["completed", "failed", "cancelled"].includes(t.state)) {
          t.state = "cancelled";
          frames.push({ type: "CANCEL", transfer_id: t.offer.transfer_id, reason });
        }
      }
      return frames;
    }
    // -- frames from the peer -------------------------------------------------------------------
    /**
     * Apply one decoded frame. Returns {send: frames, event: {...} | null}. A violation
     * throws ProtocolError (the caller answers ERROR and ends the connection).
     */
    receive(f) {
      if (f.type === "HELLO") {
        if (this.peerHello) throw new ProtocolError("HELLO received twice");
        this.peerHello = f;
        return { send: [], event: { kind: "hello" } };
      }
      if (!this.peerHello) throw new ProtocolError(`${f.type} before HELLO`);
      if (f.type === "ERROR" && f.transfer_id === null) {
        throw new TransferFailed(`the peer ended the connection: ${f.message}`, f.code, true);
      }
      if (f.type === "PING") return { send: [], event: null };
      if (f.type === "OFFER") return this._onOffer(f);
      const t = this.out && same(this.out.offer.transfer_id, f.transfer_id) ? this.out : this.incoming.get(hex(f.transfer_id));
      if (!t) {
        if (f.type === "CANCEL" || f.type === "ERROR") return { send: [], event: null };
        return { send: [{ type: "ERROR", transfer_id: f.transfer_id, code: "unknown-transfer", message: `${f.type} for an unknown transfer` }], event: null };
      }
      if (["completed", "failed", "cancelled"].includes(t.state)) return { send: [], event: null };
      if (f.type === "CANCEL") {
        t.state = "cancelled";
        return { send: [], event: { kind: "cancelled", reason: f.reason, transfer: t } };
      }
      if (f.type === "ERROR") {
        t.state = "failed";
        return { send: [], event: { kind: "failed", error: new TransferFailed(`the peer reported: ${f.message}`, f.code, true), transfer: t } };
      }
      return t === this.out ? this._asSender(f) : this._asReceiver(t, f);
    }
    _onOffer(f) {
      const id = hex(f.transfer_id);
      if (this.incoming.has(id) || this.out && same(this.out.offer.transfer_id, f.transfer_id)) throw new ProtocolError(`OFFER for transfer ${id}, which is already in use`);
      const open = [...this.incoming.values()].filter((t) => !["completed", "failed", "cancelled"].includes(t.state)).length;
      if (open >= this.maxIncoming) {
        return { send: [{ type: "REJECT", transfer_id: f.transfer_id, code: "busy", message: `${open} files are already on their way; offer this one when one ends` }], event: null };
      }
      if (f.chunk_size > this.chunkLimit) throw new ProtocolError(`OFFER chunk size ${f.chunk_size} exceeds the negotiated ${this.chunkLimit}`);
      const transfer = { offer: f, state: "offer-received", expected: 0, durable: 0, granted: 0, sha256: null };
      this.incoming.set(id, transfer);
      return { send: [], event: { kind: "offer", transfer } };
    }
    _asSender(f) {
      const o = this.out;
      if (o.state === "offered" && f.type === "ACCEPT") {
        if (f.offset > o.offer.size) throw new ProtocolError("ACCEPT past the size");
        if (f.offset !== 0) throw new ProtocolError("this page cannot resume: ACCEPT at a non-zero offset");
        o.state = "sending";
        o.next = o.credit = f.offset;
        return { send: [], event: { kind: "accepted" } };
      }
      if (o.state === "offered" && f.type === "REJECT") {
        o.state = "failed";
        return { send: [], event: { kind: "failed", error: new TransferFailed(`the receiver refused the file (${f.code}): ${f.message}`, f.code, true) } };
      }
      if ((o.state === "sending" || o.state === "eof-sent") && f.type === "WINDOW") {
        if (f.limit <= o.credit) throw new ProtocolError(`WINDOW to ${f.limit} does not advance the credit ${o.credit}`);
        o.credit = f.limit;
        return { send: [], event: { kind: "credit" } };
      }
      if (o.state === "eof-sent" && f.type === "DONE") {
        if (!same(f.sha256, o.sha256)) {
          o.state = "failed";
          const error = new TransferFailed("the receiver stored a file whose SHA-256 differs from ours", "integrity");
          return { send: [{ type: "ERROR", transfer_id: o.offer.transfer_id, code: "integrity", message: error.message }], event: { kind: "failed", error } };
        }
        o.state = "completed";
        return { send: [], event: { kind: "done", transfer: o } };
      }
      throw new ProtocolError(`unexpected ${f.type} in state ${o.state}`);
    }
    _asReceiver(i, f) {
      if (i.state === "receiving" && f.type === "CHUNK") {
        const end = f.offset + f.data.length;
        if (f.offset !== i.expected) throw new ProtocolError(`CHUNK at offset ${f.offset}, expected ${i.expected}`);
        if (f.data.length > i.offer.chunk_size) throw new ProtocolError("CHUNK larger than the offered chunk size");
        if (end > i.granted) throw new ProtocolError(`CHUNK ends at ${end}, past the granted credit ${i.granted}`);
        if (end > i.offer.size) throw new ProtocolError("CHUNK past the file size");
        i.expected = end;
        return { send: [], event: { kind: "data", offset: f.offset, data: f.data, transfer: i } };
      }
      if (i.state === "receiving" && f.type === "EOF") {
        if (f.size !== i.offer.size || i.expected !== i.offer.size) throw new ProtocolError("EOF before every byte arrived");
        i.state = "verifying";
        i.sha256 = f.sha256;
        return { send: [], event: { kind: "eof", sha256: f.sha256, transfer: i } };
      }
      throw new ProtocolError(`unexpected ${f.type} in state ${i.state}`);
    }
  };

  // src/page.js
  var DEFAULT_RENDEZVOUS = "wss://relay.magic-wormhole.io/v1";
  var BUFFER_THRESHOLD = 1 << 20;
  var CHUNK = 64 * 1024;
  var READ_BLOCK = 1 << 20;
  var SINK_BATCH = 256 * 1024;
  var HANDSHAKE_TIMEOUT_MS = 3e4;
  var CONNECT_TIMEOUT_MS = 3e4;
  var state = { phase: "waiting", name: null, bytes: 0, total: 0, sha256: null, error: null };
  window.ferryState = state;
  var files = [];
  window.ferryFiles = files;
  var $ = (id) => document.getElementById(id);
  var RENDER_INTERVAL_MS = 250;
  var renderQueued = false;
  function update(changes) {
    const phaseChanged = changes.phase !== void 0 && changes.phase !== state.phase;
    Object.assign(state, changes);
    if (phaseChanged) {
      render();
    } else if (!renderQueued) {
      renderQueued = true;
      setTimeout(() => {
        renderQueued = false;
        render();
      }, RENDER_INTERVAL_MS);
    }
  }
  var started = 0;
  var action = null;
  function human(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) n /= 1024, i++;
    return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
  }
  function render() {
    document.body.dataset.phase = state.phase;
    $("phase").textContent = {
      waiting: state.name ? "Ready" : "Waiting",
      connecting: "Connecting…",
      transferring: { send: "Sending", receive: "Receiving" }[action] || "Transferring",
      done: { send: "Sent", receive: "Received" }[action] || "Done",
      failed: "Failed"
    }[state.phase];
    $("name").textContent = state.name ? `${state.name} (${human(state.total)})` : "";
    const fraction = state.total ? state.bytes / state.total : state.phase === "done" ? 1 : 0;
    $("bar").value = fraction;
    let detail = "";
    if (state.phase === "transferring" && started) {
      const seconds = (performance.now() - started) / 1e3;
      const rate = seconds > 0 ? state.bytes / seconds : 0;
      const eta = rate > 0 ? (state.total - state.bytes) / rate : 0;
      detail = `${human(state.bytes)} of ${human(state.total)} · ${human(rate)}/s · ${Math.ceil(eta)} s left`;
    } else if (state.phase === "done") {
      detail = `SHA-256 ${state.sha256}`;
    }
    $("detail").textContent = detail;
    $("error").textContent = state.error || "";
    $("cancel").hidden = !(state.phase === "connecting" || state.phase === "transferring");
  }
  var Session = class {
    constructor(link, rendezvous) {
      this.link = link;
      this.rendezvous = rendezvous;
      this.conn = new FerryConnection();
      this.ended = false;
      this.wakeups = [];
      this.queue = [];
      this.current = null;
      this.received = 0;
      this.probes = /* @__PURE__ */ new Map();
    }
    fail(error) {
      if (this.ended) return;
      this.ended = true;
      console.warn("ferry:", error);
      update({ phase: "failed", error: explain(error, Boolean(this.link.code)) });
      this.teardown("errory");
    }
    /** End: tell the peer on the data channel first (CANCEL), let that leave, then say bye on
     * the signaling and close; the other side then hears why, not just that we left. */
    async teardown(mood) {
      const dc = this.dc;
      try {
        if (dc && dc.readyState === "open" && state.phase === "failed") {
          for (const f of this.conn.cancel(state.error || "failed")) dc.send(encode2(f));
        }
      } catch {
      }
      if (this.sink) this.sink.abort(state.error || "failed");
      this.wake();
      if (dc && dc.readyState === "open" && this.conn.peerHello) await this.roundTrip(5e3);
      if (this.channel && this.mailbox && !this.mailbox.closed && !this.mailbox.error) {
        try {
          this.mailbox.send(this.channel.seal({ type: "bye" }));
        } catch {
        }
      }
      if (this.mailbox) this.mailbox.close(mood);
      const pc = this.pc;
      if (pc) setTimeout(() => pc.close(), 1e3);
    }
    /** Wait until the peer has handled every frame sent so far: frames are handled in order,
     * and a frame for a transfer the peer does not know is answered with ERROR
     * unknown-transfer (protocol/connection.py), so a WINDOW for a random id is a probe. */
    roundTrip(timeoutMs) {
      const probe = randomBytes3(16);
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.probes.set(toHex(probe), () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          this.dc.send(encode2({ type: "WINDOW", transfer_id: probe, limit: 1 }));
        } catch {
          resolve();
        }
      });
    }
    wake() {
      const w = this.wakeups;
      this.wakeups = [];
      for (const f of w) f();
    }
    until(predicate) {
      return new Promise((resolve) => {
        const check = () => predicate() || this.ended ? resolve() : this.wakeups.push(check);
        check();
      });
    }
    async pair() {
      update({ phase: "connecting", error: null });
      this.mailbox = new Mailbox(this.rendezvous, this.link.nameplate);
      await this.mailbox.open();
      const secrets = this.link.code ? { code: new TextEncoder().encode(this.link.code) } : { secret: this.link.secret };
      const machine = new Handshake("joiner", Identity.generate(), { secrets });
      const deadline = setTimeout(() => {
        machine.fail(new AuthenticationError("pairing failed: the other side did not answer in time", "timeout"));
        this.mailbox._fail(machine.error);
      }, HANDSHAKE_TIMEOUT_MS);
      try {
        for (const m of machine.start()) this.mailbox.send(m);
        while (machine.state !== "paired") {
          const message2 = await this.mailbox.receive();
          let replies;
          try {
            replies = machine.receive(message2);
          } catch (exc) {
            const notice = machine.abortMessage();
            if (notice) this.mailbox.send(notice);
            this.mailbox.close("scary");
            throw exc;
          }
          for (const m of replies) this.mailbox.send(m);
        }
      } finally {
        clearTimeout(deadline);
      }
      this.channel = machine.channel;
      if (this.link.code) {
        $("verifier").textContent = `Verifier: ${wordsFor(machine.result.verifierBytes)}`;
        $("verifier").hidden = false;
      }
    }
    /** WebRTC through the sealed signaling, then both HELLOs; a peer gone silent (killed,
     * unreachable) fails it after CONNECT_TIMEOUT_MS instead of leaving the page waiting. */
    async connect() {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("no connection to the other side: it did not answer in time")), CONNECT_TIMEOUT_MS);
      });
      try {
        await Promise.race([this._connect(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    async _connect() {
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === "failed") this.fail(new Error("the WebRTC connection failed"));
      };
      const dc = pc.createDataChannel("ferry", { ordered: true });
      this.dc = dc;
      dc.binaryType = "arraybuffer";
      dc.bufferedAmountLowThreshold = BUFFER_THRESHOLD;
      dc.onbufferedamountlow = () => this.wake();
      dc.onmessage = (event) => this.onMessage(event.data);
      dc.onclose = () => {
        if (this.ended) return;
        if (this.received > 0 && !this.current && !this.queue.length) this.succeed();
        else this.fail(new PeerGone("the other side closed the connection"));
      };
      const opened = new Promise((resolve) => dc.onopen = resolve);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
      });
      this.mailbox.send(this.channel.seal({ type: "offer", sdp: pc.localDescription.sdp }));
      const answer = this.channel.open(await this.mailbox.receive());
      if (answer.type !== "answer" || typeof answer.sdp !== "string") throw new ProtocolError(`expected an SDP answer, got ${String(answer.type).slice(0, 32)}`);
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
      this.watchSignaling();
      await opened;
      this.sendFrames(this.conn.start());
      await this.until(() => this.conn.peerHello !== null);
    }
    /** The other side may end things through the sealed signaling: a bye, or nothing more. */
    async watchSignaling() {
      try {
        for (; ; ) {
          const message2 = this.channel.open(await this.mailbox.receive());
          if (message2.type === "bye") break;
        }
        if (!this.ended && this.received > 0 && !this.current && !this.queue.length) this.succeed();
      } catch (exc) {
        if (this.ended || exc instanceof PeerGone) return;
        this.fail(exc);
      }
    }
    sendFrames(frames) {
      for (const f of frames) this.dc.send(encode2(f));
    }
    onMessage(data2) {
      let frame;
      try {
        frame = decode(new Uint8Array(data2));
      } catch (exc) {
        if (this.ended) return;
        try {
          this.dc.send(encode2({ type: "ERROR", transfer_id: null, code: exc.code || "protocol", message: exc.message.slice(0, 1e3) }));
        } catch {
        }
        this.fail(exc);
        return;
      }
      if (frame.type === "ERROR" && frame.transfer_id && this.probes.has(toHex(frame.transfer_id))) {
        this.probes.get(toHex(frame.transfer_id))();
        this.probes.delete(toHex(frame.transfer_id));
        return;
      }
      if (this.ended) return;
      let result;
      try {
        result = this.conn.receive(frame);
      } catch (exc) {
        if (exc instanceof ProtocolError) {
          try {
            this.dc.send(encode2({ type: "ERROR", transfer_id: frame.transfer_id || null, code: "protocol", message: exc.message.slice(0, 1e3) }));
          } catch {
          }
        }
        this.fail(exc);
        return;
      }
      this.sendFrames(result.send);
      const event = result.event;
      if (event) this.onEvent(event);
      this.wake();
    }
    onEvent(event) {
      const t = event.transfer;
      switch (event.kind) {
        case "offer":
          this.queue.push(t);
          this.nextIncoming();
          break;
        case "data":
          t.sink.write(event.data);
          update({ bytes: event.offset + event.data.length });
          break;
        case "eof":
          this.finishReceiving(t).catch((exc) => this.fail(exc));
          break;
        case "done":
          files.push({ name: t.offer.name, size: t.offer.size, sha256: state.sha256 });
          this.succeed();
          break;
        case "cancelled":
          this.fail(new TransferFailed(`the other side cancelled${event.reason ? `: ${event.reason}` : ""}`, "cancelled", true));
          break;
        case "failed":
          this.fail(event.error);
          break;
        default:
          break;
      }
    }
    succeed() {
      if (this.ended) return;
      this.ended = true;
      update({ phase: "done", bytes: state.total });
      this.teardown("happy");
    }
    // -- sending ---------------------------------------------------------------------------------
    async sendFile(file) {
      const name2 = safeName(file.name);
      const transferId = randomBytes3(16);
      this.sendFrames(this.conn.offer(transferId, name2, file.size, { mimeType: safeMime(file.type), mtimeMs: Math.max(0, Math.floor(file.lastModified || 0)), chunkSize: CHUNK }));
      await this.until(() => this.conn.out.state !== "offered");
      if (this.ended) return;
      update({ phase: "transferring", name: name2, total: file.size, bytes: 0 });
      started = performance.now();
      const hash = await fileHasher();
      const chunkSize = this.conn.out.offer.chunk_size;
      const read = (at) => ({ at, promise: file.slice(at, Math.min(at + READ_BLOCK, file.size)).arrayBuffer() });
      let offset = 0;
      let pending = read(0);
      let block = null;
      while (offset < file.size && !this.ended) {
        if (!block || offset >= block.at + block.bytes.length) {
          const { at, promise } = pending;
          block = { at, bytes: new Uint8Array(await promise) };
          const after = at + block.bytes.length;
          if (after < file.size) pending = read(after);
          if (this.ended) return;
        }
        await this.until(() => this.conn.sendable > 0 && this.dc.bufferedAmount <= BUFFER_THRESHOLD);
        if (this.ended) return;
        const start = offset - block.at;
        const length = Math.min(chunkSize, this.conn.sendable, block.bytes.length - start);
        const data2 = block.bytes.subarray(start, start + length);
        hash.update(data2);
        this.dc.send(encode2(this.conn.chunk(data2)));
        offset += length;
        update({ bytes: offset });
      }
      if (this.ended) return;
      const digest = hash.digest();
      state.sha256 = toHex(digest);
      this.sendFrames(this.conn.finish(digest));
    }
    // -- receiving -------------------------------------------------------------------------------
    nextIncoming() {
      if (this.current || !this.queue.length || this.ended) return;
      const t = this.queue.shift();
      this.current = t;
      this.receiveFile(t).catch((exc) => this.fail(exc));
    }
    async receiveFile(t) {
      const name2 = t.offer.name.split("/").join("_");
      update({ phase: "transferring", name: name2, total: t.offer.size, bytes: 0, sha256: null });
      t.sink = await openSink(name2, t.offer.size, (upto) => {
        if (!this.ended) this.sendFrames(this.conn.durable(t, upto));
      });
      this.sink = t.sink;
      started = performance.now();
      this.sendFrames(this.conn.accept(t, 0));
    }
    async finishReceiving(t) {
      const digest = await t.sink.digest();
      if (this.ended) return;
      const frames = this.conn.complete(t, digest);
      if (frames[0].type !== "DONE") {
        this.sendFrames(frames);
        this.fail(new TransferFailed("the file's SHA-256 does not match what the sender declared: the partial download was discarded", "integrity"));
        return;
      }
      await t.sink.close();
      this.sink = null;
      this.sendFrames(frames);
      this.received += 1;
      this.current = null;
      files.push({ name: t.offer.name, size: t.offer.size, sha256: toHex(digest) });
      update({ phase: "done", bytes: t.offer.size, sha256: toHex(digest) });
      this.nextIncoming();
    }
    cancel() {
      if (this.ended) return;
      if (this.dc && this.dc.readyState === "open") this.sendFrames(this.conn.cancel("cancelled in the page"));
      this.fail(new TransferFailed("cancelled", "cancelled"));
    }
  };
  function safeName(name2) {
    let clean3 = String(name2 || "file").replace(/[\\/<>:"|?*\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, "_").replace(/[. ]+$/, "");
    if (nameProblem(clean3)) clean3 = `file-${Date.now()}`;
    return clean3;
  }
  function safeMime(type) {
    return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/.test(type || "") && type.length <= 255 ? type : "application/octet-stream";
  }
  function explain(error, byCode = false) {
    if (error instanceof AuthenticationError) {
      if (error.reason === "wrong-secret" && byCode) return "The code did not match on both sides (mistyped, or someone guessed): it is used up. Ask for a new code.";
      if (error.reason === "wrong-secret") return "This link does not match the other side: it is wrong, old, or altered. Ask for a new link.";
      return `Pairing failed (${error.reason}): ${error.message}`;
    }
    if (error instanceof RendezvousError) {
      if (error.code === "unknown-nameplate") return "Nobody is waiting behind this link or code: it was used already, or the other side stopped. Ask for a new one.";
      if (error.code === "crowded") return "Someone else is already using this link.";
      return `Rendezvous failed: ${error.message}`;
    }
    return error && error.message ? error.message : String(error);
  }
  async function openSink(name2, size2, onDurable) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller !== void 0) {
      try {
        return await serviceWorkerSink(name2, size2, onDurable);
      } catch (exc) {
        console.warn("ferry: no service-worker download stream:", exc);
      }
    }
    return blobSink(name2, onDurable, await fileHasher());
  }
  async function serviceWorkerSink(name2, size2, onDurable) {
    const registration = await navigator.serviceWorker.register("sw.js");
    const worker = registration.active || (await navigator.serviceWorker.ready).active;
    const id = toHex(randomBytes3(16));
    const channel = new MessageChannel();
    let ready;
    const isReady = new Promise((resolve) => ready = resolve);
    let closed;
    const isClosed = new Promise((resolve) => closed = resolve);
    let digested = null;
    channel.port1.onmessage = ({ data: data2 }) => {
      if (data2.ready) ready();
      if (data2.sha256 && digested) digested(new Uint8Array(data2.sha256));
      if (typeof data2.consumed === "number") onDurable(data2.consumed);
      if (data2.closed) closed();
    };
    worker.postMessage({ type: "ferry-download", id, name: name2, size: size2, port: channel.port2 }, [channel.port2]);
    await isReady;
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.src = `ferry-download/${id}/${encodeURIComponent(name2)}`;
    document.body.appendChild(frame);
    let batch = new Uint8Array(SINK_BATCH);
    let filled = 0;
    const flush = () => {
      if (!filled) return;
      const full = filled === batch.length ? batch : batch.slice(0, filled);
      channel.port1.postMessage({ chunk: full.buffer }, [full.buffer]);
      batch = new Uint8Array(SINK_BATCH);
      filled = 0;
    };
    return {
      kind: "service-worker",
      write(data2) {
        let at = 0;
        while (at < data2.length) {
          const n = Math.min(data2.length - at, batch.length - filled);
          batch.set(data2.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === batch.length) flush();
        }
      },
      digest() {
        flush();
        const answer = new Promise((resolve) => digested = resolve);
        channel.port1.postMessage({ digest: true });
        return answer;
      },
      async close() {
        flush();
        channel.port1.postMessage({ end: true });
        await isClosed;
      },
      abort(reason) {
        channel.port1.postMessage({ abort: String(reason) });
      }
    };
  }
  function blobSink(name2, onDurable, hash) {
    const parts = [];
    let total = 0;
    return {
      kind: "blob",
      write(data2) {
        hash.update(data2);
        parts.push(data2.slice());
        total += data2.length;
        onDurable(total);
      },
      async digest() {
        return hash.digest();
      },
      async close() {
        const a = document.createElement("a");
        a.href = URL.createObjectURL(new Blob(parts));
        a.download = name2;
        document.body.appendChild(a);
        a.click();
      },
      abort() {
        parts.length = 0;
      }
    };
  }
  function typedCode() {
    $("typed").hidden = false;
    return new Promise((resolve) => {
      $("typed").onsubmit = (event) => {
        event.preventDefault();
        try {
          const code2 = parseCode($("code").value);
          const file = $("code-file").files[0] || null;
          $("typed").hidden = true;
          resolve({ action: file ? "send" : "receive", nameplate: code2.nameplate, code: code2.text, file });
        } catch (exc) {
          if (!(exc instanceof CodeError)) throw exc;
          $("code-error").textContent = exc.message;
        }
      };
    });
  }
  async function main() {
    render();
    let link = parseFragment(location.hash);
    if (!link && !location.hash.replace(/^#/, "")) link = await typedCode();
    if (!link) {
      update({ phase: "failed", error: "This page needs a Ferry link: open the link that `ferry send --web` or `ferry receive --web` printed (the part after # is missing or damaged)." });
      return;
    }
    action = link.action;
    const params = new URLSearchParams(location.search);
    const rendezvous = params.get("rendezvous") || document.querySelector('meta[name="ferry-rendezvous"]')?.content || DEFAULT_RENDEZVOUS;
    const session = new Session(link, rendezvous);
    window.ferrySession = session;
    $("cancel").onclick = () => session.cancel();
    if (navigator.serviceWorker) navigator.serviceWorker.register("sw.js").catch(() => {
    });
    try {
      if (link.file) {
        update({ name: safeName(link.file.name), total: link.file.size });
        await session.pair();
        await session.connect();
        await session.sendFile(link.file);
      } else if (link.action === "send") {
        $("pick").hidden = false;
        const file = await new Promise((resolve) => $("file").onchange = () => $("file").files[0] && resolve($("file").files[0]));
        $("pick").hidden = true;
        update({ name: safeName(file.name), total: file.size });
        await session.pair();
        await session.connect();
        await session.sendFile(file);
      } else {
        await session.pair();
        await session.connect();
      }
    } catch (exc) {
      session.fail(exc);
    }
  }
  main();
})();
