/**
 * Files people hand to Shora — census and paper-ballot CSV files, `.pb` files — must be UTF-8 text.
 * Nothing guesses another encoding: a file saved as UTF-16 (Excel's "Unicode text"), Windows-1256
 * (Persian Windows) or Latin-1 is refused with the line of its first byte that is not UTF-8, so staff
 * can save it again as UTF-8 instead of importing garbled names. A NUL byte counts as not text: UTF-16
 * without a byte-order mark is all valid UTF-8 bytes, but half of them NUL.
 */

/** Where a file stops being UTF-8 text: the 1-based line, and whether a NUL byte or a non-UTF-8 byte. */
export interface NotText {
  line: number;
  reason: "nul" | "utf8";
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** The file as text (a leading byte-order mark dropped), or where it is not UTF-8 text. */
export function decodeTextFile(bytes: Uint8Array): { text: string } | { notText: NotText } {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return { notText: notTextIn(bytes) ?? { line: 1, reason: "utf8" } };
  }
  // Searching the text is much faster than searching a Uint8Array.
  const nul = text.indexOf("\u0000");
  if (nul < 0) return { text };
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < nul; i = text.indexOf("\n", i + 1)) line++;
  return { notText: { line, reason: "nul" } };
}

/** The first place the bytes are not UTF-8 text, or null (pure JavaScript, for callers without a fast check). */
export function notTextIn(bytes: Uint8Array): NotText | null {
  const nul = bytes.indexOf(0);
  const bad = firstNonUtf8(bytes, nul < 0 ? bytes.length : nul);
  if (bad >= 0) return { line: lineAt(bytes, bad), reason: "utf8" };
  return nul >= 0 ? { line: lineAt(bytes, nul), reason: "nul" } : null;
}

/** Offset of the first byte before `end` that does not start a well-formed UTF-8 sequence, or -1. */
function firstNonUtf8(bytes: Uint8Array, end: number): number {
  let i = 0;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0 || i + need >= bytes.length) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** The 1-based line holding byte `offset`. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}
