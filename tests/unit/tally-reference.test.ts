/**
 * Exactness: every rule outcome of pabutools 1.2.3 in tests/fixtures/pabulib/reference must be
 * reproduced, in selection order, for every instance and every rule its vote type has.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePb } from "../../app/domain/pbfile";
import { type RuleName, tally } from "../../app/domain/tally";

const shared = path.resolve(__dirname, "../fixtures/pabulib");
const references = fs.readdirSync(path.join(shared, "reference")).filter((f) => f.endsWith(".json"));

/** Our rule name for each pabutools rule key, per kind of ballot. */
const RULE_FOR_KEY: Record<"approval" | "cumulative", Record<string, RuleName>> = {
  approval: {
    greedy_cost: "greedy",
    greedy_card: "greedy-per-cost",
    mes_cost: "mes",
    mes_card: "mes-card",
    "mes_cost+greedy_cost": "mes+greedy",
    mes_cost_add1_eqnet: "mes-add1",
    "mes_cost_add1_eqnet+greedy_cost": "mes-add1+greedy",
  },
  cumulative: {
    greedy_score: "greedy",
    greedy_points: "greedy-per-cost",
    mes_points: "mes",
    "mes_points+greedy_score": "mes+greedy",
  },
};

interface Reference {
  file: string;
  vote_type: string;
  rules: Record<string, string[]>;
  city_selected: string[];
}

describe("outcomes equal the reference implementation", () => {
  it("finds the shared instances", () => {
    expect(references.length).toBeGreaterThanOrEqual(29);
  });

  let compared = 0;
  for (const file of references) {
    const ref = JSON.parse(fs.readFileSync(path.join(shared, "reference", file), "utf8")) as Reference;
    const kind = ref.vote_type === "cumulative" ? "cumulative" : ref.vote_type === "ordinal" ? null : "approval";
    it(`${ref.file}`, () => {
      const election = parsePb(fs.readFileSync(path.join(shared, "instances", ref.file), "utf8"));
      if (kind === null) {
        // Ordinal files must read without failing; no ordinal rule is implemented yet.
        expect(election.ballots.length).toBeGreaterThan(0);
        return;
      }
      const keys = Object.keys(ref.rules).filter((k) => k in RULE_FOR_KEY[kind]);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const result = tally(election, { rule: RULE_FOR_KEY[kind][key] });
        expect(result.selected, `${ref.file} ${key}`).toEqual(ref.rules[key]);
        compared++;
      }
    });
  }

  it("compared every rule of every instance", () => {
    expect(compared).toBe(148);
  });
});
