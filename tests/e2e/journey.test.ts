import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { expectAccessible, appAndBrowserPerFile, finishLogIn } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const axe = expectAccessible;

for (const javaScriptEnabled of [true, false]) {
  describe(`resident journey with JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    it("signs up, logs out, logs in, switches to Persian (RTL) and logs out", async () => {
      const context = await env.browser.newContext({ javaScriptEnabled, locale: "en-GB" });
      const page = await context.newPage();
      const email = `e2e-${javaScriptEnabled ? "js" : "nojs"}-${Date.now()}@example.org`;
      await page.goto(`${env.app.url}/signup`);
      if (javaScriptEnabled) await axe(page, "signup (en)");
      await page.getByLabel("Your name").fill("Ada Lovelace");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect
        .poll(() => page.locator(".field-error").first().textContent())
        .toBe("Password must be at least 10 characters.");
      expect(await page.getByLabel("Email").inputValue()).toBe(email);
      await page.getByLabel("Password").fill("a long enough password");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(`${env.app.url}/account`);
      await expect.poll(() => page.locator("main").textContent()).toContain("Signed in as \u2068Ada Lovelace\u2069");
      if (javaScriptEnabled) await axe(page, "account (en)");

      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.waitForURL(`${env.app.url}/`);
      await expect.poll(() => page.getByRole("link", { name: "Log in" }).count()).toBe(1);
      if (javaScriptEnabled) await axe(page, "home (en)");

      await page.goto(`${env.app.url}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("wrong password!!");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Email or password is not correct.");
      if (javaScriptEnabled) await axe(page, "login with errors (en)");
      await page.getByLabel("Password").fill("a long enough password");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${env.app.url}/`);
      await expect.poll(() => page.getByRole("link", { name: "Account" }).count()).toBe(1);

      await page.getByLabel("Language").selectOption("fa");
      await page.getByRole("button", { name: "Change language" }).click();
      await expect.poll(() => page.locator("html").getAttribute("dir")).toBe("rtl");
      expect(await page.locator("html").getAttribute("lang")).toBe("fa");
      expect(await page.locator("h2").first().textContent()).toBe("شهرداری‌ها");
      if (javaScriptEnabled) await axe(page, "home (fa)");

      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      const timeline = await page.locator("ol.timeline").textContent();
      expect(timeline).toMatch(/[۰-۹]{4}/); // Persian digits
      expect(timeline).toMatch(/فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند/); // Solar Hijri months
      if (javaScriptEnabled) await axe(page, "round (fa)");

      await page.getByRole("button", { name: "خروج", exact: true }).click();
      await expect.poll(() => page.getByRole("link", { name: "ورود" }).count()).toBe(1);
      await context.close();
    });
  });
}

describe("staff and observers", () => {
  it("lets demo staff into the council dashboard and shows a resident the 403 page that says why", async () => {
    const context = await env.browser.newContext({ locale: "en-GB" });
    const page = await context.newPage();
    const logIn = async (email: string) => {
      await page.goto(`${env.app.url}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("shora-demo-2026");
      await page.getByRole("button", { name: "Log in" }).click();
      await finishLogIn(page, env.app.url, email);
    };
    await logIn("staff@demo.shora.local");
    const ok = await page.goto(`${env.app.url}/m/demo/admin`);
    expect(ok?.status()).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Council dashboard — Demo City");
    await axe(page, "staff dashboard (en)");
    await page.goto(`${env.app.url}/m/demo/admin/rounds/budget-1405/envelopes`);
    await axe(page, "staff envelopes (en)");
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    // Logging out ends on the home page; going to /login before it has would still find the session.
    await page.waitForURL(`${env.app.url}/`);
    await logIn("resident1@demo.shora.local");
    const denied = await page.goto(`${env.app.url}/m/demo/admin`);
    expect(denied?.status()).toBe(403);
    expect(await page.locator("main").textContent()).toContain("Only council staff of this municipality may do this.");
    const missing = await page.goto(`${env.app.url}/no/such/page`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Page not found");
    await context.close();
  });

  it("shows observers the public log and the implementation board without logging in", async () => {
    const context = await env.browser.newContext({ locale: "en-GB" });
    const page = await context.newPage();
    await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/implementation`);
    expect(await page.locator("h1").textContent()).toBe("What happens with the funded projects");
    expect(await page.locator("table tbody tr").count()).toBe(4);
    await axe(page, "implementation board (en)");
    await page.goto(`${env.app.url}/m/demo/log`);
    expect(await page.locator("h1").textContent()).toBe("Council action log");
    await axe(page, "action log (en)");
    await context.close();
  });
});

describe("page titles", () => {
  it("are in the page's language: UI strings from its dictionary, the Persian round title on Persian pages", async () => {
    const demo = {
      en: { city: "Demo City", round: "Participatory budget 1405", past: "Participatory budget 1404" },
      fa: { city: "شهر نمونه", round: "بودجهٔ مشارکتی ۱۴۰۵", past: "بودجهٔ مشارکتی ۱۴۰۴" },
    };
    for (const locale of ["en", "fa"] as const) {
      const t = translator(locale);
      const named = (...parts: string[]) => t("page.title", { page: parts.join(" — ") });
      const { city, round, past } = demo[locale];
      const context = await env.browser.newContext({ locale: locale === "fa" ? "fa-IR" : "en-GB" });
      // The demo accounts prefer English: the switcher's cookie keeps the staff page in the test's language.
      await context.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
      const page = await context.newPage();
      const titles: string[] = [];
      const expectTitle = async (where: string, expected: string) => {
        await expect.poll(() => page.title(), { message: `${where} (${locale})` }).toBe(expected);
        titles.push(await page.title());
      };
      await page.goto(`${env.app.url}/`);
      await expectTitle("home", t("app.name"));
      await page.goto(`${env.app.url}/m/demo`);
      await expectTitle("municipality", named(city));
      // A navigation in the browser: the title comes from the strings this page downloaded.
      await page.getByRole("link", { name: round }).first().click();
      await page.waitForURL(`${env.app.url}/m/demo/rounds/budget-1405`);
      await expectTitle("round", named(round));
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/results`);
      await expectTitle("results", named(t("rounds.results.title"), past));
      await page.goto(`${env.app.url}/no/such/page`);
      await expectTitle("404", named(t("error.404.title")));

      await page.goto(`${env.app.url}/login`);
      await expectTitle("login", named(t("auth.login.title")));
      await page.getByLabel(t("auth.email")).fill("staff@demo.shora.local");
      await page.getByLabel(t("auth.password")).fill("shora-demo-2026");
      await page.getByRole("button", { name: t("auth.login.submit") }).click();
      await finishLogIn(page, env.app.url, "staff@demo.shora.local");
      await page.goto(`${env.app.url}/m/demo/admin`);
      await expectTitle("staff dashboard", named(t("admin.title", { municipality: city })));
      await page.goto(`${env.app.url}/m/demo/admin/rounds/budget-1405/paper`);
      await expectTitle("paper ballots", named(t("paper.title"), round));

      if (locale === "fa") {
        // Persian through and through: no Latin letter in any title.
        expect(titles[3]).toBe("نتایج — بودجهٔ مشارکتی ۱۴۰۴ — شورا");
        for (const title of titles) expect(title).not.toMatch(/[A-Za-z]/);
      }
      await context.close();
    }
  });
});
