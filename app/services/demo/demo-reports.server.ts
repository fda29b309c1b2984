/**
 * The demo municipality's report desk (ADR 0039): four categories with response targets and five
 * months of residents' reports, answered after various working-day delays (Friday off), so the public
 * figures page shows real-looking numbers on first start. Deterministic: the same `now` gives the
 * same reports, delays and outcomes (only the Open311 tokens are random). Some of the latest are
 * still open; one was closed before it was ever acknowledged. Idempotent: a desk that already has
 * categories is left alone.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  districts,
  envelopes,
  memberships,
  proposals,
  reportCategories,
  reportEvents,
  reportSettings,
  reports,
  rounds,
  users,
} from "../../../db/schema";
import type { ReportStatus } from "../../../db/schema/reports";
import { findMunicipality } from "../tenancy/municipality.server";

const CATEGORIES = [
  {
    code: "lights",
    name: { en: "Street lighting", fa: "روشنایی معابر" },
    description: { en: "A street light that is out or flickers", fa: "چراغ خیابانی خاموش یا چشمک‌زن" },
    targetDays: 3,
    allowAnonymous: true,
    aboutProjects: false,
  },
  {
    code: "streets",
    name: { en: "Streets and pavements", fa: "خیابان و پیاده‌رو" },
    description: { en: "Potholes, broken kerbs and blocked pavements", fa: "چاله، جدول شکسته و پیاده‌روی بسته" },
    targetDays: 5,
    allowAnonymous: false,
    aboutProjects: false,
  },
  {
    code: "projects",
    name: { en: "A funded project", fa: "طرح تصویب‌شده" },
    description: { en: "A problem with a project being built", fa: "مشکلی در طرحی که در حال اجراست" },
    targetDays: 5,
    allowAnonymous: false,
    aboutProjects: true,
  },
  {
    code: "platform",
    name: { en: "This platform", fa: "همین سامانه" },
    description: { en: "Something on this website does not work", fa: "بخشی از این وبگاه کار نمی‌کند" },
    targetDays: 2,
    allowAnonymous: true,
    aboutProjects: false,
  },
] as const;

const TEXTS: Record<string, { en: string; fa: string }[]> = {
  lights: [
    { en: "The lamp at the corner of our lane has been out for a week.", fa: "چراغ سر کوچهٔ ما یک هفته است خاموش است." },
    {
      en: "Two street lights flicker all night by the bus stop.",
      fa: "دو چراغ کنار ایستگاه اتوبوس تمام شب چشمک می‌زنند.",
    },
  ],
  streets: [
    { en: "A deep pothole in front of the school fills with water.", fa: "چالهٔ عمیقی جلوی مدرسه پر از آب می‌شود." },
    {
      en: "Builders' rubble blocks the pavement; prams go on the road.",
      fa: "نخالهٔ ساختمانی پیاده‌رو را بسته و کالسکه‌ها از خیابان می‌روند.",
    },
  ],
  projects: [
    {
      en: "Work on this project stopped a month ago and the site is open.",
      fa: "کار این طرح یک ماه است متوقف شده و کارگاه باز مانده است.",
    },
    { en: "The new benches are already loose.", fa: "نیمکت‌های تازه همین حالا لق شده‌اند." },
  ],
  platform: [
    { en: "The map does not show my street.", fa: "نقشه خیابان مرا نشان نمی‌دهد." },
    { en: "The confirmation e-mail arrived very late.", fa: "رایانامهٔ تأیید خیلی دیر رسید." },
  ],
};

/** Working-day delays to the first response and from it to the resolution, cycled over the reports. */
const FIRST_DELAYS = [0, 1, 2, 1, 4, 3, 0, 6, 2, 1, 8, 2, 3];
const CLOSE_DELAYS = [2, 5, 1, 9, 3, 12, 4, 2, 7, 20, 3];
const REPORT_COUNT = 44;
/** Filed at 09:30 in Tehran (06:00 UTC), so the UTC day is the local day. */
const FILING_HOUR_UTC = 6;

/** The moment `n` working days (Friday off) after `from`, at `hour` UTC. */
function afterWorkingDays(from: Date, n: number, hour: number): Date {
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), hour));
  let left = n;
  while (left > 0) {
    day.setUTCDate(day.getUTCDate() + 1);
    if (day.getUTCDay() !== 5) left--;
  }
  return day;
}

/** Seeds the demo desk after the past round is funded (a report about a project names one). */
export async function seedDemoReports(db: Db, input: { slug: string; now: Date }): Promise<number> {
  const municipality = await findMunicipality(db, input.slug);
  if (!municipality) return 0;
  const existing = await db
    .select({ id: reportCategories.id })
    .from(reportCategories)
    .where(eq(reportCategories.municipalityId, municipality.id));
  if (existing.length > 0) return 0;
  const people = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(users.email, ["resident1@demo.shora.local", "resident2@demo.shora.local"]))
    .orderBy(asc(users.email));
  const [staff] = await db
    .select({ id: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.municipalityId, municipality.id), eq(users.email, "staff@demo.shora.local")));
  const districtRows = await db
    .select({ id: districts.id })
    .from(districts)
    .where(eq(districts.municipalityId, municipality.id))
    .orderBy(asc(districts.position));
  const funded = await db
    .select({ id: proposals.id })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(rounds.municipalityId, municipality.id), eq(proposals.status, "funded")))
    .orderBy(asc(proposals.createdAt), asc(proposals.id));
  const now = input.now;
  return db.transaction(async (tx) => {
    await tx
      .insert(reportSettings)
      .values({
        municipalityId: municipality.id,
        weekend: [5],
        holidays: [],
        minLat: 35.55,
        maxLat: 35.85,
        minLon: 51.1,
        maxLon: 51.65,
      })
      .onConflictDoNothing();
    const categoryIds = new Map<string, string>();
    for (const [position, category] of CATEGORIES.entries()) {
      const id = randomUUID();
      categoryIds.set(category.code, id);
      await tx.insert(reportCategories).values({ id, municipalityId: municipality.id, position, ...category });
    }
    const codes = CATEGORIES.map((c) => c.code).filter((c) => c !== "projects" || funded.length > 0);
    for (let i = 0; i < REPORT_COUNT; i++) {
      const code = codes[i % codes.length];
      const daysAgo = 150 - Math.floor(i * 3.4);
      const filedAt = new Date(
        Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, FILING_HOUR_UTC, i % 50),
      );
      if (filedAt.getUTCDay() === 5) filedAt.setUTCDate(filedAt.getUTCDate() + 1);
      const text = TEXTS[code][i % TEXTS[code].length];
      const locale = i % 3 === 0 ? "en" : "fa";
      const anonymous = i % 7 === 3 && (code === "lights" || code === "platform");
      const reporter = anonymous || people.length === 0 ? null : people[i % people.length].id;
      // The latest few are still waiting; one (i = 9) was closed before anyone acknowledged it.
      let firstAt: Date | null = afterWorkingDays(filedAt, FIRST_DELAYS[i % FIRST_DELAYS.length], 8 + (i % 6));
      if (i >= REPORT_COUNT - 3 || firstAt > now) firstAt = null;
      const closedBeforeAck = i === 9;
      let closedAt: Date | null =
        firstAt && (closedBeforeAck || i % 5 !== 4)
          ? closedBeforeAck
            ? firstAt
            : afterWorkingDays(firstAt, CLOSE_DELAYS[i % CLOSE_DELAYS.length], 10 + (i % 5))
          : null;
      if (closedAt && closedAt > now) closedAt = null;
      const status: ReportStatus = closedAt
        ? i % 11 === 6
          ? "duplicate"
          : "closed"
        : firstAt
          ? i % 2 === 0
            ? "in_progress"
            : "acknowledged"
          : "open";
      const number = i + 1;
      const id = randomUUID();
      const resolution =
        status === "closed"
          ? locale === "fa"
            ? "کار انجام شد و گروه ما آن را بازدید کرد."
            : "Fixed; our team checked it on site."
          : null;
      await tx.insert(reports).values({
        id,
        municipalityId: municipality.id,
        number,
        categoryId: categoryIds.get(code) as string,
        userId: reporter,
        description: locale === "fa" ? text.fa : text.en,
        lat: code === "platform" ? null : 35.69 + ((i * 7) % 10) / 100,
        lon: code === "platform" ? null : 51.3 + ((i * 3) % 10) / 100,
        districtId: code === "platform" || districtRows.length === 0 ? null : districtRows[i % districtRows.length].id,
        proposalId: code === "projects" ? funded[i % funded.length].id : null,
        locale,
        status,
        resolution,
        duplicateOf: status === "duplicate" ? Math.max(1, number - 4) : null,
        token: randomBytes(12).toString("base64url"),
        source: i % 9 === 5 ? "open311" : "web",
        createdAt: filedAt,
        firstResponseAt: firstAt,
        closedAt,
        updatedAt: closedAt ?? firstAt ?? filedAt,
      });
      const event = (kind: "status" | "reply", at: Date, to: ReportStatus | null, body: string | null) =>
        tx.insert(reportEvents).values({
          id: randomUUID(),
          reportId: id,
          kind,
          status: to,
          body,
          public: true,
          authorId: staff?.id ?? null,
          createdAt: at,
        });
      if (firstAt && !closedBeforeAck) {
        await event("status", firstAt, i % 2 === 0 ? "in_progress" : "acknowledged", null);
        if (i % 4 === 1) {
          const reply = locale === "fa" ? "سپاس؛ گروه تعمیرات در جریان است." : "Thank you; the repair team knows.";
          await event("reply", new Date(firstAt.getTime() + 3_600_000), null, reply);
        }
      }
      if (closedAt) await event("status", closedAt, status, resolution);
    }
    return REPORT_COUNT;
  });
}
