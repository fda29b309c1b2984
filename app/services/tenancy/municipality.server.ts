import { nameIsPlain } from "../../domain/accounts/names";
import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { type PlatformScope, type Scope, actorUserId } from "../scope";
import { districts, envelopes, memberships, municipalities, rounds, users } from "../../../db/schema";
import type { MembershipRole } from "../../../db/schema";
import { hashPassword, normalizeEmail } from "../accounts/auth.server";

export type Municipality = typeof municipalities.$inferSelect;

export async function findMunicipality(db: Db, slug: string): Promise<Municipality | null> {
  const [row] = await db.select().from(municipalities).where(eq(municipalities.slug, slug));
  return row ?? null;
}

export type Round = typeof rounds.$inferSelect;
export type Envelope = typeof envelopes.$inferSelect;

/**
 * The municipality, round and envelope a page's address names (`/m/<slug>/rounds/<round>/…/<envelope>`),
 * in one query instead of one each; a part that does not exist is null (and so are the parts under it).
 */
export async function findRoundPath(
  db: Db,
  path: { slug: string; round: string; envelope?: string },
): Promise<{ municipality: Municipality | null; round: Round | null; envelope: Envelope | null }> {
  let query = roundPathQueries.get(db);
  if (!query) {
    query = roundPathQuery(db);
    roundPathQueries.set(db, query);
  }
  // No envelope asked for: the join matches nothing (a slug is never empty).
  const [row] = await query.execute({ slug: path.slug, round: path.round, envelope: path.envelope ?? "" });
  return row ?? { municipality: null, round: null, envelope: null };
}

/**
 * Built once per database and prepared: every ballot page asks this, and drizzle spent more CPU
 * building the three-table select (~0.15 ms) than PostgreSQL spent answering it.
 */
const roundPathQueries = new WeakMap<Db, ReturnType<typeof roundPathQuery>>();
function roundPathQuery(db: Db) {
  return db
    .select({ municipality: municipalities, round: rounds, envelope: envelopes })
    .from(municipalities)
    .leftJoin(rounds, and(eq(rounds.municipalityId, municipalities.id), eq(rounds.slug, sql.placeholder("round"))))
    .leftJoin(envelopes, and(eq(envelopes.roundId, rounds.id), eq(envelopes.slug, sql.placeholder("envelope"))))
    .where(eq(municipalities.slug, sql.placeholder("slug")))
    .prepare("shora_find_round_path");
}

export async function listMunicipalities(db: Db, _scope: PlatformScope): Promise<Municipality[]> {
  return db.select().from(municipalities).orderBy(asc(municipalities.slug));
}

/** The acting person's council role in the scope's municipality, or null (also for an observer). */
export async function roleIn(db: Db, scope: Scope): Promise<MembershipRole | null> {
  if (scope.actor.kind !== "user") return null;
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, scope.actor.userId), eq(memberships.municipalityId, scope.municipality.id)));
  return row?.role ?? null;
}

/** The acting person's council roles, by municipality. */
export async function membershipsOf(db: Db, scope: PlatformScope) {
  const userId = actorUserId(scope);
  return db
    .select({
      role: memberships.role,
      slug: municipalities.slug,
      name: municipalities.name,
      timeZone: municipalities.timeZone,
    })
    .from(memberships)
    .innerJoin(municipalities, eq(memberships.municipalityId, municipalities.id))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(municipalities.slug));
}

export async function municipalityOverview(db: Db, scope: Scope) {
  const municipalityId = scope.municipality.id;
  const [districtRows, roundRows] = await Promise.all([
    db.select().from(districts).where(eq(districts.municipalityId, municipalityId)).orderBy(asc(districts.position)),
    db.select().from(rounds).where(eq(rounds.municipalityId, municipalityId)).orderBy(asc(rounds.createdAt)),
  ]);
  return { districts: districtRows, rounds: roundRows };
}

export class SlugTakenError extends Error {
  readonly code = "slug_taken" as const;
}

export interface NewMunicipality {
  slug: string;
  name: { en: string; fa?: string };
  defaultLocale: "en" | "fa";
  timeZone: string;
  currency: string;
  admin: { email: string; displayName: string; password?: string };
}

/**
 * Creates a municipality and gives its first administrator the `admin` role, in one transaction.
 * An existing account with that email is reused; otherwise one is created with the given password.
 */
export async function createMunicipality(db: Db, input: NewMunicipality) {
  if (!nameIsPlain(input.admin.displayName)) throw new Error("The administrator's name has hidden characters.");
  const adminPasswordHash = input.admin.password ? await hashPassword(input.admin.password) : null;
  return db.transaction(async (tx) => {
    const [taken] = await tx
      .select({ id: municipalities.id })
      .from(municipalities)
      .where(eq(municipalities.slug, input.slug));
    if (taken) throw new SlugTakenError(`A municipality with slug "${input.slug}" already exists.`);
    const municipalityId = randomUUID();
    await tx.insert(municipalities).values({
      id: municipalityId,
      slug: input.slug,
      name: input.name,
      defaultLocale: input.defaultLocale,
      timeZone: input.timeZone,
      currency: input.currency,
    });
    const email = normalizeEmail(input.admin.email);
    let [admin] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (!admin) {
      if (!adminPasswordHash) throw new Error(`No account ${email} exists: give a password to create it.`);
      admin = { id: randomUUID() };
      await tx.insert(users).values({
        id: admin.id,
        email,
        passwordHash: adminPasswordHash,
        displayName: input.admin.displayName,
        locale: input.defaultLocale,
      });
    }
    await tx.insert(memberships).values({ userId: admin.id, municipalityId, role: "admin" });
    return { municipalityId, adminUserId: admin.id };
  });
}

export type District = typeof districts.$inferSelect;

/** The municipality's districts in their display order. */
export async function districtsOf(db: Db | Tx, scope: Scope): Promise<District[]> {
  return db
    .select()
    .from(districts)
    .where(eq(districts.municipalityId, scope.municipality.id))
    .orderBy(asc(districts.position));
}
