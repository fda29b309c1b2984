import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { channelLabel } from "../../app/components/labels";
import { actionLabel } from "../../app/web/action-labels.server";
import { translate } from "../../app/domain/i18n";

/** Every action name the services write to the action log (literal strings in app/services). */
function recordedActions(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) {
        const text = fs.readFileSync(full, "utf8");
        for (const m of text.matchAll(
          /\baction:\s*(?:existing\s*\?\s*)?"([a-z_]+\.[a-z_.]+)"(?:\s*:\s*"([a-z_]+\.[a-z_.]+)")?/g,
        ))
          for (const a of [m[1], m[2]]) if (a) found.add(a);
        for (const m of text.matchAll(/\b(?:log|logged)\(tx, scope, "([a-z_]+\.[a-z_]+)"/g)) found.add(m[1]);
        for (const m of text.matchAll(/\?\s*"(witness\.[a-z]+)"\s*:\s*"(witness\.[a-z]+)"/g)) found.add(m[1]).add(m[2]);
      }
    }
  };
  walk(path.resolve(import.meta.dirname, "../../app/services"));
  return [...found].sort();
}

describe("codes shown to people", () => {
  it("name every action of the action log in English and Persian", () => {
    const actions = recordedActions();
    expect(actions.length).toBeGreaterThan(30);
    expect(actions.filter((a) => !Object.hasOwn(actionLabel, a))).toEqual([]);
    expect(translate("en", actionLabel["implementation.update"])).toBe("Implementation update posted");
    expect(translate("fa", actionLabel["implementation.update"])).toBe("انتشار گزارش اجرا");
  });

  it("name the ballot channels", () => {
    expect(translate("fa", channelLabel.paper)).not.toBe("paper");
    expect(translate("en", channelLabel.online)).toBe("Online");
  });
});
