/**
 * A municipality's own OpenID Connect provider (ADR 0038): its pages offer that provider's button
 * instead of the installation's, a sign-in begun there goes to it and is checked against it. The
 * client secret is kept in the key store (ADR 0016), never in the database, and never shown back.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { createKeyOnce, destroyKey, readKey } from "../../../db/keystore";
import { eidProviders } from "../../../db/schema";
import type { OidcSettings } from "../../config.server";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { eidProvider } from "./provider.server";

export type EidProviderRefusal =
  | "provider_issuer"
  | "provider_client_id"
  | "provider_scopes"
  | "provider_claim"
  | "provider_label";
export const EidProviderRefused = RefusedError<EidProviderRefusal>;

const secretName = (municipalityId: string) => `municipality-${municipalityId}.oidc-client-secret`;

function storeSecret(municipalityId: string, secret: string | null) {
  destroyKey(secretName(municipalityId));
  if (secret) createKeyOnce(secretName(municipalityId), secret);
}

type Row = typeof eidProviders.$inferSelect;

const settingsOf = (row: Row): OidcSettings => ({
  issuer: row.issuer,
  clientId: row.clientId,
  clientSecret: readKey(secretName(row.municipalityId)) ?? undefined,
  scopes: row.scopes,
  idClaim: row.idClaim,
  birthDateClaim: row.birthDateClaim,
  label: { en: row.labelEn, fa: row.labelFa },
});

/** The provider a sign-in from this municipality uses: its own, else the installation's (or none). */
export async function eidProviderFor(db: Db, input: { municipalityId: string | null }): Promise<OidcSettings | null> {
  if (input.municipalityId) {
    const [row] = await db.select().from(eidProviders).where(eq(eidProviders.municipalityId, input.municipalityId));
    if (row) return settingsOf(row);
  }
  return eidProvider();
}

/** A provider known by its issuer (the installation's, or a municipality's), for signing out there. */
export async function eidProviderByIssuer(db: Db, input: { issuer: string }): Promise<OidcSettings | null> {
  const installation = eidProvider();
  if (installation?.issuer === input.issuer) return installation;
  const [row] = await db.select().from(eidProviders).where(eq(eidProviders.issuer, input.issuer)).limit(1);
  return row ? settingsOf(row) : null;
}

/**
 * Every municipality's provider issuer, for every page's `form-action`: kept for five seconds per
 * database (a page render must not cost a query), forgotten at once by the process that saves or
 * removes a provider; another process allows a new provider's address within five seconds (ADR 0038).
 */
export async function municipalityIssuers(db: Db): Promise<string[]> {
  const cached = issuerCache.get(db);
  if (cached && cached.until > Date.now()) return cached.issuers;
  const rows = await db.selectDistinct({ issuer: eidProviders.issuer }).from(eidProviders);
  const issuers = rows.map((r) => r.issuer);
  issuerCache.set(db, { issuers, until: Date.now() + ISSUER_CACHE_MS });
  return issuers;
}

const ISSUER_CACHE_MS = 5_000;
const issuerCache = new WeakMap<object, { issuers: string[]; until: number }>();

/**
 * The issuers a page's forms may lead to (its `form-action`): the e-ID button's POST and signing out
 * are redirected to a provider, and browsers check the policy along the redirects.
 */
export async function eidFormTargets(db: Db): Promise<string[]> {
  const installation = eidProvider();
  return [...(installation ? [installation.issuer] : []), ...(await municipalityIssuers(db))];
}

export interface EidProviderView {
  issuer: string;
  clientId: string;
  scopes: string;
  idClaim: string;
  birthDateClaim: string;
  labelEn: string;
  labelFa: string;
  hasSecret: boolean;
}

/** The municipality's own provider as its administrators see it (the secret only as "set or not"), or null. */
export async function eidProviderSettingsOf(db: Db, scope: Scope): Promise<EidProviderView | null> {
  const [row] = await db.select().from(eidProviders).where(eq(eidProviders.municipalityId, scope.municipality.id));
  if (!row) return null;
  return {
    issuer: row.issuer,
    clientId: row.clientId,
    scopes: row.scopes,
    idClaim: row.idClaim,
    birthDateClaim: row.birthDateClaim,
    labelEn: row.labelEn,
    labelFa: row.labelFa,
    hasSecret: readKey(secretName(row.municipalityId)) !== null,
  };
}

/** https anywhere; plain http only on this machine (development and tests); no user, query or fragment. */
function issuerAllowed(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username || url.password || url.search || url.hash || value.length > 500) return false;
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

const CLAIM = /^[A-Za-z0-9_.:-]{1,100}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
/** Not empty, at most `max` characters, no control characters. */
const plainText = (value: string, max: number) =>
  value.trim() !== "" && value.length <= max && [...value].every((c) => c >= " " && c !== "\u007f");

export interface EidProviderInput {
  issuer: string;
  clientId: string;
  scopes: string;
  idClaim: string;
  birthDateClaim: string;
  labelEn: string;
  labelFa: string;
  /** A new secret replaces the stored one; empty keeps it. */
  clientSecret: string;
  clearSecret: boolean;
}

/** Saves the municipality's own provider (logged, without the secret); each bad field is named. */
export async function saveEidProvider(db: Db, scope: Scope, input: EidProviderInput) {
  const municipalityId = scope.municipality.id;
  const issuer = input.issuer.trim().replace(/\/+$/, "");
  if (!issuerAllowed(issuer)) throw new EidProviderRefused("provider_issuer", "issuer");
  const clientId = input.clientId.trim();
  if (!plainText(clientId, 200)) throw new EidProviderRefused("provider_client_id", "clientId");
  const scopes = input.scopes.trim().split(/\s+/).filter(Boolean);
  if (!scopes.includes("openid") || scopes.length > 20 || !scopes.every((s) => SCOPE.test(s)))
    throw new EidProviderRefused("provider_scopes", "scopes");
  for (const field of ["idClaim", "birthDateClaim"] as const)
    if (!CLAIM.test(input[field].trim())) throw new EidProviderRefused("provider_claim", field);
  for (const field of ["labelEn", "labelFa"] as const)
    if (!plainText(input[field], 80)) throw new EidProviderRefused("provider_label", field);
  if (input.clientSecret && !plainText(input.clientSecret, 500))
    throw new EidProviderRefused("provider_client_id", "clientSecret");
  const values = {
    issuer,
    clientId,
    scopes: scopes.join(" "),
    idClaim: input.idClaim.trim(),
    birthDateClaim: input.birthDateClaim.trim(),
    labelEn: input.labelEn.trim(),
    labelFa: input.labelFa.trim(),
    updatedAt: new Date(),
  };
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(eidProviders).where(eq(eidProviders.municipalityId, municipalityId));
    await tx
      .insert(eidProviders)
      .values({ municipalityId, ...values })
      .onConflictDoUpdate({ target: eidProviders.municipalityId, set: values });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.eid_provider",
      target: `municipality:${scope.municipality.slug}`,
      before: before ? { issuer: before.issuer, clientId: before.clientId, scopes: before.scopes } : null,
      after: {
        issuer: values.issuer,
        clientId: values.clientId,
        scopes: values.scopes,
        idClaim: values.idClaim,
        birthDateClaim: values.birthDateClaim,
        secret: input.clientSecret ? "replaced" : input.clearSecret ? "removed" : "kept",
      },
    });
  });
  issuerCache.delete(db);
  if (input.clientSecret) storeSecret(municipalityId, input.clientSecret);
  else if (input.clearSecret) storeSecret(municipalityId, null);
}

/** Removes the municipality's own provider: its pages offer the installation's again (logged). */
export async function removeEidProvider(db: Db, scope: Scope): Promise<{ changed: boolean }> {
  const municipalityId = scope.municipality.id;
  const removed = await db.transaction(async (tx) => {
    const [before] = await tx.delete(eidProviders).where(eq(eidProviders.municipalityId, municipalityId)).returning();
    if (!before) return false;
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.eid_provider",
      target: `municipality:${scope.municipality.slug}`,
      before: { issuer: before.issuer, clientId: before.clientId, scopes: before.scopes },
      after: null,
    });
    return true;
  });
  issuerCache.delete(db);
  storeSecret(municipalityId, null);
  return { changed: removed };
}
