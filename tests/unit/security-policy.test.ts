/**
 * A page's Content-Security-Policy (app/server/security-policy.server.ts): images from this site and
 * data: only, unless the page names a street map's tile server (ADR 0035), which `img-src` then allows
 * and nothing else; and how a tile URL template becomes that source.
 */
import { describe, expect, it } from "vitest";
import { imageSource, pagePolicy } from "../../app/server/security-policy.server";
import { tileImageSource, tileUrlValid } from "../../app/services/geo/maps.server";

const directive = (policy: string, name: string) =>
  policy
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe("pagePolicy", () => {
  it("allows images from this site and data: only, by default", () => {
    expect(directive(pagePolicy("n0nce"), "img-src")).toBe("img-src 'self' data:");
  });

  it("adds a tile server's origin to img-src, and to nothing else", () => {
    const policy = pagePolicy("n0nce", [], ["https://tiles.example.org"]);
    expect(directive(policy, "img-src")).toBe("img-src 'self' data: https://tiles.example.org");
    expect(policy.match(/tiles\.example\.org/g)).toHaveLength(1);
    expect(directive(policy, "default-src")).toBe("default-src 'self'");
    expect(directive(policy, "script-src")).toBe("script-src 'self' 'nonce-n0nce'");
    expect(directive(policy, "form-action")).toBe("form-action 'self'");
  });

  it("takes a wildcard host and a port, and drops anything that could widen or break the policy", () => {
    const policy = pagePolicy(
      "n",
      [],
      [
        "https://*.tile.example.org",
        "https://tiles.example.org:8443",
        "http://plain.example.org",
        "https://a.example.org; script-src *",
        "*",
        "https://tiles.example.org/path",
        "https://*.tile.example.org",
      ],
    );
    expect(directive(policy, "img-src")).toBe(
      "img-src 'self' data: https://*.tile.example.org https://tiles.example.org:8443",
    );
    expect(directive(policy, "script-src")).toBe("script-src 'self' 'nonce-n'");
  });

  it("keeps e-ID form targets and tile sources apart", () => {
    const policy = pagePolicy("n", ["https://id.example.org/realms/x"], ["https://tiles.example.org"]);
    expect(directive(policy, "form-action")).toBe("form-action 'self' https://id.example.org");
    expect(directive(policy, "img-src")).toBe("img-src 'self' data: https://tiles.example.org");
  });

  it("names only sources it accepts", () => {
    expect(imageSource("https://tiles.example.org")).toBe("https://tiles.example.org");
    expect(imageSource("https://tiles.example.org 'unsafe-inline'")).toBeNull();
    expect(imageSource("data:")).toBeNull();
  });
});

describe("a tile URL template", () => {
  it("is https with {z}, {x} and {y}, and only the placeholders Leaflet fills in", () => {
    expect(tileUrlValid("https://tile.openstreetmap.org/{z}/{x}/{y}.png")).toBe(true);
    expect(tileUrlValid("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png")).toBe(true);
    expect(tileUrlValid("http://tile.example.org/{z}/{x}/{y}.png")).toBe(false);
    expect(tileUrlValid("https://tile.example.org/{z}/{x}.png")).toBe(false);
    expect(tileUrlValid("https://tile.example.org/{z}/{x}/{y}.png?key={apikey}")).toBe(false);
    expect(tileUrlValid("https://tiles{s}.example.org/{z}/{x}/{y}.png")).toBe(false);
    expect(tileUrlValid("https://user:pw@tile.example.org/{z}/{x}/{y}.png")).toBe(false);
    expect(tileUrlValid(`https://tile.example.org/${"a".repeat(300)}/{z}/{x}/{y}.png`)).toBe(false);
  });

  it("becomes the origin img-src names, or *.host for the provider's {s} servers", () => {
    expect(tileImageSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png")).toBe("https://tile.openstreetmap.org");
    expect(tileImageSource("https://tiles.example.org:8443/{z}/{x}/{y}.png")).toBe("https://tiles.example.org:8443");
    expect(tileImageSource("https://{s}.tile.example.org/{z}/{x}/{y}.png")).toBe("https://*.tile.example.org");
    expect(tileImageSource("http://tile.example.org/{z}/{x}/{y}.png")).toBeNull();
    for (const url of [
      "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      "https://{s}.tile.example.org/{z}/{x}/{y}.png",
    ])
      expect(imageSource(tileImageSource(url) ?? "")).not.toBeNull();
  });
});
