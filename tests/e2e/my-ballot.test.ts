/**
 * A resident votes, comes back, sees and changes their vote (ADR 0027): the ballot page opens with the
 * cast ballot, a revote is confirmed server-side with what it adds and removes, a refusal keeps the
 * refused choices and their total, the round page says where the resident stands, and the account
 * lists their participation. With JavaScript the total and the budget bar follow every change.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const ROUND = "/m/demo/rounds/budget-1405";

async function logIn(page: Page, email: string, t = translator("en")) {
  await page.goto(`${env.app.url}/login`);
  await page.getByLabel(t("auth.email")).fill(email);
  await page.getByLabel(t("auth.password")).fill("shora-demo-2026");
  await page.getByRole("button", { name: t("auth.login.submit") }).click();
  await page.waitForURL(`${env.app.url}/`);
}

const text = async (page: Page, selector = "main") => (await page.locator(selector).first().textContent()) ?? "";

describe("my ballot", () => {
  it("a resident without JavaScript votes, comes back, sees their ballot, and changes it after confirming", async () => {
    const t = translator("en");
    const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
    page.setDefaultTimeout(15_000);
    const money = (n: number) => formatMoney("en", n, "IRR");
    // Logged out, the round page asks to log in; logged in but not verified, to verify.
    await page.goto(`${env.app.url}${ROUND}`);
    expect(await text(page, "[data-testid=my-standing]")).toContain(t("myballot.standing.login"));
    await logIn(page, "resident1@demo.shora.local");
    await page.goto(`${env.app.url}${ROUND}`);
    expect(await text(page, "[data-testid=my-standing]")).toContain(t("myballot.standing.verify"));
    await page.goto(`${env.app.url}/m/demo/verify`);
    await page.getByLabel("National ID", { exact: true }).fill("0499370899");
    await page.getByLabel("Birth date", { exact: true }).fill("1985-03-21");
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await expect.poll(() => text(page, "[data-testid=verification-status]")).toContain("North district");
    await page.goto(`${env.app.url}${ROUND}`);
    expect(await text(page, "[data-testid=my-standing]")).toContain(t("myballot.standing.vote"));

    // The ballot page: cards with a summary and district, in an order drawn for this voter.
    await page.goto(`${env.app.url}${ROUND}/vote/north`);
    expect(await page.locator("[data-testid=ballot-card]").count()).toBeGreaterThan(3);
    expect(await text(page)).toContain(t("myballot.order.random"));
    expect(await text(page, "[data-testid=ballot-card] .ballot-card-meta")).toContain("North");

    // Over the amount: refused, and the page shows the refused choices and their total, not an empty basket.
    const heavy = [
      "Playground renovation in Laleh park",
      "Bike lanes on Azadi street",
      "Free evening classes at the library",
      "Repair the pavement of Golestan alley",
    ];
    for (const title of heavy) await page.getByLabel(title, { exact: false }).check();
    await page.getByRole("button", { name: t("vote.cast") }).click();
    await expect.poll(() => text(page, ".error-summary")).toContain("exceeds the envelope's");
    for (const title of heavy) expect(await page.getByLabel(title, { exact: false }).isChecked()).toBe(true);
    const refusedTotal = await text(page, "[data-testid=ballot-total]");
    expect(refusedTotal).not.toContain(`Total: ${money(0)}`);
    expect(await text(page, ".error-summary")).toContain(refusedTotal.replace(/^Total: /, "").split(" of ")[0]);
    expect(await text(page, "[data-testid=budget-bar]")).toContain("Over the limit");

    // A first ballot.
    await page.goto(`${env.app.url}${ROUND}/vote/north`);
    await page.getByLabel("Playground renovation in Laleh park", { exact: false }).check();
    await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).check();
    await page.getByRole("button", { name: t("vote.cast") }).click();
    await expect.poll(() => text(page, ".notice[role=status]")).toContain(t("vote.cast.done"));

    // The round page says they voted, and leads back to the ballot.
    await page.goto(`${env.app.url}${ROUND}`);
    expect(await text(page, "[data-testid=my-standing]")).toMatch(/You voted in \u2068North district\u2069 on \d+ \w+ \d{4}\./);
    await page.getByRole("link", { name: t("myballot.standing.see") }).click();
    await page.waitForURL(/\/vote\/north$/);
    // Coming back: the ballot as cast, when it was cast and until when it can change.
    expect(await text(page, "[data-testid=my-ballot]")).toMatch(
      /You voted on \d+ \w+ \d{4}; you can change your vote until \d+ \w+ \d{4}\./,
    );
    expect(await page.getByLabel("Playground renovation in Laleh park", { exact: false }).isChecked()).toBe(true);
    expect(await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).isChecked()).toBe(true);
    expect(await text(page, "[data-testid=ballot-total]")).toBe(
      t("vote.total", { total: money(1_900_000_000), amount: money(4_000_000_000) }),
    );
    expect(await text(page, "[data-testid=budget-bar]")).toContain(
      t("myballot.gauge.money", { left: money(2_100_000_000), limit: money(4_000_000_000) }),
    );

    // Ticking one more box and casting asks first, listing what changes; nothing is replaced yet.
    await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).uncheck();
    await page.getByLabel("Safe crossing near Hafez school", { exact: false }).check();
    await page.getByRole("button", { name: t("vote.cast") }).click();
    const confirm = page.locator("[data-testid=confirm-revote]");
    await expect.poll(() => text(page, "[data-testid=confirm-revote]")).toContain(t("myballot.confirm.title"));
    expect(await confirm.textContent()).toContain("Added: Safe crossing near Hafez school");
    expect(await confirm.textContent()).toContain("Removed: Outdoor gym in Niloufar park");
    await page.goto(`${env.app.url}${ROUND}/vote/north`);
    expect(await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).isChecked()).toBe(true);
    expect(await page.getByLabel("Safe crossing near Hafez school", { exact: false }).isChecked()).toBe(false);
    // Confirmed: replaced.
    await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).uncheck();
    await page.getByLabel("Safe crossing near Hafez school", { exact: false }).check();
    await page.getByRole("button", { name: t("vote.cast") }).click();
    await page.getByRole("button", { name: t("myballot.confirm.submit") }).click();
    await expect.poll(() => text(page, ".notice[role=status]")).toContain(t("vote.cast.done"));
    await page.goto(`${env.app.url}${ROUND}/vote/north`);
    expect(await page.getByLabel("Safe crossing near Hafez school", { exact: false }).isChecked()).toBe(true);
    expect(await page.getByLabel("Outdoor gym in Niloufar park", { exact: false }).isChecked()).toBe(false);

    // A card's details keep the basket: the proposal's page opens, and the ballot page has the choice.
    await page.getByLabel("Bike lanes on Azadi street", { exact: false }).check();
    await page
      .locator("[data-testid=ballot-card]", { hasText: "Bike lanes on Azadi street" })
      .getByRole("button", { name: t("myballot.card.details") })
      .click();
    await page.waitForURL(/\/proposals\//);
    expect(await text(page, "h1")).toContain("Bike lanes on Azadi street");
    await page.goto(`${env.app.url}${ROUND}/vote/north`);
    expect(await page.getByLabel("Bike lanes on Azadi street", { exact: false }).isChecked()).toBe(true);
    expect(await text(page, "[data-testid=my-ballot]")).toContain("saved but have not cast");

    // The account lists the round, when they voted and the receipt.
    await page.goto(`${env.app.url}/account`);
    await page.getByRole("link", { name: t("myballot.participation.link") }).click();
    await page.waitForURL(/\/account\/participation$/);
    const row = page.locator("tr", { hasText: "North district" });
    expect(await row.textContent()).toMatch(/\d+ \w+ \d{4}/);
    expect(await row.getByRole("link", { name: t("myballot.participation.download") }).getAttribute("href")).toMatch(
      /receipt\.json\?ballot=[0-9a-f]{32}$/,
    );
  });

  it("with JavaScript in Persian the total and the budget bar follow every change", async () => {
    const fa = translator("fa");
    const page = await (await env.browser.newContext({ locale: "fa-IR" })).newPage();
    page.setDefaultTimeout(15_000);
    const money = (n: number) => formatMoney("fa", n, "IRR");
    await logIn(page, "resident2@demo.shora.local", fa);
    await page.getByLabel("Language").selectOption("fa");
    await page.getByRole("button", { name: "Change language" }).click();
    await expect.poll(() => page.locator("html").getAttribute("dir")).toBe("rtl");
    await page.goto(`${env.app.url}/m/demo/verify`);
    await page.getByLabel(fa("verification.nationalId"), { exact: true }).first().fill("۰۷۹۰۴۱۹۹۰۴");
    await page.getByLabel(fa("verification.birthDate"), { exact: true }).first().fill("۱۳۷۱-۰۶-۰۱");
    await page.getByRole("button", { name: fa("verification.match.submit"), exact: true }).click();
    await expect.poll(() => text(page)).toContain("منطقهٔ جنوب");
    await page.goto(`${env.app.url}${ROUND}/vote/south`);
    await expect
      .poll(() => text(page, "[data-testid=ballot-total]"))
      .toBe(fa("vote.total", { total: money(0), amount: money(3_000_000_000) }));
    await page.getByLabel("روشنایی خیابان در بازار قدیم", { exact: false }).check();
    await expect
      .poll(() => text(page, "[data-testid=ballot-total]"))
      .toBe(fa("vote.total", { total: money(1_500_000_000), amount: money(3_000_000_000) }));
    expect(await text(page, "[data-testid=budget-bar]")).toContain(
      fa("myballot.gauge.money", { left: money(1_500_000_000), limit: money(3_000_000_000) }),
    );
    await page.getByLabel("باغ محله در زمین بهار", { exact: false }).check();
    await page.getByLabel("زمین بازی دسترس‌پذیر برای ویلچر", { exact: false }).check();
    await expect.poll(() => text(page, "[data-testid=budget-bar]")).toContain("بیش از سقف");
    await expectAccessible(page, "ballot with live total (fa)");
    // Refused by the server: the refused choices and the same total stay on the page.
    await page.getByRole("button", { name: fa("vote.cast") }).click();
    await expect.poll(() => text(page, ".error-summary")).toContain("۳٬۹۰۰٬۰۰۰٬۰۰۰");
    expect(await text(page, "[data-testid=ballot-total]")).toContain("۳٬۹۰۰٬۰۰۰٬۰۰۰");
    // Cumulative points: the bar counts points.
    await page.goto(`${env.app.url}${ROUND}/vote/green`);
    const field = page.locator("main input[inputmode=numeric]").first();
    await field.fill("۴");
    await expect
      .poll(() => text(page, "[data-testid=budget-bar]"))
      .toContain(fa("myballot.gauge.points", { left: 6, limit: 10 }));
    await expectAccessible(page, "cumulative ballot (fa)");
  });
});
