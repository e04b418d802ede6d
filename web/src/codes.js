// Codes a person types: <number>-<word>-<word>, as protocol/pairing/codes.py reads them.
// Forgiving about case, spaces for dashes, blanks and leading zeros; precise about words:
// a word not in the list gets a suggestion, a word from the other list is out of order.
import { EVEN, ODD } from "./wordlist.js";

export const EXAMPLE = "7-crossover-clockwork";
const MAX_WORDS = 8;
const ODD_SET = new Set(ODD);
const EVEN_SET = new Set(EVEN);
const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];

export class CodeError extends Error {}

// Python's whitespace (str.isspace, and \s in its regular expressions), not JavaScript's:
// the same typed text must read the same on both sides.
const WS = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM = new RegExp(`^[${WS}]+|[${WS}]+$`, "g");
const SPLIT = new RegExp(`[${WS}-]+`);

const wordList = (position) => (position % 2 === 0 ? ODD : EVEN);

function closest(word, candidates) {
  // the nearest word by edit distance, if it is close (one or two letters off)
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

/** {nameplate, words, text} of what a person typed, or CodeError saying what is wrong. */
export function parseCode(typed) {
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

/** Bytes as PGP words, byte i from the even list when i is even (the verifier). */
export function wordsFor(bytes) {
  return Array.from(bytes, (b, i) => (i % 2 === 0 ? EVEN : ODD)[b]).join("-");
}
