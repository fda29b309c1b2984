import { nameIsPlain } from "../domain/accounts/names";
import { systemActor } from "../services/scope";
import { eq } from "drizzle-orm";
import { openDatabaseFromEnv } from "../../db/client";
import { config } from "../config.server";
import { users } from "../../db/schema";
import { newMunicipalitySchema } from "../domain/tenancy/municipality";
import { normalizeEmail, signup } from "../services/accounts/auth.server";
import { SlugTakenError, createMunicipality } from "../services/tenancy/municipality.server";
import { type CliOptions, parseArgs, stringFlag } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = {
  slug: { type: "string" },
  "name-en": { type: "string" },
  "name-fa": { type: "string" },
  locale: { type: "string" },
  "time-zone": { type: "string" },
  currency: { type: "string" },
  "admin-email": { type: "string" },
  "admin-name": { type: "string" },
  "admin-password": { type: "string" },
  email: { type: "string" },
  name: { type: "string" },
  password: { type: "string" },
} satisfies CliOptions;

export const adminCommand: CliCommand = {
  summary: "Platform administration: create-municipality, create-platform-admin",
  options: OPTIONS,
  usage: [
    "Usage: shora admin create-municipality --slug S --name-en N [--name-fa N] [--locale fa|en]",
    "         [--time-zone Asia/Tehran] [--currency IRR] --admin-email E --admin-name N --admin-password P",
    "       shora admin create-platform-admin --email E --name N --password P",
    "",
    "The password may also come from SHORA_ADMIN_PASSWORD (keeps it out of shell history).",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 1);
    const settings = config();
    const [action] = parsed.positional;
    if (action === "create-municipality") {
      const input = newMunicipalitySchema.safeParse({
        slug: stringFlag(parsed, "slug"),
        nameEn: stringFlag(parsed, "name-en"),
        nameFa: stringFlag(parsed, "name-fa", ""),
        defaultLocale: stringFlag(parsed, "locale", "fa"),
        timeZone: stringFlag(parsed, "time-zone", "Asia/Tehran"),
        currency: stringFlag(parsed, "currency", "IRR"),
        adminEmail: stringFlag(parsed, "admin-email"),
        adminName: stringFlag(parsed, "admin-name"),
        adminPassword: stringFlag(parsed, "admin-password", settings.adminPassword ?? ""),
      });
      if (!input.success) {
        const issue = input.error.issues[0];
        throw new UsageError(`${String(issue.path[0])}: ${issue.message}`);
      }
      const d = input.data;
      const database = await openDatabaseFromEnv();
      try {
        await createMunicipality(database.db, {
          slug: d.slug,
          name: { en: d.nameEn, ...(d.nameFa ? { fa: d.nameFa } : {}) },
          defaultLocale: d.defaultLocale,
          timeZone: d.timeZone,
          currency: d.currency,
          admin: { email: d.adminEmail, displayName: d.adminName, password: d.adminPassword },
        });
      } catch (error) {
        if (error instanceof SlugTakenError) throw new UsageError(error.message);
        throw error;
      } finally {
        await database.close();
      }
      io.out(`Created municipality ${d.slug} with administrator ${normalizeEmail(d.adminEmail)}.\n`);
      return 0;
    }
    if (action === "create-platform-admin") {
      const email = stringFlag(parsed, "email");
      const password = stringFlag(parsed, "password", settings.adminPassword ?? "");
      if (password.length < 10) throw new UsageError("password: at least 10 characters");
      if (!nameIsPlain(stringFlag(parsed, "name")))
        throw new UsageError("name: no invisible or text-direction characters");
      const database = await openDatabaseFromEnv();
      try {
        const outcome = await signup(
          database.db,
          { actor: systemActor("cli") },
          {
            email,
            password,
            displayName: stringFlag(parsed, "name"),
            locale: "en",
            ip: "cli",
          },
        );
        if (!outcome.ok && outcome.code !== "email_taken") throw new UsageError(outcome.code);
        await database.db
          .update(users)
          .set({ isPlatformAdmin: true })
          .where(eq(users.email, normalizeEmail(email)));
      } finally {
        await database.close();
      }
      io.out(`${normalizeEmail(email)} is a platform administrator.\n`);
      return 0;
    }
    throw new UsageError("expected `create-municipality` or `create-platform-admin`");
  },
};
