import { randomUUID } from "node:crypto";
import { seedDemoThemes } from "./demo-themes.server";
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  districts,
  envelopes,
  implementationUpdates,
  implementations,
  memberships,
  municipalities,
  phases,
  comments,
  proposals,
  roundVoterClasses,
  rounds,
  surveyQuestions,
  users,
  userTotp,
} from "../../../db/schema";
import { type PhaseKind, phaseOrder } from "../../domain/rounds/phases";
import { hashPassword } from "../accounts/auth.server";
import { castBallot } from "../ballots/ballots.server";
import { runRoundTally } from "../tally/tally.server";
import { publishRound } from "../tally/publish.server";
import { startDemoWitnesses } from "./demo-witnesses.server";
import { seedDemoMap } from "./demo-map.server";
import { scopeOf, systemActor, userActor } from "../scope";

export const DEMO_SLUG = "demo";
/** Demo data only: these accounts exist solely in a database seeded with `shora db seed-demo`. */
export const DEMO_PASSWORD = "shora-demo-2026";
/**
 * Demo data only: the authenticator secret of the demo administrator and platform administrator, so
 * `npm start` works with any authenticator app (ADR 0026). The demo staff member has none: signing in
 * as them shows the enrolment.
 */
export const DEMO_TOTP_SECRET = "SHORADEMOSHORADEMOSHORADEMOSHORA";
export const DEMO_ACCOUNTS = [
  { email: "admin@demo.shora.local", displayName: "Parisa Admin", role: "admin" as const },
  { email: "staff@demo.shora.local", displayName: "Sina Staff", role: "staff" as const },
  { email: "resident1@demo.shora.local", displayName: "Reza Resident", role: "resident" as const },
  { email: "resident2@demo.shora.local", displayName: "Roya Resident", role: "resident" as const },
  { email: "platform@demo.shora.local", displayName: "Pooya Platform", role: "platformAdmin" as const },
];

function addDays(day: Date, n: number): string {
  const d = new Date(day.getTime() + n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Whether the demo accounts exist (the start page then shows them). */
export async function demoAccountsPresent(db: Db): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(
      inArray(
        users.email,
        DEMO_ACCOUNTS.map((a) => a.email),
      ),
    );
  return rows.length === DEMO_ACCOUNTS.length;
}

/**
 * Seeds the demo municipality: districts, staff and residents, and a budgeting round whose
 * voting phase is open today, with three envelopes and their proposals. One transaction.
 */
export async function seedDemo(
  db: Db,
  /** `witnesses`: run the two demo witnesses in this process before last year's round is published (ADR 0022). */
  input: { now: Date; witnesses?: boolean },
): Promise<{ created: boolean }> {
  const { now } = input;
  const [existing] = await db
    .select({ id: municipalities.id })
    .from(municipalities)
    .where(eq(municipalities.slug, DEMO_SLUG));
  if (existing) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const past: { value: { roundId: string; envelopeId: string; municipalityId: string; staffId: string } | null } = {
    value: null,
  };
  await db.transaction(async (tx) => {
    const municipalityId = randomUUID();
    await tx.insert(municipalities).values({
      id: municipalityId,
      slug: DEMO_SLUG,
      name: { en: "Demo City", fa: "شهر نمونه" },
      defaultLocale: "fa",
      timeZone: "Asia/Tehran",
      currency: "IRR",
    });
    const userIds = new Map<string, string>();
    for (const account of DEMO_ACCOUNTS) {
      const id = randomUUID();
      userIds.set(account.email, id);
      await tx.insert(users).values({
        id,
        email: account.email,
        passwordHash,
        displayName: account.displayName,
        locale: "en",
        isPlatformAdmin: account.role === "platformAdmin",
        // The demo's people have confirmed their addresses (ADR 0025).
        emailConfirmedAt: now,
      });
      if (account.role === "admin" || account.role === "staff") {
        await tx.insert(memberships).values({ userId: id, municipalityId, role: account.role });
      }
      if (account.role === "admin" || account.role === "platformAdmin") {
        await tx.insert(userTotp).values({ userId: id, secret: DEMO_TOTP_SECRET, confirmedAt: now });
      }
    }
    const districtRows = [
      { code: "north", name: { en: "North district", fa: "منطقهٔ شمال" } },
      { code: "south", name: { en: "South district", fa: "منطقهٔ جنوب" } },
      { code: "center", name: { en: "City centre", fa: "مرکز شهر" } },
    ].map((d, position) => ({ id: randomUUID(), municipalityId, position, ...d }));
    await tx.insert(districts).values(districtRows);

    const roundId = randomUUID();
    await tx.insert(rounds).values({
      id: roundId,
      municipalityId,
      slug: "budget-1405",
      kind: "budgeting",
      title: { en: "Participatory budget 1405", fa: "بودجهٔ مشارکتی ۱۴۰۵" },
      description: {
        en: "Residents decide how 12 billion rials are spent in their districts.",
        fa: "شهروندان تصمیم می‌گیرند ۱۲ میلیارد ریال در منطقه‌هایشان چگونه هزینه شود.",
      },
    });
    // Voting is open today; earlier phases lie in the past, later ones in the future.
    const spans: Record<PhaseKind, [number, number]> = {
      information: [-40, -31],
      proposals: [-30, -16],
      review: [-15, -1],
      voting: [0, 14],
      tallying: [15, 17],
      published: [18, 40],
      implementation: [41, 400],
    };
    await tx.insert(phases).values(
      phaseOrder.map((kind) => ({
        id: randomUUID(),
        roundId,
        kind,
        startsOn: addDays(now, spans[kind][0]),
        endsOn: addDays(now, spans[kind][1]),
      })),
    );
    const [north, south] = districtRows;
    const envelopeRows = [
      {
        slug: "north",
        name: { en: "North district", fa: "منطقهٔ شمال" },
        amount: 4_000_000_000,
        districtId: north.id,
        ballotType: "approval" as const,
        tallyRule: "mes" as const,
      },
      {
        slug: "south",
        name: { en: "South district", fa: "منطقهٔ جنوب" },
        amount: 3_000_000_000,
        districtId: south.id,
        ballotType: "approval" as const,
        tallyRule: "greedy" as const,
      },
      {
        slug: "green",
        name: { en: "Green city (all districts)", fa: "شهر سبز (همهٔ منطقه‌ها)" },
        amount: 5_000_000_000,
        districtId: null,
        ballotType: "cumulative" as const,
        tallyRule: "greedy" as const,
        minPoints: 1,
        maxPoints: 10,
      },
    ].map((e) => ({ id: randomUUID(), roundId, ...e }));
    await tx.insert(envelopes).values(envelopeRows);
    const ideas: Record<string, [string, string, number][]> = {
      north: [
        ["Playground renovation in Laleh park", "نوسازی زمین بازی پارک لاله", 1_200_000_000],
        ["Bike lanes on Azadi street", "مسیر دوچرخه در خیابان آزادی", 2_100_000_000],
        ["Benches and shade at the bus stops", "نیمکت و سایه‌بان در ایستگاه‌های اتوبوس", 600_000_000],
        ["Free evening classes at the library", "کلاس‌های شبانهٔ رایگان در کتابخانه", 900_000_000],
        ["Safe crossing near Hafez school", "گذرگاه ایمن کنار مدرسهٔ حافظ", 450_000_000],
        ["Outdoor gym in Niloufar park", "باشگاه ورزشی روباز در پارک نیلوفر", 700_000_000],
        ["Drinking fountains on the river walk", "آب‌خوری در پیاده‌روی کنار رود", 300_000_000],
        ["Repair the pavement of Golestan alley", "بازسازی پیاده‌روی کوچهٔ گلستان", 1_000_000_000],
      ],
      south: [
        ["Street lighting in the old bazaar", "روشنایی خیابان در بازار قدیم", 1_500_000_000],
        ["Accessible ramps at the health centre", "رمپ دسترسی در مرکز بهداشت", 800_000_000],
        ["Community garden on Bahar lot", "باغ محله در زمین بهار", 1_100_000_000],
        ["Youth music room in the cultural centre", "اتاق موسیقی جوانان در فرهنگسرا", 650_000_000],
        ["Shade trees along Enghelab avenue", "درختان سایه‌دار در خیابان انقلاب", 900_000_000],
        ["Public toilets at the central bus terminal", "سرویس بهداشتی عمومی در پایانهٔ مرکزی", 500_000_000],
        ["Wheelchair-accessible playground", "زمین بازی دسترس‌پذیر برای ویلچر", 1_300_000_000],
        ["Bicycle parking at the metro station", "پارکینگ دوچرخه در ایستگاه مترو", 250_000_000],
      ],
      green: [
        ["Plant 2,000 street trees", "کاشت ۲٬۰۰۰ درخت خیابانی", 2_500_000_000],
        ["Solar panels on school roofs", "پنل خورشیدی روی بام مدرسه‌ها", 3_000_000_000],
        ["Rainwater harvesting in parks", "جمع‌آوری آب باران در پارک‌ها", 1_400_000_000],
        ["Composting points in every district", "ایستگاه کمپوست در هر منطقه", 700_000_000],
        ["Electric minibus for the hill neighbourhoods", "مینی‌بوس برقی برای محله‌های تپه", 2_800_000_000],
        ["Recycling bins at every school", "سطل بازیافت در هر مدرسه", 400_000_000],
        ["Green roof on the city library", "بام سبز روی کتابخانهٔ شهر", 1_600_000_000],
        ["Drip irrigation for public gardens", "آبیاری قطره‌ای برای باغ‌های عمومی", 1_200_000_000],
        ["LED street lights city-wide", "چراغ‌های LED در سراسر شهر", 2_200_000_000],
      ],
    };
    const staffId = userIds.get("staff@demo.shora.local");
    // A minute apart, newest first as listed: the round's list ("newest" first) has one order on
    // every machine, rather than the order of random ids among equal times.
    let listed = 0;
    for (const envelope of envelopeRows) {
      await tx.insert(proposals).values(
        ideas[envelope.slug].map(([en, fa, cost]) => ({
          createdAt: new Date(now.getTime() - 60_000 * (1 + listed++)),
          id: randomUUID(),
          envelopeId: envelope.id,
          title: { en, fa },
          body: { en: `${en}. Proposed for the ${envelope.name.en}.`, fa: `${fa}. پیشنهاد برای ${envelope.name.fa}.` },
          cost,
          districtId: envelope.districtId,
          authorId: staffId,
          status: "accepted" as const,
        })),
      );
    }
    await seedDemoThemes(tx, { roundId });
    await seedConversation(tx, { envelopeIds: envelopeRows.map((e) => e.id), userIds, now });
    await seedDemoMap(tx, { municipalityId, envelopeIds: envelopeRows.map((e) => e.id) });
    await seedConsultation(tx, { municipalityId, now });
    const seeded = await seedPastRound(tx, { municipalityId, staffId, districtId: north.id, now });
    await seedDemoThemes(tx, { roundId: seeded.roundId });
    past.value = { ...seeded, municipalityId, staffId: staffId as string };
  });
  if (input.witnesses) await startDemoWitnesses(db, DEMO_SLUG);
  if (past.value) await votePastRound(db, { ...past.value, now });
  // The census (with the two demo residents) and the voter classes of this year's round.
  const { seedDemoCensus } = await import("./demo-census.server");
  await seedDemoCensus(db);
  await (await import("./demo-photos.server")).seedDemoPhotos(db, { slug: DEMO_SLUG, roundSlug: "budget-1405" });
  await (await import("./demo-reports.server")).seedDemoReports(db, { slug: DEMO_SLUG, now });
  return { created: true };
}

type SeedTx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A few comments (with a reply and stances) on this year's first proposals, in both languages. */
async function seedConversation(tx: SeedTx, p: { envelopeIds: string[]; userIds: Map<string, string>; now: Date }) {
  const first = await tx
    .select()
    .from(proposals)
    .where(inArray(proposals.envelopeId, p.envelopeIds))
    .orderBy(desc(proposals.createdAt), asc(proposals.id))
    .limit(3);
  const reza = p.userIds.get("resident1@demo.shora.local");
  const roya = p.userIds.get("resident2@demo.shora.local");
  const staff = p.userIds.get("staff@demo.shora.local");
  const at = (minutesAgo: number) => new Date(p.now.getTime() - minutesAgo * 60_000);
  for (const [i, proposal] of first.entries()) {
    const top = randomUUID();
    await tx.insert(comments).values([
      {
        id: top,
        proposalId: proposal.id,
        authorId: reza,
        body: i === 1 ? "این طرح برای بچه‌های محله عالی است." : "My children would use this every day.",
        stance: "for",
        createdAt: at(3000 - i),
      },
      {
        id: randomUUID(),
        proposalId: proposal.id,
        parentId: top,
        authorId: roya,
        body: "Agreed, but the cost looks high.",
        createdAt: at(2000 - i),
      },
      {
        id: randomUUID(),
        proposalId: proposal.id,
        authorId: roya,
        body: "Could it be done in two stages?",
        stance: "neutral",
        createdAt: at(1000 - i),
      },
    ]);
    if (i === 0) {
      await tx
        .update(proposals)
        .set({
          officialResponse: "The parks department confirms the cost estimate and can start in spring.",
          officialResponseAt: at(500),
          reviewedBy: staff,
        })
        .where(eq(proposals.id, proposal.id));
    }
  }
}

/** A consultation round (no budget) with a four-question survey, open now. */
async function seedConsultation(tx: SeedTx, p: { municipalityId: string; now: Date }) {
  const roundId = randomUUID();
  await tx.insert(rounds).values({
    id: roundId,
    municipalityId: p.municipalityId,
    slug: "transport-1405",
    kind: "consultation",
    title: { en: "How should we move around the city?", fa: "چگونه در شهر جابه‌جا شویم؟" },
    description: {
      en: "A consultation on public transport and cycling before next year's budget.",
      fa: "رایزنی دربارهٔ حمل‌ونقل عمومی و دوچرخه پیش از بودجهٔ سال آینده.",
    },
  });
  await tx.insert(phases).values([
    { id: randomUUID(), roundId, kind: "information", startsOn: addDays(p.now, -10), endsOn: addDays(p.now, -1) },
    { id: randomUUID(), roundId, kind: "proposals", startsOn: addDays(p.now, 0), endsOn: addDays(p.now, 20) },
  ]);
  const questions: (typeof surveyQuestions.$inferInsert)[] = [
    {
      id: randomUUID(),
      roundId,
      position: 0,
      kind: "single",
      prompt: { en: "How do you usually get to work or school?", fa: "معمولاً چگونه به کار یا مدرسه می‌روید؟" },
      options: [
        { en: "Bus or metro", fa: "اتوبوس یا مترو" },
        { en: "Bicycle", fa: "دوچرخه" },
        { en: "Car", fa: "خودرو" },
        { en: "On foot", fa: "پیاده" },
      ],
      required: true,
    },
    {
      id: randomUUID(),
      roundId,
      position: 1,
      kind: "multiple",
      prompt: { en: "What should the city improve first?", fa: "شهر نخست چه چیزی را بهتر کند؟" },
      options: [
        { en: "More frequent buses", fa: "اتوبوس‌های پرتکرارتر" },
        { en: "Safe bike lanes", fa: "مسیرهای ایمن دوچرخه" },
        { en: "Wider pavements", fa: "پیاده‌روهای پهن‌تر" },
      ],
      required: false,
    },
    {
      id: randomUUID(),
      roundId,
      position: 2,
      kind: "scale",
      prompt: { en: "How safe do you feel cycling here?", fa: "دوچرخه‌سواری در این شهر چقدر ایمن است؟" },
      options: [],
      required: true,
    },
    {
      id: randomUUID(),
      roundId,
      position: 3,
      kind: "text",
      prompt: { en: "Anything else we should know?", fa: "چیز دیگری هست که باید بدانیم؟" },
      options: [],
      required: false,
    },
  ];
  await tx.insert(surveyQuestions).values(questions);
}

/** Last year's round: published, its funded projects being built (for the implementation board). */
async function seedPastRound(
  tx: SeedTx,
  p: { municipalityId: string; staffId: string | undefined; districtId: string; now: Date },
) {
  const roundId = randomUUID();
  await tx.insert(rounds).values({
    id: roundId,
    municipalityId: p.municipalityId,
    slug: "budget-1404",
    kind: "budgeting",
    title: { en: "Participatory budget 1404", fa: "بودجهٔ مشارکتی ۱۴۰۴" },
    description: {
      en: "Last year's round: see what became of the winning projects.",
      fa: "دورهٔ پارسال: ببینید طرح‌های برنده به کجا رسیدند.",
    },
  });
  const spans: [PhaseKind, number, number][] = [
    ["proposals", -400, -371],
    ["review", -370, -341],
    ["voting", -340, -326],
    ["tallying", -325, -321],
    ["published", -320, -301],
    ["implementation", -300, 300],
  ];
  await tx.insert(phases).values(
    spans.map(([kind, a, b]) => ({
      id: randomUUID(),
      roundId,
      kind,
      startsOn: addDays(p.now, a),
      endsOn: addDays(p.now, b),
    })),
  );
  // Voter classes with weights: residents count twice, people who work in the city once.
  await tx.insert(roundVoterClasses).values([
    { roundId, code: "resident", name: { en: "Resident", fa: "ساکن" }, weight: 2, position: 0 },
    { roundId, code: "commuter", name: { en: "Works in the city", fa: "شاغل در شهر" }, weight: 1, position: 1 },
  ]);
  const envelopeId = randomUUID();
  await tx.insert(envelopes).values({
    id: envelopeId,
    roundId,
    slug: "city",
    name: { en: "Whole city", fa: "همهٔ شهر" },
    amount: 6_000_000_000,
    tallyRule: "mes",
  });
  const projects: [string, string, number][] = [
    ["New lights in Shahid park", "روشنایی تازه در پارک شهید", 1_800_000_000],
    ["Library reading garden", "باغ کتاب‌خوانی کتابخانه", 1_500_000_000],
    ["Safe school routes", "مسیرهای امن مدرسه", 2_000_000_000],
    ["Neighbourhood repair café", "کارگاه تعمیر محله", 500_000_000],
    ["Ice rink in winter", "پیست یخ در زمستان", 2_500_000_000],
    ["Musical fountain", "فوارهٔ موزیکال", 1_200_000_000],
  ];
  for (const [en, fa, cost] of projects) {
    await tx.insert(proposals).values({
      id: randomUUID(),
      envelopeId,
      title: { en, fa },
      body: { en: `${en}.`, fa: `${fa}.` },
      cost,
      districtId: p.districtId,
      authorId: p.staffId,
      status: "accepted",
    });
  }
  return { roundId, envelopeId };
}

/**
 * Last year's round goes through the real pipeline: a few hundred weighted ballots cast during its
 * voting phase, the tally, publication (final checkpoint, secret destroyed, winners funded), then
 * implementation updates on the funded projects.
 */
async function votePastRound(
  db: Db,
  p: { municipalityId: string; roundId: string; envelopeId: string; staffId: string; now: Date },
) {
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.id, p.municipalityId));
  const [envelope] = await db.select().from(envelopes).where(eq(envelopes.id, p.envelopeId));
  const projectRows = await db.select().from(proposals).where(eq(proposals.envelopeId, p.envelopeId));
  const byTitle = new Map(projectRows.map((r) => [r.title.en ?? "", r]));
  const popularity: Record<string, number> = {
    "New lights in Shahid park": 0.7,
    "Library reading garden": 0.6,
    "Safe school routes": 0.65,
    "Neighbourhood repair café": 0.5,
    "Ice rink in winter": 0.2,
    "Musical fountain": 0.25,
  };
  let state = 1405;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const votingDay = new Date(`${addDays(p.now, -333)}T10:00:00Z`);
  const cast = new Map<number, { resident: boolean; channel: "online" | "paper" }>();
  for (let i = 0; i < 330; i++) {
    // Every eleventh voter changes their mind: a revote that supersedes their first ballot.
    const voterIndex = i >= 300 ? (i - 300) * 11 : i;
    const picks: string[] = [];
    let total = 0;
    for (const [title, chance] of Object.entries(popularity)) {
      const row = byTitle.get(title);
      if (row && random() < chance && total + row.cost <= envelope.amount) {
        picks.push(row.id);
        total += row.cost;
      }
    }
    if (picks.length === 0) continue;
    const first = cast.get(voterIndex);
    // Only online ballots can be replaced; a revote keeps the voter's class weight.
    if (i >= 300 && first?.channel !== "online") continue;
    const resident = first ? first.resident : random() < 0.75;
    const channel = first ? "online" : random() < 0.85 ? "online" : "paper";
    cast.set(voterIndex, { resident, channel });
    await castBallot(db, scopeOf(municipality, systemActor("demo")), {
      roundId: p.roundId,
      roundSlug: "budget-1404",
      envelope,
      voter: {
        identity: `demo-voter-${voterIndex}`,
        weight: resident ? 2 : 1,
        district: "north",
        voterClass: resident ? "resident" : "commuter",
      },
      body: { approved: picks },
      channel,
      now: votingDay,
    });
  }
  const [staff] = await db.select().from(users).where(eq(users.id, p.staffId));
  const access = {
    user: {
      id: staff.id,
      email: staff.email,
      displayName: staff.displayName,
      locale: staff.locale,
      isPlatformAdmin: false,
    },
    municipality,
  };
  const tallyDay = new Date(`${addDays(p.now, -323)}T10:00:00Z`);
  await runRoundTally(db, scopeOf(access.municipality, userActor(access.user)), {
    roundSlug: "budget-1404",
    now: tallyDay,
  });
  await publishRound(db, scopeOf(access.municipality, userActor(access.user)), {
    roundSlug: "budget-1404",
    now: tallyDay,
  });
  const plan: Record<string, ["planned" | "in_progress" | "completed", number, number]> = {
    "New lights in Shahid park": ["completed", 100, 1_750_000_000],
    "Library reading garden": ["in_progress", 60, 700_000_000],
    "Safe school routes": ["in_progress", 25, 400_000_000],
  };
  const funded = await db.select().from(proposals).where(eq(proposals.envelopeId, p.envelopeId));
  for (const proposal of funded.filter((r) => r.status === "funded")) {
    const step = plan[proposal.title.en ?? ""];
    if (!step) continue;
    const [status, progress, spent] = step;
    await db
      .insert(implementations)
      .values({ proposalId: proposal.id, status, progress, spent, expectedCompletion: addDays(p.now, 90) });
    await db.insert(implementationUpdates).values({
      id: randomUUID(),
      proposalId: proposal.id,
      status,
      progress,
      spent,
      note:
        status === "completed"
          ? "Finished and opened to the public. / پایان یافت و به روی همه باز شد."
          : "Work is under way. / کار در جریان است.",
      postedOn: addDays(p.now, -10),
      authorId: p.staffId,
    });
  }
}
