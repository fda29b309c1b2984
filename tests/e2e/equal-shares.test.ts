import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney, pickText, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

interface TallyJson {
  envelopes: { envelope: string; rule: string; selected: string[]; trace: { step: number; project: string }[] }[];
}
interface RoundJson {
  municipality: { currency: string };
  proposals: { id: string; envelope: string; title: { en?: string; fa?: string }; cost: number }[];
}

const base = "/m/demo/rounds/budget-1404";

async function published() {
  const get = async (file: string) => (await fetch(`${env.app.url}${base}/bundle/${file}`)).json();
  return { tally: (await get("tally.json")) as TallyJson, round: (await get("round.json")) as RoundJson };
}

describe("the Equal Shares walkthrough of the demo's published round", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`matches tally.json step by step and says why a proposal was not funded (${locale}, no JavaScript)`, async () => {
      const t = translator(locale);
      const { tally, round } = await published();
      const [envelope] = tally.envelopes;
      expect(envelope.rule.startsWith("mes")).toBe(true);
      const title = (id: string) => pickText(round.proposals.find((p) => p.id === id)?.title, locale);
      const context = await env.browser.newContext({
        locale: locale === "fa" ? "fa-IR" : "en-GB",
        javaScriptEnabled: false,
      });
      await context.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      // From the results page, by its link.
      await page.goto(`${env.app.url}${base}/results`);
      await page.getByRole("link", { name: t("es.link") }).click();
      await expect.poll(() => page.url()).toBe(`${env.app.url}${base}/results/equal-shares`);
      expect(await page.locator("html").getAttribute("dir")).toBe(locale === "fa" ? "rtl" : "ltr");
      expect(await page.locator("h1").textContent()).toContain(t("es.title"));

      // Every step, in the published order, with its project.
      const rows = page.locator(`[data-envelope="${envelope.envelope}"] [data-testid="es-steps"] tbody tr`);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-project")))).toEqual(
        envelope.trace.map((s) => s.project),
      );
      expect(envelope.trace.map((s) => s.project)).toEqual(envelope.selected);
      const rowTitles = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector("th")?.textContent ?? ""));
      expect(rowTitles).toEqual(envelope.selected.map(title));
      const words = page.locator('[data-testid="es-step-words"] li');
      expect(await words.count()).toBe(envelope.selected.length);
      for (const [i, id] of envelope.selected.entries()) expect(await words.nth(i).textContent()).toContain(title(id));

      // Every proposal the tally left out has its reason; one whose supporters spent their shares
      // elsewhere names how much more it needed and the funded projects they paid for.
      const funded = new Set(envelope.selected);
      const unfunded = round.proposals.filter((p) => p.envelope === envelope.envelope && !funded.has(p.id));
      expect(unfunded.length).toBeGreaterThan(0);
      const reasons = page.locator('[data-testid="es-why"] li');
      expect((await reasons.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-project")))).sort()).toEqual(
        unfunded.map((p) => p.id).sort(),
      );
      const money = (n: number) => formatMoney(locale, n, round.municipality.currency);
      const needed =
        locale === "en" ? "more from its supporters, who had spent their shares on" : "بیشتر از پشتیبانانش نیاز داشت؛";
      let explained = 0;
      for (const p of unfunded) {
        const text = (await page.locator(`[data-testid="es-why"] li[data-project="${p.id}"]`).textContent()) ?? "";
        expect(text).toContain(`${title(p.id)} (${money(p.cost)})`);
        if (!text.includes(needed)) continue;
        explained += 1;
        // The shares went to projects the published tally funded.
        expect(envelope.selected.some((id) => text.includes(title(id)))).toBe(true);
        if (locale === "fa") expect(text).not.toMatch(/[0-9]/);
      }
      expect(explained).toBeGreaterThan(0);
      // Without JavaScript the step view is not there; the tables say it all.
      expect(await page.locator('[data-testid="es-view"]').count()).toBe(0);
      await context.close();
      // axe runs on the same page with JavaScript (it never finished on this page with scripts off,
      // whereas the help pages pass that way); the page's markup is the same plus the step view.
      const scripted = await env.browser.newContext({ locale: locale === "fa" ? "fa-IR" : "en-GB" });
      await scripted.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
      const again = await scripted.newPage();
      await again.goto(`${env.app.url}${base}/results/equal-shares`);
      await expect.poll(() => again.getByTestId("es-view").count()).toBe(1);
      await expectAccessible(again, `equal shares walkthrough (${locale})`);
      await scripted.close();
    });
  }

  it("with JavaScript, steps through the shares one step at a time", async () => {
    const t = translator("en");
    const { tally, round } = await published();
    const [envelope] = tally.envelopes;
    const context = await env.browser.newContext({ locale: "en-GB" });
    await context.addCookies([{ name: "shora_lang", value: "en", url: env.app.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${env.app.url}${base}/results/equal-shares`);
    const status = page.getByTestId("es-view-status");
    await expect.poll(() => status.textContent()).toBe(t("es.before"));
    await page.getByRole("button", { name: t("es.next") }).click();
    const first = pickText(round.proposals.find((p) => p.id === envelope.selected[0])?.title, "en");
    await expect
      .poll(() => status.textContent())
      .toBe(t("es.after", { step: 1, steps: envelope.selected.length, project: first }));
    await page.getByRole("button", { name: t("es.prev") }).click();
    await expect.poll(() => status.textContent()).toBe(t("es.before"));
    await context.close();
  });
});
