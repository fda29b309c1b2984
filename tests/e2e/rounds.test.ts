import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../app/domain/rounds/rules";
import { appAndBrowserPerFile, expectAccessible, logIn as logInAs } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

const logIn = (page: Page, email: string) => logInAs(page, env.app.url, email);

describe("running a round in the browser", () => {
  it("staff create a round with phases and an envelope and put a proposal on it; a resident submits one; staff review it", async () => {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());
    const staff = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    staff.setDefaultTimeout(10_000);
    await logIn(staff, "staff@demo.shora.local");
    await staff.goto(`${env.app.url}/m/demo/admin/rounds`);
    await expectAccessible(staff, "staff rounds (en)");
    await staff.getByLabel("Address name (slug)").fill("parks-2027");
    await staff.getByLabel("Title in English").fill("Parks 2027");
    await staff.getByLabel("Title in Persian").fill("پارک‌ها ۲۰۲۷");
    await staff.getByLabel("Proposals: first day").fill(addDays(today, -1));
    await staff.getByLabel("Proposals: last day").fill(addDays(today, 10));
    await staff.getByLabel("Voting: first day").fill(addDays(today, 5));
    await staff.getByLabel("Voting: last day").fill(addDays(today, 20));
    await staff.getByRole("button", { name: "Create round" }).click();
    // Overlapping phases: the form comes back with the field named and what was typed.
    await expect
      .poll(() => staff.locator(".error-summary").textContent())
      .toContain("Voting must start after Proposals ends.");
    expect(await staff.getByLabel("Title in English").inputValue()).toBe("Parks 2027");
    await staff.getByLabel("Voting: first day").fill(addDays(today, 11));
    await staff.getByRole("button", { name: "Create round" }).click();
    await staff.waitForURL(`${env.app.url}/m/demo/admin/rounds/parks-2027`);

    await staff.goto(`${env.app.url}/m/demo/admin/rounds/parks-2027/envelopes`);
    await staff.getByLabel("Address name (slug)").fill("parks");
    await staff.getByLabel("Name in English").fill("Parks");
    await staff.getByLabel("Amount (in IRR)").fill("900000000");
    await staff.getByRole("button", { name: "Add envelope" }).click();
    await expect.poll(() => staff.locator("details summary").first().textContent()).toContain("Parks");
    await expectAccessible(staff, "staff envelopes (en)");

    await staff.goto(`${env.app.url}/m/demo/admin/rounds/parks-2027/proposals`);
    await staff.getByLabel("Title in English").fill("Shade sails at the playground");
    await staff.getByLabel("Description in English").fill("Sails over the sandpit.");
    await staff.getByLabel("Estimated cost (in IRR)").fill("120000000");
    await staff.getByRole("button", { name: "Add a proposal to the ballot" }).click();
    await expect.poll(() => staff.locator("table").first().textContent()).toContain("Shade sails at the playground");

    const resident = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    resident.setDefaultTimeout(10_000);
    await logIn(resident, "resident2@demo.shora.local");
    await resident.goto(`${env.app.url}/m/demo/rounds/parks-2027`);
    expect(await resident.locator("main").textContent()).toContain("Shade sails at the playground");
    await resident.getByRole("link", { name: "Submit a proposal" }).click();
    await resident.waitForURL(/\/propose$/);
    await resident.getByLabel("Title in English").fill("Drinking fountain");
    await resident.getByLabel("Description in English").fill("Near the basketball court.");
    await resident.getByLabel("Estimated cost (in IRR)").fill("40000000");
    await resident.getByRole("button", { name: "Submit a proposal" }).click();
    await resident.waitForURL(/\/proposals\//);
    await resident.goto(`${env.app.url}/m/demo/rounds/parks-2027`);
    await expect.poll(() => resident.locator("#mine + ul").textContent()).toContain("Awaiting review");

    await staff.goto(`${env.app.url}/m/demo/admin/rounds/parks-2027/proposals`);
    // Other panels name it too (their merge choices): the panel is the one whose summary does.
    const panel = staff.locator("details").filter({ has: staff.locator("summary", { hasText: "Drinking fountain" }) });
    await panel.locator("summary").click();
    await panel.getByLabel("Reason for rejection").fill("A fountain is already planned there.");
    await panel.getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => staff.locator("table").first().textContent()).toContain("Not accepted");
    await resident.reload();
    await expect.poll(() => resident.locator("#mine + ul").textContent()).toContain("Not accepted");
  });
});
