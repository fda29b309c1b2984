/**
 * Open311 GeoReport v2 in XML, the spec's other format (ADR 0039): the same fields as the JSON
 * answers, a list as repeated elements under the spec's root (`services`/`service`,
 * `service_requests`/`request`, `errors`/`error`), nested lists the same way (`attributes`/`attribute`,
 * `values`/`value`). Null is an empty element; every text is escaped, and characters XML 1.0 cannot
 * carry are dropped.
 */

/** The element of one item in a list element of this name. */
const ITEM_OF: Record<string, string> = {
  services: "service",
  service_requests: "request",
  errors: "error",
  attributes: "attribute",
  values: "value",
};

const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_OF[name] ?? "item";
    return `<${name}>${value.map((v) => element(item, v)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlText(String(value))}</${name}>`;
}

/** The XML document of an Open311 answer: `root` is the list's element (or the object's). */
export function open311Xml(root: string, body: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, body)}`;
}
