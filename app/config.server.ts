/**
 * The environment, read in this one place and checked against one schema (ADR 0023). Every
 * variable is listed in the README's configuration table. `shora serve` and the CLI commands that
 * open the database call `config()` first, so a bad value stops them at start with a message naming
 * the variable (exit code 78, EX_CONFIG). Read lazily: tests that set a variable before the code
 * that uses it see it, as they always did; the parsed result is reused while the variables are equal.
 */
import { z } from "zod";

/** Unset and empty are the same: `VAR=` in a unit file or a shell means "not set". */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const wholeNumber = (min: number, fallback: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number ≥ ${min}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `must be a whole number ≥ ${min}`)),
  ).transform((value) => value ?? fallback);

const schema = z.object({
  /** PostgreSQL (several app hosts may share it); unset: the embedded PGlite database. */
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")),
  /** The embedded database's folder. */
  SHORA_DATA_DIR: optional(z.string()).transform((value) => value ?? "data"),
  /** The key store (ADR 0016); unset: `<data folder>-keys`. */
  SHORA_KEY_DIR: optional(z.string()),
  /** The server secret (ADR 0016), or the file holding it. */
  SHORA_SECRET: optional(z.string()),
  SHORA_SECRET_FILE: optional(z.string()),
  PORT: optional(
    z
      .string()
      .regex(/^\d+$/, "must be a port number (0–65535)")
      .transform(Number)
      .pipe(z.number().max(65535, "must be a port number (0–65535)")),
  ).transform((value) => value ?? 3000),
  HOST: optional(z.string()).transform((value) => value ?? "0.0.0.0"),
  /** 1: the server is behind a proxy whose X-Forwarded-* headers count (client address, https). */
  SHORA_TRUST_PROXY: optional(z.enum(["0", "1"], { message: "must be 1 (behind a proxy) or 0" })).transform(
    (value) => value === "1",
  ),
  /** The checkpoint schedule (ADR 0016). */
  SHORA_CHECKPOINT_MINUTES: optional(
    z
      .string()
      .transform(Number)
      .pipe(z.number({ message: "must be a positive number" }).positive("must be a positive number")),
  ).transform((value) => value ?? 10),
  SHORA_CHECKPOINT_BALLOTS: wholeNumber(1, 10),
  /** The host named in checkpoint origins (ADR 0022). */
  SHORA_CHECKPOINT_HOST: optional(
    z.string().regex(/^[A-Za-z0-9.-]+(:[0-9]+)?$/, "must be a host name (letters, digits, dots, dashes, :port)"),
  ).transform((value) => value ?? "shora.local"),
  /** Ceilings against guessing and mass sign-up (ADR 0015). */
  SHORA_CENSUS_MISSES_PER_IP_HOUR: wholeNumber(1, 20),
  SHORA_CENSUS_MISSES_PER_MUNICIPALITY_HOUR: wholeNumber(1, 300),
  SHORA_SIGNUPS_PER_IP_HOUR: wholeNumber(1, 10),
  /** `shora verify`: 1 never checks the ledger in a worker thread, 2 always does; unset: by size. */
  SHORA_VERIFY_THREADS: optional(z.enum(["1", "2"], { message: "must be 1 or 2" })),
  /** `shora admin`: the password when no --password/--admin-password flag is given. */
  SHORA_ADMIN_PASSWORD: optional(z.string()),
  /** `shora serve`: app processes (node:cluster, ADR 0030); unset: the cores on PostgreSQL, 1 on PGlite. */
  SHORA_WORKERS: optional(
    z
      .string()
      .regex(/^[1-9]\d*$/, "must be a whole number ≥ 1")
      .transform(Number),
  ),
  /** The structured log's level (pino); `info` logs one line per request, `warn` only problems. */
  SHORA_LOG_LEVEL: optional(
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    }),
  ).transform((value) => value ?? "info"),
  /** The bearer token of /metrics (Prometheus); unset: /metrics is not served. */
  SHORA_METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  /** Mail (ADR 0025): smtp:// or smtps:// server; unset: messages are kept for the local mail viewer. */
  SMTP_URL: optional(z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")),
  MAIL_FROM: optional(z.string()).transform((value) => value ?? "Shora <shora@localhost>"),
  /** SMS gateway: an http(s) URL receives a JSON POST {to, text}; `log` prints; unset: the mail viewer. */
  SHORA_SMS_URL: optional(z.string().regex(/^(https?:\/\/|log$)/, "must be an http(s):// URL or log")),
  /** The address links in messages start with; unset: http://localhost:<PORT>. */
  SHORA_PUBLIC_URL: optional(z.string().regex(/^https?:\/\/[^/]+/, "must be an http(s):// URL")),
  /** Photos and documents (ADR 0034): a folder for their files; unset: in the database. */
  SHORA_MEDIA_DIR: optional(z.string()),
  /** …or an S3-compatible bucket: endpoint URL (path-style), bucket, region, keys. */
  SHORA_MEDIA_S3_ENDPOINT: optional(z.string().regex(/^https?:\/\/[^/]+/, "must be an http(s):// URL")),
  SHORA_MEDIA_S3_BUCKET: optional(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")),
  SHORA_MEDIA_S3_REGION: optional(z.string()).transform((value) => value ?? "us-east-1"),
  SHORA_MEDIA_S3_ACCESS_KEY_ID: optional(z.string()),
  SHORA_MEDIA_S3_SECRET_ACCESS_KEY: optional(z.string()),
  /** Sign-in with an OpenID Connect provider (ADR 0038); unset: only Shora's own accounts. */
  SHORA_OIDC_ISSUER: optional(z.string().regex(/^https?:\/\/[^/]+/, "must be an http(s):// URL")),
  SHORA_OIDC_CLIENT_ID: optional(z.string()),
  SHORA_OIDC_CLIENT_SECRET: optional(z.string()),
  SHORA_OIDC_SCOPES: optional(z.string().regex(/(^|\s)openid(\s|$)/, "must include openid")),
  SHORA_OIDC_ID_CLAIM: optional(z.string()),
  SHORA_OIDC_BIRTHDATE_CLAIM: optional(z.string()),
  SHORA_OIDC_LABEL_EN: optional(z.string()),
  SHORA_OIDC_LABEL_FA: optional(z.string()),
});

/** Variables whose values are never repeated in an error message. */
const SECRET = new Set([
  "DATABASE_URL",
  "SHORA_SECRET",
  "SHORA_ADMIN_PASSWORD",
  "SHORA_METRICS_TOKEN",
  "SMTP_URL",
  "SHORA_SMS_URL",
  "SHORA_MEDIA_S3_SECRET_ACCESS_KEY",
  "SHORA_OIDC_CLIENT_SECRET",
]);

export type ConfigVariable = keyof typeof schema.shape;
export const CONFIG_VARIABLES = Object.keys(schema.shape) as ConfigVariable[];

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  keyDir: string | undefined;
  secret: string | undefined;
  secretFile: string | undefined;
  port: number;
  host: string;
  trustProxy: boolean;
  checkpointMinutes: number;
  checkpointBallots: number;
  checkpointHost: string;
  censusMissesPerIpHour: number;
  censusMissesPerMunicipalityHour: number;
  signupsPerIpHour: number;
  verifyThreads: "1" | "2" | undefined;
  adminPassword: string | undefined;
  workers: number | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  metricsToken: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  smsUrl: string | undefined;
  publicUrl: string;
  media:
    | { storage: "db" }
    | { storage: "dir"; dir: string }
    | { storage: "s3"; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** The installation's OpenID Connect provider, or null (ADR 0038). */
  oidc: OidcSettings | null;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string;
  idClaim: string;
  birthDateClaim: string;
  label: { en: string; fa: string };
}

/** A variable with a value the schema refuses. */
export class ConfigError extends Error {
  readonly code = "config" as const;
  constructor(
    readonly variable: string,
    reason: string,
    value: string | undefined,
  ) {
    super(`${variable} ${reason}${value !== undefined && !SECRET.has(variable) ? ` (it is "${value}")` : ""}`);
  }
}

/** Exit code of a command stopped by a bad configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** Where media files go (ADR 0034): S3 when its endpoint is set, else a folder when set, else the database. */
function mediaStorage(e: z.infer<typeof schema>): Config["media"] {
  if (e.SHORA_MEDIA_S3_ENDPOINT) {
    for (const name of [
      "SHORA_MEDIA_S3_BUCKET",
      "SHORA_MEDIA_S3_ACCESS_KEY_ID",
      "SHORA_MEDIA_S3_SECRET_ACCESS_KEY",
    ] as const)
      if (!e[name]) throw new ConfigError(name, "must be set when SHORA_MEDIA_S3_ENDPOINT is", undefined);
    return {
      storage: "s3",
      endpoint: e.SHORA_MEDIA_S3_ENDPOINT.replace(/\/+$/, ""),
      bucket: e.SHORA_MEDIA_S3_BUCKET as string,
      region: e.SHORA_MEDIA_S3_REGION,
      accessKeyId: e.SHORA_MEDIA_S3_ACCESS_KEY_ID as string,
      secretAccessKey: e.SHORA_MEDIA_S3_SECRET_ACCESS_KEY as string,
    };
  }
  if (e.SHORA_MEDIA_DIR) return { storage: "dir", dir: e.SHORA_MEDIA_DIR };
  return { storage: "db" };
}

let memo: { key: string; value: Config } | undefined;

/** The configuration from `env` (the process's environment unless given); throws a ConfigError. */
export function config(env: Record<string, string | undefined> = process.env): Config {
  const key = CONFIG_VARIABLES.map((name) => env[name] ?? "\u0000").join("\u0001");
  if (memo?.key === key) return memo.value;
  const picked: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) picked[name] = env[name];
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0]);
    throw new ConfigError(variable, issue.message, env[variable]);
  }
  const e = parsed.data;
  if (e.SHORA_OIDC_ISSUER && !e.SHORA_OIDC_CLIENT_ID)
    throw new ConfigError("SHORA_OIDC_CLIENT_ID", "is required with SHORA_OIDC_ISSUER", undefined);
  const value: Config = {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.SHORA_DATA_DIR,
    keyDir: e.SHORA_KEY_DIR,
    secret: e.SHORA_SECRET,
    secretFile: e.SHORA_SECRET_FILE,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.SHORA_TRUST_PROXY,
    checkpointMinutes: e.SHORA_CHECKPOINT_MINUTES,
    checkpointBallots: e.SHORA_CHECKPOINT_BALLOTS,
    checkpointHost: e.SHORA_CHECKPOINT_HOST,
    censusMissesPerIpHour: e.SHORA_CENSUS_MISSES_PER_IP_HOUR,
    censusMissesPerMunicipalityHour: e.SHORA_CENSUS_MISSES_PER_MUNICIPALITY_HOUR,
    signupsPerIpHour: e.SHORA_SIGNUPS_PER_IP_HOUR,
    verifyThreads: e.SHORA_VERIFY_THREADS,
    adminPassword: e.SHORA_ADMIN_PASSWORD,
    workers: e.SHORA_WORKERS,
    logLevel: e.SHORA_LOG_LEVEL,
    metricsToken: e.SHORA_METRICS_TOKEN,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smsUrl: e.SHORA_SMS_URL,
    publicUrl: (e.SHORA_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    media: mediaStorage(e),
    oidc:
      e.SHORA_OIDC_ISSUER && e.SHORA_OIDC_CLIENT_ID
        ? {
            issuer: e.SHORA_OIDC_ISSUER,
            clientId: e.SHORA_OIDC_CLIENT_ID,
            clientSecret: e.SHORA_OIDC_CLIENT_SECRET,
            scopes: e.SHORA_OIDC_SCOPES ?? "openid email profile",
            idClaim: e.SHORA_OIDC_ID_CLAIM ?? "national_id",
            birthDateClaim: e.SHORA_OIDC_BIRTHDATE_CLAIM ?? "birthdate",
            label: {
              en: e.SHORA_OIDC_LABEL_EN ?? "Sign in with the national e-ID",
              fa: e.SHORA_OIDC_LABEL_FA ?? "ورود با شناسهٔ الکترونیکی ملی",
            },
          }
        : null,
  };
  memo = { key, value };
  return value;
}
