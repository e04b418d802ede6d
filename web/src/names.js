// Names from a peer are untrusted: the same rules as protocol/names.py, to the letter.
import { MAX_NAME_BYTES, MAX_NAME_COMPONENT_BYTES, MAX_NAME_DEPTH } from "./limits.js";

const DEVICES = new Set([
  "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
  ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
  ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
  "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³",
]);
const FORBIDDEN = new Set('\\<>:"|?*');
const DRIVE = /^[A-Za-z]:/;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const ENCODER = new TextEncoder();

/** Control, format (bidi overrides...), surrogate and line/paragraph separators. */
export function isUnprintable(ch) {
  return UNPRINTABLE.test(ch);
}

export function utf8Length(text) {
  return ENCODER.encode(text).length;
}

function hasLoneSurrogate(text) {
  return /\p{Cs}/u.test(text);
}

// Python's str.upper() then rstrip(" "): what a Windows device check compares.
function deviceStem(part) {
  return part.split(".")[0].toUpperCase().replace(/ +$/, "");
}

/** Why `name` is not a safe relative path, or null when it is. */
export function nameProblem(name) {
  if (typeof name !== "string") return `name must be a string, got ${typeof name}`;
  if (!name) return "name is empty";
  if (hasLoneSurrogate(name)) return "name is not valid UTF-8 (lone surrogate)";
  const size = utf8Length(name);
  if (size > MAX_NAME_BYTES) return `name is ${size} bytes, more than ${MAX_NAME_BYTES}`;
  if (name.startsWith("/") || DRIVE.test(name)) return `name ${JSON.stringify(name)} is an absolute path`;
  for (const ch of name) {
    if (isUnprintable(ch)) return `name contains control character U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    if (FORBIDDEN.has(ch)) return `name contains forbidden character ${JSON.stringify(ch)}`;
  }
  const parts = name.split("/");
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
