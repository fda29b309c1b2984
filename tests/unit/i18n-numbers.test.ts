import { describe, expect, it } from "vitest";
import { parseWholeNumber } from "../../app/domain/i18n/numbers";
import { envelopeSchema, proposalSchema } from "../../app/domain/rounds/forms";

describe("whole numbers as people type them", () => {
  it("reads Latin, Persian and Arabic digits with the grouping the app shows", () => {
    expect(parseWholeNumber("350,000,000")).toBe(350_000_000);
    expect(parseWholeNumber("۱۲۰٬۰۰۰٬۰۰۰")).toBe(120_000_000);
    expect(parseWholeNumber("۱۲۰،۰۰۰")).toBe(120_000);
    expect(parseWholeNumber("٣٥٠")).toBe(350);
    expect(parseWholeNumber("1\u202f250\u202f000")).toBe(1_250_000);
    expect(parseWholeNumber("1 250 000")).toBe(1_250_000);
    expect(parseWholeNumber(" 42 ")).toBe(42);
    expect(parseWholeNumber("-5")).toBe(-5);
  });

  it("refuses garbage, decimals and misplaced groups", () => {
    for (const bad of ["", "abc", "12a", "1,25", "1.5", "۱٫۵", "1,,000", ",100", "1,000 000", "99999999999999999"]) {
      expect(parseWholeNumber(bad), bad).toBeNull();
    }
  });

  it("are accepted by the staff and resident number fields", () => {
    const envelope = envelopeSchema.safeParse({
      slug: "main",
      amount: "350,000,000",
      ballotType: "approval",
      maxProjects: "۳",
      tallyRule: "greedy",
    });
    expect(envelope.success && envelope.data.amount).toBe(350_000_000);
    expect(envelope.success && envelope.data.maxProjects).toBe(3);
    const proposal = proposalSchema.safeParse({
      envelopeSlug: "main",
      cost: "۱۲۰٬۰۰۰٬۰۰۰",
    });
    expect(proposal.success && proposal.data.cost).toBe(120_000_000);
    const garbage = envelopeSchema.safeParse({
      slug: "main",
      amount: "lots",
      ballotType: "approval",
      tallyRule: "greedy",
    });
    expect(garbage.success).toBe(false);
    expect(!garbage.success && garbage.error.issues[0].path[0]).toBe("amount");
  });
});
