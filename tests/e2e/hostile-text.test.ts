/**
 * Script payloads typed into every kind of resident text — a proposal's title and description, a
 * comment, a survey answer — stay text: in the pages that show them (for the author, for other
 * people and for staff), and in the CSV export, where a formula is neutralised. Checked in
 * Chromium: no dialog opens, no injected element or script runs.
 */
import fs from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { addDays } from "../../app/domain/rounds/rules";
import { appAndBrowserPerFile, logIn } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");

const PAYLOAD = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2;alert(2)</script>"><svg onload=alert(3)>`;
const FORMULA = '=HYPERLINK("http://evil.example","click")';

async function watched(email: string) {
  const page = await (await env.browser.newContext({ locale: "en-GB", acceptDownloads: true })).newPage();
  page.setDefaultTimeout(15_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await logIn(page, env.app.url, email);
  return { page, dialogs };
}

/** The payload shows as text and nothing it carries ran or became an element. */
async function inert(page: Page, dialogs: string[], where: string) {
  await page.waitForLoadState("load");
  await expect.poll(() => page.locator("main").textContent(), { message: where }).toContain("<script>window.__pwned=2");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), where).toBeUndefined();
  expect(await page.locator('img[src="x"], svg[onload], [onerror]').count(), where).toBe(0);
  expect(dialogs, where).toEqual([]);
}

const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());

/** Staff create a budgeting round taking proposals now (voting later), with one envelope "ideas". */
async function budgetingRound(staff: Page, slug: string) {
  const day = today();
  await staff.goto(`${env.app.url}/m/demo/admin/rounds`);
  await staff.getByLabel("Address name (slug)").fill(slug);
  await staff.getByLabel("Title in English").fill(`Round ${slug}`);
  await staff.getByLabel("Title in Persian").fill("ایده‌ها ۲۰۲۷");
  await staff.getByLabel("Proposals: first day").fill(addDays(day, -1));
  await staff.getByLabel("Proposals: last day").fill(addDays(day, 10));
  await staff.getByLabel("Voting: first day").fill(addDays(day, 11));
  await staff.getByLabel("Voting: last day").fill(addDays(day, 20));
  await staff.getByRole("button", { name: "Create round" }).click();
  await staff.waitForURL(`${env.app.url}/m/demo/admin/rounds/${slug}`);
  await staff.goto(`${env.app.url}/m/demo/admin/rounds/${slug}/envelopes`);
  await staff.getByLabel("Address name (slug)").fill("ideas");
  await staff.getByLabel("Name in English").fill("Ideas");
  await staff.getByLabel("Amount (in IRR)").fill("900000000");
  await staff.getByRole("button", { name: "Add envelope" }).click();
  await expect.poll(() => staff.locator("details summary").first().textContent()).toContain("Ideas");
}

/** A resident submits a proposal whose title and description are the payload; they are sent to its page. */
async function hostileProposal(resident: Page, slug: string) {
  await resident.goto(`${env.app.url}/m/demo/rounds/${slug}`);
  await resident.getByRole("link", { name: "Submit a proposal" }).click();
  await resident.waitForURL(/\/propose$/);
  await resident.getByLabel("Title in English").fill(PAYLOAD);
  await resident.getByLabel("Description in English").fill(PAYLOAD);
  await resident.getByLabel("Estimated cost (in IRR)").fill("1000000");
  await resident.getByRole("button", { name: "Submit a proposal" }).click();
  await resident.waitForURL(/\/proposals\//);
}

describe("hostile text is inert everywhere it is shown", () => {
  it("in a proposal, a comment and a survey answer, for residents and staff, and in the CSV export", async () => {
    // A budgeting round taking proposals, with an envelope.
    const { page: staff, dialogs: staffDialogs } = await watched("staff@demo.shora.local");
    await budgetingRound(staff, "ideas-2027");

    // A proposal whose title and description are the payload; its author is sent to its page.
    const { page: resident, dialogs } = await watched("resident1@demo.shora.local");
    const round = `${env.app.url}/m/demo/rounds/ideas-2027`;
    await hostileProposal(resident, "ideas-2027");
    await inert(resident, dialogs, "the author's proposal page");
    const proposalUrl = resident.url();
    await resident.goto(round);
    await inert(resident, dialogs, "the round page listing the author's proposal");

    // A comment that is the payload, on a proposal everybody sees.
    await resident.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
    await resident.getByRole("link", { name: "Outdoor gym in Niloufar park" }).click();
    await resident.waitForURL(/\/proposals\//);
    const publicUrl = resident.url();
    await resident.getByLabel(en("comments.body")).fill(PAYLOAD);
    await resident.getByRole("button", { name: en("comments.submit") }).click();
    await expect.poll(() => resident.getByRole("status").textContent()).toContain(en("comments.posted"));
    await inert(resident, dialogs, "the proposal page with the comment");

    // A survey answer that is the payload after a spreadsheet formula.
    await resident.goto(`${env.app.url}/m/demo/rounds/transport-1405/survey`);
    await resident.getByLabel("Bicycle", { exact: true }).check();
    await resident.getByLabel("4", { exact: true }).check();
    await resident.getByLabel("Anything else we should know?").fill(`${FORMULA} ${PAYLOAD}`);
    await resident.getByRole("button", { name: en("survey.submit") }).click();
    await expect.poll(() => resident.getByRole("status").textContent()).toContain(en("survey.saved"));
    await inert(resident, dialogs, "the survey with the answer kept");
    await resident.context().close();

    // Staff review the proposal, read the comment and the survey results; the CSV keeps the text, not the formula.
    await staff.goto(`${env.app.url}/m/demo/admin/rounds/ideas-2027/proposals`);
    await inert(staff, staffDialogs, "staff's proposal review");
    await staff.goto(publicUrl);
    await inert(staff, staffDialogs, "the comment seen by another person");
    // A proposal awaiting review is its author's alone.
    expect((await staff.goto(proposalUrl))?.status()).toBe(404);
    await staff.goto(`${env.app.url}/m/demo/admin/rounds/transport-1405/survey`);
    await inert(staff, staffDialogs, "survey results");
    const download = staff.waitForEvent("download");
    await staff.getByRole("link", { name: en("survey.csv") }).click();
    const csv = fs.readFileSync(await (await download).path(), "utf8");
    expect(csv).toContain("<script>window.__pwned=2");
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(csv).toContain("'=HYPERLINK");
    await staff.context().close();
  });
});
