/** What a file is, told by its bytes (ADR 0034), and the widths and names derived from it. */
import { describe, expect, it } from "vitest";
import {
  checkAlt,
  checkPixels,
  contentDisposition,
  safeFileName,
  sniffMedia,
  widthsFor,
} from "../../app/domain/media/media";

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe("sniffMedia", () => {
  it("knows the kept formats by their first bytes, whatever the name", () => {
    expect(sniffMedia(bytes([0xff, 0xd8, 0xff, 0xe0]))).toMatchObject({ ok: true, format: "jpeg" });
    expect(sniffMedia(bytes([0x89], "PNG\r\n\u001a\n"))).toMatchObject({ ok: true, format: "png" });
    expect(sniffMedia(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 "))).toMatchObject({ ok: true, format: "webp" });
    expect(sniffMedia(bytes("GIF89a"))).toMatchObject({ ok: true, format: "gif" });
    expect(sniffMedia(bytes("%PDF-1.7\n%%EOF\n"))).toMatchObject({ ok: true, format: "pdf", kind: "document" });
  });
  it("refuses SVG (even behind a BOM and blanks), markup, other files and empty ones", () => {
    expect(sniffMedia(bytes([0xef, 0xbb, 0xbf], "  \n<svg onload=alert(1)>"))).toEqual({
      ok: false,
      code: "media_svg",
    });
    expect(sniffMedia(bytes("<!DOCTYPE html><html>"))).toEqual({ ok: false, code: "media_type" });
    expect(sniffMedia(bytes("MZ\u0090\u0000"))).toEqual({ ok: false, code: "media_type" });
    expect(sniffMedia(new Uint8Array())).toEqual({ ok: false, code: "media_empty" });
  });
  it("refuses a PDF that is also a page, has no end, or carries something after it", () => {
    expect(sniffMedia(bytes("%PDF-1.4\n<HTML><SCRIPT>x</SCRIPT>\n%%EOF"))).toEqual({
      ok: false,
      code: "media_polyglot",
    });
    expect(sniffMedia(bytes("%PDF-1.4\n1 0 obj\n"))).toEqual({ ok: false, code: "media_polyglot" });
    expect(sniffMedia(bytes("%PDF-1.4\n%%EOF\nPK\u0003\u0004"))).toEqual({ ok: false, code: "media_polyglot" });
    expect(sniffMedia(bytes("%PDF-1.4\n%%EOF\r\n  "))).toMatchObject({ ok: true });
  });
});

describe("limits and names", () => {
  it("pixels: refuses huge canvases and impossible sizes", () => {
    expect(checkPixels(6000, 4000)).toEqual({ ok: true });
    expect(checkPixels(30_000, 30_000).ok).toBe(false);
    expect(checkPixels(12_001, 10).ok).toBe(false);
    expect(checkPixels(0, 10).ok).toBe(false);
  });
  it("widths: never wider than the original", () => {
    expect(widthsFor(4000)).toEqual([320, 640, 1280]);
    expect(widthsFor(700)).toEqual([320, 640, 700]);
    expect(widthsFor(200)).toEqual([200]);
    expect(widthsFor(640)).toEqual([320, 640]);
  });
  it("alt text is required and short", () => {
    expect(checkAlt("  A  bench\n")).toEqual({ ok: true, alt: "A bench" });
    expect(checkAlt("")).toEqual({ ok: false, code: "media_alt_missing" });
    expect(checkAlt("x".repeat(301))).toEqual({ ok: false, code: "media_alt_long" });
  });
  it("file names lose paths, quotes and controls; the header carries UTF-8", () => {
    expect(safeFileName('C:\\a\\..\\b/"plan"\u0000.pdf', "d.pdf")).toBe("plan.pdf");
    expect(safeFileName("folder\\", "d.pdf")).toBe("d.pdf");
    expect(contentDisposition("طرح.pdf")).toBe(
      `attachment; filename="___.pdf"; filename*=UTF-8''${encodeURIComponent("طرح.pdf")}`,
    );
  });
});
