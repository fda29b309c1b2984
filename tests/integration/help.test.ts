/**
 * The help centre (ADR 0037) through its routes: the guides in both languages and their search, and a
 * municipality's own pages — written by its staff only (CSRF-checked, recorded in the action log),
 * shown to every visitor, their text kept as text, searchable beside the guides.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, helpPages } from "../../db/schema";
import * as helpIndex from "../../app/routes/help._index";
import * as helpPage from "../../app/routes/help.$page";
import * as faq from "../../app/routes/faq";
import * as accessibility from "../../app/routes/accessibility";
import * as localIndex from "../../app/routes/m.$slug.help._index";
import * as localPage from "../../app/routes/m.$slug.help.$page";
import * as editor from "../../app/routes/m.$slug.admin.help";
import type { Block } from "../../app/domain/help/markdown";
import { makeMember, makeMunicipality, makeUser, signIn } from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const json = async (response: Response) => JSON.parse(await response.text());
const words = (blocks: Block[]) =>
  blocks
    .flatMap((b) => (b.kind === "list" ? b.items.flat() : b.kind === "pre" ? [{ text: b.text }] : b.inline))
    .map((p) => p.text)
    .join(" ");

function visitor(locale?: "en" | "fa") {
  const browser = new TestBrowser(database.db);
  if (locale) browser.cookies.set("shora_lang", locale);
  return browser;
}

describe("the platform's guides", () => {
  it("lists every section and opens a guide in English and in Persian", async () => {
    for (const locale of ["en", "fa"] as const) {
      const browser = visitor(locale);
      const index = await json(await call(helpIndex.loader, browser, browser.get("/help")));
      expect(index.sections.map((s: { section: string }) => s.section)).toEqual([
        "residents",
        "observers",
        "staff",
        "safety",
        "reference",
      ]);
      const vote = await call(helpPage.loader, browser, browser.get("/help/vote"), { page: "vote" });
      expect(vote.status).toBe(200);
      const page = await json(vote);
      expect(page.title).toBe(locale === "en" ? "Voting" : "رأی دادن");
      expect(words(page.blocks)).toContain(locale === "en" ? "Cast my ballot" : "ثبت رأی من");
    }
  });

  it("answers 404 for a guide that does not exist", async () => {
    const browser = visitor();
    const response = await call(helpPage.loader, browser, browser.get("/help/nope"), { page: "nope" });
    expect(response.status).toBe(404);
  });

  it("searches titles and texts, folding Persian letter forms and digits", async () => {
    const en = visitor("en");
    const found = await json(await call(helpIndex.loader, en, en.get("/help?q=letter+code")));
    expect(found.hits[0].href).toBe("/help/verify");
    expect(found.hits.map((h: { href: string }) => h.href)).toContain("/help/safe-use");
    const fa = visitor("fa");
    // Arabic yeh and no hamza: the guides write «رأی» and «ی».
    const persian = await json(await call(helpIndex.loader, fa, fa.get(`/help?q=${encodeURIComponent("راي كاغذي")}`)));
    expect(persian.hits.map((h: { href: string }) => h.href)).toContain("/help/staff-census");
    const none = await json(await call(helpIndex.loader, en, en.get("/help?q=zzzqqq")));
    expect(none.hits).toEqual([]);
  });

  it("sends /faq to the questions and shows the accessibility statement", async () => {
    const browser = visitor();
    const moved = await call(faq.loader, browser, browser.get("/faq"));
    expect(moved.status).toBe(301);
    expect(moved.headers.get("location")).toBe("/help/faq");
    const statement = await json(await call(accessibility.loader, browser, browser.get("/accessibility")));
    expect(statement.title).toBe("Accessibility statement");
    expect(words(statement.blocks)).toContain("WCAG");
  });
});

describe("a municipality's own help pages", () => {
  async function town() {
    const db = database.db;
    const slug = unique("helptown");
    const made = await makeMunicipality(db, { slug, name: { en: "Helptown", fa: "شهر راهنما" } });
    const staff = await makeMember(db, { by: made.admin, email: `staff@${slug}.example` });
    const other = await makeMunicipality(db, { slug: unique("otherhelp") });
    return { slug, made, staff, other };
  }
  const form = {
    intent: "save",
    slug: "opening-hours",
    titleEn: "Opening hours <b>now</b>",
    titleFa: "ساعت‌های کاری",
    bodyEn:
      "## Where\n\nCity hall, <script>alert(1)</script> desk 3.\n\n- [Vote on paper](/help/vote)\n- [bad](javascript:alert(1))",
    bodyFa: "## کجا\n\nتالار شهر، میز ۳.",
  };

  it("are written by staff, shown to everyone in their language, and searchable", async () => {
    const { slug, made, staff } = await town();
    const db = database.db;
    const browser = await signIn(db, staff.user);
    const saved = await call(editor.action, browser, browser.post(`/m/${slug}/admin/help`, form), { slug });
    expect(saved.status).toBe(200);
    expect((await json(saved)).notice).toContain("Opening hours <b>now</b>");
    const [row] = await db.select().from(helpPages).where(eq(helpPages.municipalityId, made.municipality.id));
    expect(row.title).toEqual({ en: "Opening hours <b>now</b>", fa: "ساعت‌های کاری" });
    const logged = await db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, made.municipality.id), eq(actionLog.action, "help.create")));
    expect(logged.map((l) => l.target)).toEqual(["help:opening-hours"]);

    const en = visitor("en");
    const page = await json(
      await call(localPage.loader, en, en.get(`/m/${slug}/help/opening-hours`), { slug, page: "opening-hours" }),
    );
    expect(page.title).toBe("Opening hours <b>now</b>");
    // Markup stays text; only safe links remain links.
    expect(words(page.blocks)).toContain("<script>alert(1)</script>");
    const links = (page.blocks as Block[]).flatMap((b) =>
      b.kind === "list" ? b.items.flat().filter((p) => p.kind === "link") : [],
    );
    expect(links).toEqual([{ kind: "link", text: "Vote on paper", href: "/help/vote" }]);

    const fa = visitor("fa");
    const persian = await json(
      await call(localPage.loader, fa, fa.get(`/m/${slug}/help/opening-hours`), { slug, page: "opening-hours" }),
    );
    expect(persian.title).toBe("ساعت‌های کاری");
    expect(words(persian.blocks)).toContain("میز ۳");

    const index = await json(await call(localIndex.loader, fa, fa.get(`/m/${slug}/help?q=3+میز`), { slug }));
    expect(index.local).toEqual([{ href: `/m/${slug}/help/opening-hours`, title: "ساعت‌های کاری" }]);
    expect(index.hits[0].href).toBe(`/m/${slug}/help/opening-hours`);

    // Changing keeps one page; deleting removes it.
    const changed = await call(
      editor.action,
      browser,
      browser.post(`/m/${slug}/admin/help`, { ...form, id: row.id, titleEn: "Hours" }),
      { slug },
    );
    expect(changed.status).toBe(200);
    const rows = await db.select().from(helpPages).where(eq(helpPages.municipalityId, made.municipality.id));
    expect(rows.map((r) => r.title.en)).toEqual(["Hours"]);
    const deleted = await call(
      editor.action,
      browser,
      browser.post(`/m/${slug}/admin/help`, { intent: "delete", id: row.id }),
      { slug },
    );
    expect(deleted.status).toBe(200);
    expect(await db.select().from(helpPages).where(eq(helpPages.municipalityId, made.municipality.id))).toEqual([]);
    const gone = await call(localPage.loader, en, en.get(`/m/${slug}/help/opening-hours`), {
      slug,
      page: "opening-hours",
    });
    expect(gone.status).toBe(404);
  });

  it("refuses residents, other municipalities' staff, a missing CSRF token and bad fields", async () => {
    const { slug, made, other } = await town();
    const db = database.db;
    const count = async () =>
      (await db.select().from(helpPages).where(eq(helpPages.municipalityId, made.municipality.id))).length;

    const resident = await signIn(db, await makeUser(db, { email: `${unique("r")}@example.org` }));
    expect((await call(editor.loader, resident, resident.get(`/m/${slug}/admin/help`), { slug })).status).toBe(403);
    expect((await call(editor.action, resident, resident.post(`/m/${slug}/admin/help`, form), { slug })).status).toBe(
      403,
    );
    const foreign = await signIn(db, other.admin.user);
    expect((await call(editor.action, foreign, foreign.post(`/m/${slug}/admin/help`, form), { slug })).status).toBe(
      403,
    );
    const admin = await signIn(db, made.admin.user);
    const forged = await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, form, { csrf: null }), {
      slug,
    });
    expect(forged.status).toBe(403);
    expect(await count()).toBe(0);

    const bad = await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, { ...form, slug: "Not OK!" }), {
      slug,
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json(bad)).errors)).toEqual(["slug"]);
    const noPersian = await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, { ...form, bodyFa: "  " }), {
      slug,
    });
    expect(noPersian.status).toBe(400);
    expect(Object.keys((await json(noPersian)).errors)).toEqual(["bodyFa"]);
    const guideName = await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, { ...form, slug: "vote" }), {
      slug,
    });
    expect(guideName.status).toBe(400);
    expect(await count()).toBe(0);

    expect((await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, form), { slug })).status).toBe(200);
    const twice = await call(editor.action, admin, admin.post(`/m/${slug}/admin/help`, form), { slug });
    expect(twice.status).toBe(409);
    expect(await count()).toBe(1);
  });
});
