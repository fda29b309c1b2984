/**
 * Display names may not carry characters that change how the text around them reads or that cannot
 * be seen (ADR 0015): direction controls and invisible characters would let a resident look like
 * someone else on staff pages. The zero-width non-joiner (U+200C) stays: Persian spelling needs it.
 */
const HIDDEN = new RegExp(
  [
    "\\p{Cc}", // control characters (C0, DEL, C1)
    "\\u061c", // Arabic letter mark
    "\\u180e", // Mongolian vowel separator
    "\\u200b", // zero-width space
    "\\u200d", // zero-width joiner
    "\\u200e\\u200f", // left-to-right and right-to-left marks
    "\\u2028\\u2029", // line and paragraph separators
    "\\u202a-\\u202e", // embeddings and overrides
    "\\u2060-\\u2064", // word joiner and invisible operators
    "\\u2066-\\u2069", // isolates
    "\\u206a-\\u206f", // deprecated format characters
    "\\ufeff", // byte order mark / zero-width no-break space
    "\\ufff9-\\ufffb", // interlinear annotation
  ]
    .map((part) => `[${part}]`)
    .join("|"),
  "u",
);

/** Whether a display name is free of direction controls and invisible characters. */
export function nameIsPlain(name: string): boolean {
  return !HIDDEN.test(name);
}

/** The zod/refine message key the forms turn into "… contains invisible or direction characters". */
export const NAME_CHARACTERS = "name_characters";

/** Names inside sentences are isolated by the translation layer (it is in every page's bundle). */
export { isolated } from "../i18n";
