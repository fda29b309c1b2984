/**
 * Photos and documents attached to proposals, implementation updates and other records (ADR 0034):
 * what a file is, told by its first bytes and never by its name or the browser's claimed type, and
 * the limits every upload is held to. Pure: the re-encoding with sharp is in app/services/media/.
 */

/** Kinds kept. GIF is accepted but re-encoded like every image; SVG is refused (it can carry script). */
export type ImageFormat = "jpeg" | "png" | "webp" | "gif";
export type MediaFormat = ImageFormat | "pdf";

export type Sniffed =
  | { ok: true; format: MediaFormat; kind: "image" | "document" }
  | { ok: false; code: "media_svg" | "media_type" | "media_polyglot" | "media_empty" };

/** Widths every image is stored at (never wider than the original). */
export const IMAGE_WIDTHS = [320, 640, 1280] as const;
/** One uploaded image, before re-encoding. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** One PDF document. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Decoded pixels of one image (a small file can claim a huge canvas: a decompression bomb). */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Longest side of an uploaded image. */
export const MAX_IMAGE_SIDE = 12_000;
/** Attachments of one owner (a proposal, an update). */
export const MAX_IMAGES = 4;
export const MAX_DOCUMENTS = 3;
/** Alternative text of an image: required, and short. */
export const MAX_ALT_CHARS = 300;
/** A form carrying every attachment at its limit, plus the text fields. */
export const MAX_MEDIA_FORM_BYTES = MAX_IMAGES * MAX_IMAGE_BYTES + MAX_DOCUMENTS * MAX_DOCUMENT_BYTES + 1024 * 1024;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** Markup that makes a browser (or a careless proxy) treat bytes as a page. */
const MARKUP = ["<html", "<script", "<body", "<svg", "<iframe", "<!doctype", "<?xml", "<head", "<object", "<embed"];

/** Latin-1 view of bytes, lower-cased: enough to look for ASCII signatures in binary files. */
function latin1Lower(bytes: Uint8Array, length = bytes.length): string {
  let out = "";
  const end = Math.min(length, bytes.length);
  for (let i = 0; i < end; i += 8192) out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  return out.toLowerCase();
}

/** Whether the bytes look like markup (an SVG, an HTML page) after a BOM and white space. */
function looksLikeMarkup(bytes: Uint8Array): "svg" | "markup" | null {
  const text = latin1Lower(bytes, 4096).replace(/^\u00ef\u00bb\u00bf/, "");
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === 0 || text[start].trim() === "")) start++;
  const head = text.slice(start);
  if (!head.startsWith("<")) return null;
  return head.includes("<svg") ? "svg" : "markup";
}

/**
 * What the bytes are. Images are re-encoded afterwards, which removes anything riding along
 * (a script in a comment, an archive after the end); a PDF is kept byte for byte, so a PDF that is
 * also a page or an archive (a polyglot) is refused here.
 */
export function sniffMedia(bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) return { ok: false, code: "media_empty" };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { ok: true, format: "jpeg", kind: "image" };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { ok: true, format: "png", kind: "image" };
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8))
    return { ok: true, format: "webp", kind: "image" };
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a")))
    return { ok: true, format: "gif", kind: "image" };
  if (startsWith(bytes, ascii("%PDF-")))
    return isPolyglotPdf(bytes) ? { ok: false, code: "media_polyglot" } : { ok: true, format: "pdf", kind: "document" };
  const markup = looksLikeMarkup(bytes);
  if (markup === "svg") return { ok: false, code: "media_svg" };
  return { ok: false, code: "media_type" };
}

/** A PDF with page markup inside, or with something else (an archive) after its last `%%EOF`. */
export function isPolyglotPdf(bytes: Uint8Array): boolean {
  const text = latin1Lower(bytes);
  if (MARKUP.some((m) => text.includes(m))) return true;
  const end = text.lastIndexOf("%%eof");
  if (end < 0) return true;
  return text.slice(end + 5).trim().length > 0;
}

export type AltCheck = { ok: true; alt: string } | { ok: false; code: "media_alt_missing" | "media_alt_long" };

/** Alternative text of an image: required (a screen reader has nothing else), at most MAX_ALT_CHARS. */
export function checkAlt(alt: string | null | undefined): AltCheck {
  const trimmed = (alt ?? "").replace(/\s+/g, " ").trim();
  if (!trimmed) return { ok: false, code: "media_alt_missing" };
  if ([...trimmed].length > MAX_ALT_CHARS) return { ok: false, code: "media_alt_long" };
  return { ok: true, alt: trimmed };
}

export type SizeCheck = { ok: true } | { ok: false; code: "media_too_large" | "media_too_many_pixels" };

/** The byte limit of a sniffed file. */
export function checkBytes(kind: "image" | "document", length: number): SizeCheck {
  const max = kind === "image" ? MAX_IMAGE_BYTES : MAX_DOCUMENT_BYTES;
  return length > max ? { ok: false, code: "media_too_large" } : { ok: true };
}

/** The pixel limit of an image, from its header (checked before anything is decoded). */
export function checkPixels(width: number, height: number): SizeCheck {
  if (!(width > 0 && height > 0)) return { ok: false, code: "media_too_many_pixels" };
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    return { ok: false, code: "media_too_many_pixels" };
  return { ok: true };
}

/** The widths an image of `width` pixels is stored at: the standard widths below it, and its own (capped). */
export function widthsFor(width: number): number[] {
  const largest = IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1];
  const below = IMAGE_WIDTHS.filter((w) => w < width);
  const top = Math.min(width, largest);
  return [...new Set([...below, top])].sort((a, b) => a - b);
}

/** Height of a resized image, keeping the aspect ratio. */
export function scaledHeight(width: number, height: number, to: number): number {
  return Math.max(1, Math.round((height * to) / width));
}

/** A file name safe to put in a Content-Disposition header and on a page: no path, no controls. */
export function safeFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && !'"<>'.includes(c))
    .join("")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 120);
  return cleaned || fallback;
}

/** The `filename*` parameter (RFC 6266/8187) with an ASCII fallback. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/[\\;]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** The `sizes` of an image shown in a card or a page's column (at most 40rem wide). */
export const CARD_SIZES = "(max-width: 40rem) 100vw, 40rem";

/** `srcset` of the stored widths. */
export function srcSet(urlOf: (width: number) => string, widths: readonly number[]): string {
  return widths.map((w) => `${urlOf(w)} ${w}w`).join(", ");
}

/** The file fields of an attachment form: photos (each with `<field>Alt`) and PDFs (each with `<field>Alt`, a title). */
export const IMAGE_FIELDS = ["image1", "image2", "image3"] as const;
export const DOCUMENT_FIELDS = ["document1", "document2"] as const;
/** The checkboxes of attached media to remove carry this name and the medium's id. */
export const REMOVE_MEDIA_FIELD = "removeMedia";
/** `sizes` of a ballot card's photo: the 320 px file on a desktop card (the page weight budget, ADR 0011). */
export const CARD_IMAGE_SIZES = "(max-width: 40rem) 100vw, 18rem";
