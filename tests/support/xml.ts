/**
 * A strict reader of the plain XML Open311 answers use (elements, text, the five entities, empty
 * elements; no attributes, comments or CDATA): throws on anything not well formed, so a test reads
 * what an XML client would.
 */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function readXml(source: string): XmlElement {
  const body = source.replace(/^<\?xml version="1\.0" encoding="utf-8"\?>\n/, "");
  if (body === source) throw new Error("no XML declaration");
  let at = 0;
  const text = (raw: string) =>
    raw.replace(/&([a-z]+);|&/g, (m, name: string | undefined) => {
      if (!name || !(name in ENTITIES)) throw new Error(`bad entity at ${at}: ${m}`);
      return ENTITIES[name];
    });
  function element(): XmlElement {
    const open = /^<([a-z_][a-z0-9_]*)(\/?)>/i.exec(body.slice(at));
    if (!open) throw new Error(`expected an element at ${at}: ${body.slice(at, at + 30)}`);
    at += open[0].length;
    const node: XmlElement = { name: open[1], children: [], text: "" };
    if (open[2]) return node;
    for (;;) {
      const close = `</${node.name}>`;
      if (body.startsWith(close, at)) {
        at += close.length;
        return node;
      }
      if (body.startsWith("</", at)) throw new Error(`mismatched close at ${at}: ${body.slice(at, at + 30)}`);
      if (body[at] === "<") node.children.push(element());
      else {
        const end = body.indexOf("<", at);
        if (end < 0) throw new Error("unterminated text");
        if (/[>]/.test(body.slice(at, end))) throw new Error(`raw > in text at ${at}`);
        node.text += text(body.slice(at, end));
        at = end;
      }
    }
  }
  const root = element();
  if (at !== body.length) throw new Error(`content after the root at ${at}`);
  return root;
}

/** The element's children as { name: text } (for a flat record such as one request). */
export function fieldsOf(element: XmlElement): Record<string, string> {
  return Object.fromEntries(element.children.map((c) => [c.name, c.text]));
}
