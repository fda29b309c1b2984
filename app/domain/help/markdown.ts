/**
 * The help centre's markdown subset (ADR 0037), read into plain data that a component turns into
 * React elements: text is never passed as HTML, so whatever staff or a guide writes is shown as text.
 *
 * Blocks: `## heading`, `### heading`, paragraphs (lines joined), `- item` lists, `1. item` lists,
 * ``` fenced ``` preformatted text, `> note`. A heading may name its anchor: `## Title {#anchor}`. Inline: `**strong**`, `` `code` ``, `[text](link)`, where a
 * link is kept only when it stays on the site (`/path`, `#anchor`) or is `https://`; anything else is
 * shown as its text.
 */

export type Inline =
  | { kind: "text"; text: string }
  | { kind: "strong"; text: string }
  | { kind: "code"; text: string }
  | { kind: "link"; text: string; href: string };

export type Block =
  | { kind: "heading"; level: 2 | 3; id: string; inline: Inline[] }
  | { kind: "paragraph"; inline: Inline[] }
  | { kind: "note"; inline: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "pre"; text: string };

/** A link target the help pages may carry: same-site paths and anchors, or https. */
export function safeHref(href: string): string | null {
  const h = href.trim();
  if (/^\/(?![/\\])[^\s]*$/.test(h)) return h;
  if (/^#[\w-]+$/.test(h)) return h;
  if (/^https:\/\/[^\s/]+[^\s]*$/.test(h)) return h;
  return null;
}

/** Inline marks of one line of text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const pattern = /\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: "text", text: text.slice(last, at) });
    if (m[1] !== undefined) out.push({ kind: "strong", text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: "code", text: m[2] });
    else {
      const href = safeHref(m[4]);
      out.push(href ? { kind: "link", text: m[3], href } : { kind: "text", text: m[3] });
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

/** An anchor for a heading: its words, lower case, joined with dashes (Persian letters kept). */
export function anchorOf(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[`*[\]()]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "") || "section"
  );
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const used = new Map<string, number>();
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: "paragraph", inline: parseInline(paragraph.join(" ")) });
    paragraph = [];
    if (list) blocks.push({ kind: "list", ordered: list.ordered, items: list.items.map(parseInline) });
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed.startsWith("```")) {
      flush();
      const text: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) text.push(lines[i]);
      blocks.push({ kind: "pre", text: text.join("\n") });
      continue;
    }
    if (trimmed === "") {
      flush();
      continue;
    }
    const heading = /^(#{2,3})\s+(.+)$/.exec(trimmed);
    if (heading) {
      flush();
      // `## Title {#anchor}` names the anchor, so both languages' pages share it.
      const named = /^(.*?)\s*\{#([a-z0-9-]+)\}$/.exec(heading[2]);
      const text = named ? named[1] : heading[2];
      const base = named ? named[2] : anchorOf(text);
      const n = used.get(base) ?? 0;
      used.set(base, n + 1);
      blocks.push({
        kind: "heading",
        level: heading[1].length as 2 | 3,
        id: n ? `${base}-${n + 1}` : base,
        inline: parseInline(text),
      });
      continue;
    }
    if (trimmed.startsWith("#")) {
      // A first-level heading is the page's title, read separately; deeper levels are shown as level 3.
      flush();
      const text = trimmed.replace(/^#+\s*/, "");
      if (text) blocks.push({ kind: "heading", level: 3, id: anchorOf(text), inline: parseInline(text) });
      continue;
    }
    const note = /^>\s?(.*)$/.exec(trimmed);
    if (note) {
      flush();
      blocks.push({ kind: "note", inline: parseInline(note[1]) });
      continue;
    }
    const item = /^(?:([-*])|(\d+|[۰-۹]+)[.)])\s+(.+)$/.exec(trimmed);
    if (item) {
      const ordered = item[1] === undefined;
      if (paragraph.length) {
        blocks.push({ kind: "paragraph", inline: parseInline(paragraph.join(" ")) });
        paragraph = [];
      }
      if (list && list.ordered !== ordered) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[3]);
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1] += ` ${trimmed}`;
      continue;
    }
    if (list) flush();
    paragraph.push(trimmed);
  }
  flush();
  return blocks;
}

/** The words of a page, for searching and for snippets (marks removed). */
export function plainText(blocks: Block[]): string {
  const inline = (parts: Inline[]) => parts.map((p) => p.text).join("");
  return blocks
    .map((b) => (b.kind === "list" ? b.items.map(inline).join(" ") : b.kind === "pre" ? b.text : inline(b.inline)))
    .join(" ");
}

/** A source's title (its first `# ` line) and the rest. */
export function splitTitle(source: string): { title: string; body: string } {
  const match = /^\s*#\s+(.+)\n?/.exec(source);
  if (!match) return { title: "", body: source };
  return { title: match[1].trim(), body: source.slice(match[0].length) };
}
