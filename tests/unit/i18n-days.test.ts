import { describe, expect, it } from "vitest";
import { parseTypedDay, typedDay } from "../../app/domain/i18n/days";
import { phasesFromForm } from "../../app/domain/rounds/forms";

describe("staff dates in the page's calendar", () => {
  it("read Solar Hijri days typed on Persian pages, with Persian digits", () => {
    const form = new FormData();
    form.set("voting.startsOn", "۱۴۰۵/۰۱/۰۱");
    form.set("voting.endsOn", "1405-01-15");
    form.set("information.startsOn", "2026-03-01");
    form.set("information.endsOn", "2026-03-10");
    const { phases, violations } = phasesFromForm(form);
    expect(violations).toEqual([]);
    expect(phases).toEqual([
      { kind: "information", startsOn: "2026-03-01", endsOn: "2026-03-10" },
      { kind: "voting", startsOn: "2026-03-21", endsOn: "2026-04-04" },
    ]);
  });

  it("show a stored day back in the same calendar", () => {
    expect(typedDay("fa", "2026-03-21")).toBe("۱۴۰۵/۰۱/۰۱");
    expect(parseTypedDay(typedDay("fa", "2026-12-07"))).toBe("2026-12-07");
    expect(typedDay("en", "2026-03-21")).toBe("2026-03-21");
    expect(typedDay("fa", "not a day")).toBe("not a day");
  });

  it("keep what cannot be read, for the rules to refuse", () => {
    const form = new FormData();
    form.set("voting.startsOn", "۱۴۰۵/۱۳/۰۱");
    form.set("voting.endsOn", "1405/01/15");
    expect(phasesFromForm(form).phases[0].startsOn).toBe("۱۴۰۵/۱۳/۰۱");
  });
});
