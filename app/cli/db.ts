import { openDatabaseFromEnv } from "../../db/client";
import { DEMO_TOTP_SECRET, seedDemo } from "../services/demo/demo.server";
import { type CliOptions, parseArgs } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = { "if-empty": { type: "boolean" } } satisfies CliOptions;

export const dbCommand: CliCommand = {
  summary: "Database tasks: migrate, seed-demo",
  options: OPTIONS,
  usage: [
    "Usage: shora db migrate",
    "       shora db seed-demo [--if-empty]",
    "",
    "Works on DATABASE_URL, or on the embedded database in SHORA_DATA_DIR (default ./data).",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 1);
    const [action] = parsed.positional;
    if (action !== "migrate" && action !== "seed-demo") throw new UsageError("expected `migrate` or `seed-demo`");
    const database = await openDatabaseFromEnv();
    try {
      if (action === "migrate") {
        io.out(`Migrations applied (${database.kind} ${database.where}).\n`);
        return 0;
      }
      const { created } = await seedDemo(database.db, { now: new Date() });
      io.out(
        created
          ? `Seeded the demo municipality (slug: demo). Two-factor secret of admin@ and platform@demo.shora.local: ${DEMO_TOTP_SECRET}\n`
          : "The demo municipality already exists; nothing to do.\n",
      );
      return 0;
    } finally {
      await database.close();
    }
  },
};
