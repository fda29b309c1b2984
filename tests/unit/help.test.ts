/**
 * The help centre's pure parts (ADR 0037): the markdown subset keeps text as text and only safe links;
 * search folds Persian letter forms and digits; every page of the app has a guide for its task; and
 * every guide is written in both languages — a Persian page missing, equal to the English or without
 * Persian text fails — with links that lead to guides and sections that exist.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { helpGuides, helpHref, helpTopicFor, isHelpSlug } from "../../app/domain/help/catalogue";
import { type Block, parseMarkdown, plainText, safeHref, splitTitle } from "../../app/domain/help/markdown";
import { foldForSearch, searchHelp } from "../../app/domain/help/search";

const contentDir = path.resolve(__dirname, "../../app/content/help");
const routesDir = path.resolve(__dirname, "../../app/routes");
const read = (locale: string, slug: string) => {
  const file = path.join(contentDir, locale, `${slug}.md`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
};
const links = (blocks: Block[]) =>
  blocks
    .flatMap((b) => (b.kind === "list" ? b.items.flat() : b.kind === "pre" ? [] : b.inline))
    .flatMap((p) => (p.kind === "link" ? [p.href] : []));

describe("the markdown subset", () => {
  it("reads headings with their anchors, lists, notes and preformatted text", () => {
    const blocks = parseMarkdown(
      "## First part {#first}\n\nSome **bold** and `code`.\n\n1. one\n2. two\n\n- a\n- b\n\n> careful\n\n```\nnpx shora verify x.zip\n```\n### Deeper",
    );
    expect(blocks.map((b) => b.kind)).toEqual(["heading", "paragraph", "list", "list", "note", "pre", "heading"]);
    expect(blocks[0]).toMatchObject({ level: 2, id: "first", inline: [{ kind: "text", text: "First part" }] });
    expect(blocks[1]).toMatchObject({
      inline: [
        { kind: "text", text: "Some " },
        { kind: "strong", text: "bold" },
        { kind: "text", text: " and " },
        { kind: "code", text: "code" },
        { kind: "text", text: "." },
      ],
    });
    expect(blocks[2]).toMatchObject({ ordered: true });
    expect(blocks[5]).toEqual({ kind: "pre", text: "npx shora verify x.zip" });
    expect(blocks[6]).toMatchObject({ level: 3, id: "deeper" });
  });

  it("keeps markup as text and only same-site or https links", () => {
    const blocks = parseMarkdown(
      "<img src=x onerror=alert(1)> [a](/help) [b](javascript:alert(1)) [c](//evil.example) [d](https://example.org/x) [e](data:text/html,x) [f](#top)",
    );
    expect(plainText(blocks)).toContain("<img src=x onerror=alert(1)>");
    expect(links(blocks)).toEqual(["/help", "https://example.org/x", "#top"]);
    expect(safeHref("/\\evil.example")).toBeNull();
    expect(safeHref("http://example.org")).toBeNull();
  });

  it("takes the first line as the title", () => {
    expect(splitTitle("# Title\n\nBody")).toEqual({ title: "Title", body: "\nBody" });
  });
});

describe("search", () => {
  const pages = [
    { href: "/a", title: "Voting", text: "Cast your ballot. The ballot id is on the receipt." },
    { href: "/b", title: "رأی دادن", text: "پس از رأی، شناسهٔ رأی را نگه دارید؛ ۱۲ نویسه." },
    { href: "/c", title: "Receipt", text: "The receipt: keep the ballot id." },
  ];
  it("finds pages holding every word, title matches first", () => {
    expect(searchHelp(pages, "receipt").map((h) => h.href)).toEqual(["/c", "/a"]);
    expect(searchHelp(pages, "ballot id").map((h) => h.href)).toEqual(["/a", "/c"]);
    expect(searchHelp(pages, "nothing here")).toEqual([]);
    expect(searchHelp(pages, "   ")).toEqual([]);
  });
  it("folds Arabic letter forms, hamza and Persian digits", () => {
    expect(foldForSearch("رأی")).toBe(foldForSearch("راي"));
    expect(searchHelp(pages, "راي").map((h) => h.href)).toEqual(["/b"]);
    expect(searchHelp(pages, "12").map((h) => h.href)).toEqual(["/b"]);
  });
  it("gives a snippet around the word", () => {
    const long = { href: "/l", title: "Long", text: `${"word ".repeat(100)}needle ${"more ".repeat(100)}` };
    const [hit] = searchHelp([long], "needle");
    expect(hit.snippet).toContain("needle");
    expect(hit.snippet.length).toBeLessThan(200);
  });
});

describe("help where it is needed", () => {
  /** A sample address of a route file (its parameters filled in). */
  const sample = (file: string) =>
    `/${file
      .replace(/\.tsx?$/, "")
      .replace(/(^|\.)_index$/, "")
      .replace(/\[\.(\w+)\]/g, ".$1")
      .replace(/_\./g, ".")
      .split(".")
      .map((part) => (part === "$slug" ? "demo" : part.startsWith("$") ? "x" : part.replace(/_$/, "")))
      .join("/")}`;

  it("maps the page of every route file to a guide that exists", () => {
    const files = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const { slug } = helpTopicFor(sample(file));
      expect(isHelpSlug(slug), file).toBe(true);
    }
  });

  it("sends each task to its own guide", () => {
    expect(helpHref("/m/demo/rounds/r/vote/north")).toBe("/help/vote");
    expect(helpHref("/m/demo/rounds/r/receipt")).toBe("/help/receipt");
    expect(helpHref("/m/demo/verify")).toBe("/help/verify");
    expect(helpHref("/m/demo/rounds/r/propose")).toBe("/help/propose");
    expect(helpHref("/m/demo/rounds/r/results")).toBe("/help/results");
    expect(helpHref("/signup")).toBe("/help/account");
    expect(helpHref("/m/demo/admin/rounds/r/paper")).toBe("/help/staff-census#paper-ballots");
    expect(helpHref("/m/demo/admin/moderation")).toBe("/help/staff-moderation");
    expect(helpHref("/m/demo/admin/rounds/r/tally")).toBe("/help/staff-round");
    expect(helpHref("/")).toBe("/help/getting-started");
  });
});

describe("the guides", () => {
  const persian = /[\u0600-\u06ff]/;
  const anchorsOf = (slug: string, locale: string) =>
    parseMarkdown(splitTitle(read(locale, slug) ?? "").body).flatMap((b) => (b.kind === "heading" ? [b.id] : []));

  for (const { slug } of helpGuides) {
    it(`${slug} is written in English and in Persian`, () => {
      const en = read("en", slug);
      const fa = read("fa", slug);
      expect(en, `app/content/help/en/${slug}.md`).not.toBeNull();
      expect(fa, `app/content/help/fa/${slug}.md is missing`).not.toBeNull();
      const enPage = splitTitle(en ?? "");
      const faPage = splitTitle(fa ?? "");
      expect(enPage.title).not.toBe("");
      expect(faPage.title).not.toBe(enPage.title);
      expect(faPage.title).toMatch(persian);
      expect(faPage.body.trim()).not.toBe(enPage.body.trim());
      const faText = plainText(parseMarkdown(faPage.body));
      // Mostly Persian: at least half of its letters (commands and file names stay Latin).
      const letters = faText.match(/\p{L}/gu) ?? [];
      const persianLetters = faText.match(/[\u0600-\u06ff]/g) ?? [];
      expect(persianLetters.length / letters.length).toBeGreaterThan(0.5);
      expect(faText.length).toBeGreaterThan(0.6 * plainText(parseMarkdown(enPage.body)).length);
      // Persian pages write numbers with Persian digits outside code and samples.
      const outsideCode = parseMarkdown(faPage.body)
        .filter((b) => b.kind !== "pre")
        .flatMap((b) => (b.kind === "list" ? b.items.flat() : "inline" in b ? b.inline : []))
        .filter((p) => p.kind === "text" || p.kind === "strong")
        .map((p) => p.text)
        .join(" ");
      expect(outsideCode.match(/\b\d+\b/g) ?? [], `Latin digits in fa/${slug}.md`).toEqual([]);
    });

    it(`${slug} has the same sections in both languages and links that lead somewhere`, () => {
      expect(anchorsOf(slug, "fa")).toEqual(anchorsOf(slug, "en"));
      for (const locale of ["en", "fa"]) {
        for (const href of links(parseMarkdown(splitTitle(read(locale, slug) ?? "").body))) {
          const guide = /^\/help\/([\w-]+)(?:#([\w-]+))?$/.exec(href);
          if (guide) {
            expect(isHelpSlug(guide[1]), `${locale}/${slug}.md links to ${href}`).toBe(true);
            if (guide[2])
              expect(anchorsOf(guide[1], locale), `${locale}/${slug}.md links to ${href}`).toContain(guide[2]);
          } else {
            expect(["/", "/help", "/privacy", "/forgot-password"], `${locale}/${slug}.md links to ${href}`).toContain(
              href,
            );
          }
        }
      }
    });
  }

  it("has no file that the catalogue does not list", () => {
    for (const locale of ["en", "fa"]) {
      const files = fs.readdirSync(path.join(contentDir, locale)).map((f) => f.replace(/\.md$/, ""));
      expect(files.filter((f) => !isHelpSlug(f))).toEqual([]);
    }
  });
});
