/** Sign-in with an OpenID Connect provider and verification from it (ADR 0038). */
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { sessions, users } from "./accounts";
import { districts, municipalities } from "./tenancy";

/**
 * A sign-in on its way to the provider and back: the browser holds a random token (only its hash is
 * here), the row holds `state`, `nonce` and the PKCE verifier. Used once; a pending link (an e-ID that
 * names an existing account) keeps the provider's subject until the account's password is given.
 */
export const eidLogins = pgTable(
  "eid_logins",
  {
    id: text("id").primaryKey(),
    browserHash: text("browser_hash").notNull(),
    issuer: text("issuer").notNull(),
    state: text("state").notNull(),
    nonce: text("nonce").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    next: text("next").notNull(),
    municipalityId: text("municipality_id").references(() => municipalities.id, { onDelete: "cascade" }),
    /** The account already signed in when the sign-in began (a verify page): the e-ID is bound to it. */
    sessionUserId: text("session_user_id").references(() => users.id, { onDelete: "cascade" }),
    linkUserId: text("link_user_id").references(() => users.id, { onDelete: "cascade" }),
    linkSubject: text("link_subject"),
    linkIdToken: text("link_id_token"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("eid_logins_browser_idx").on(t.browserHash)],
);

/** An account's identity at a provider: one provider subject belongs to one account. */
export const externalIdentities = pgTable(
  "external_identities",
  {
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    linkedAt: timestamp("linked_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "external_identities_pk", columns: [t.issuer, t.subject] }),
    index("external_identities_user_idx").on(t.userId),
  ],
);

/** The ID token of a session begun at a provider, for RP-initiated logout (`id_token_hint`). */
export const eidSessions = pgTable("eid_sessions", {
  sessionId: text("session_id")
    .primaryKey()
    .references(() => sessions.id, { onDelete: "cascade" }),
  issuer: text("issuer").notNull(),
  idToken: text("id_token").notNull(),
});

/** `off`: the provider's national ID verifies nobody; `census`: it is matched to the census; `direct`: trusted as is. */
export const eidTrusts = ["off", "census", "direct"] as const;
export type EidTrust = (typeof eidTrusts)[number];

/** A municipality's choices about e-ID verification and its live census service (credential in the key store). */
export const eidSettings = pgTable("eid_settings", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  trust: text("trust", { enum: eidTrusts }).notNull().default("off"),
  defaultVoterClass: text("default_voter_class"),
  defaultDistrictId: text("default_district_id").references(() => districts.id, { onDelete: "set null" }),
  censusServiceUrl: text("census_service_url"),
  censusServiceTimeoutMs: integer("census_service_timeout_ms").notNull().default(5000),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * A municipality's own identity provider, used on its pages instead of the installation's (ADR 0038);
 * the client secret is kept in the key store.
 */
export const eidProviders = pgTable(
  "eid_providers",
  {
    municipalityId: text("municipality_id")
      .primaryKey()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    clientId: text("client_id").notNull(),
    scopes: text("scopes").notNull(),
    idClaim: text("id_claim").notNull(),
    birthDateClaim: text("birth_date_claim").notNull(),
    labelEn: text("label_en").notNull(),
    labelFa: text("label_fa").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("eid_providers_issuer_idx").on(t.issuer)],
);
