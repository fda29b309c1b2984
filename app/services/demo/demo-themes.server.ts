/** The demo round's themes (ADR 0032), and each of its proposals given one by what it is about. */
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, proposals, roundThemes } from "../../../db/schema";

type SeedTx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const THEMES = [
  {
    slug: "green",
    name: { en: "Parks and nature", fa: "پارک و طبیعت" },
    words: /park|tree|garden|green|irrigation|compost|rainwater|fountain/i,
  },
  {
    slug: "streets",
    name: { en: "Streets and transport", fa: "خیابان و حمل‌ونقل" },
    words: /bike|bicycle|bus|crossing|pavement|street|metro|minibus|lanes|route/i,
  },
  {
    slug: "energy",
    name: { en: "Energy and waste", fa: "انرژی و پسماند" },
    words: /solar|recycling|LED/i,
  },
  {
    slug: "community",
    name: { en: "Community and culture", fa: "اجتماع و فرهنگ" },
    words: /./,
  },
];

export async function seedDemoThemes(tx: SeedTx, input: { roundId: string }) {
  const rows = THEMES.map((th, position) => ({
    id: randomUUID(),
    roundId: input.roundId,
    slug: th.slug,
    name: th.name,
    position,
  }));
  await tx.insert(roundThemes).values(rows);
  const envelopeIds = (
    await tx.select({ id: envelopes.id }).from(envelopes).where(eq(envelopes.roundId, input.roundId))
  ).map((e) => e.id);
  const proposalRows = await tx
    .select({ id: proposals.id, title: proposals.title })
    .from(proposals)
    .where(inArray(proposals.envelopeId, envelopeIds));
  for (const p of proposalRows) {
    const index = THEMES.findIndex((th) => th.words.test(p.title.en ?? ""));
    await tx.update(proposals).set({ themeId: rows[index].id }).where(eq(proposals.id, p.id));
  }
}
