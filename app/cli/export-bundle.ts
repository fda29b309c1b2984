import { openDatabaseFromEnv } from "../../db/client";
import { roundBundle } from "../services/tally/bundle.server";
import { scopeOf, systemActor } from "../services/scope";
import { findMunicipality } from "../services/tenancy/municipality.server";
import { type CliOptions, parseArgs, stringFlag } from "./args.ts";
import { writeBundle } from "./bundle-files.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = {
  municipality: { type: "string" },
  round: { type: "string" },
  out: { type: "string" },
} satisfies CliOptions;

export const exportBundleCommand: CliCommand = {
  summary: "Write the published bundle of a round from the database",
  options: OPTIONS,
  usage: [
    "Usage: shora export-bundle --municipality <slug> --round <slug> --out DIR|FILE.zip",
    "",
    "Works on DATABASE_URL, or on the embedded database in SHORA_DATA_DIR (default ./data).",
    "Only published rounds have a bundle. Check it with `shora verify DIR`.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS);
    const slug = stringFlag(parsed, "municipality");
    const roundSlug = stringFlag(parsed, "round");
    const out = stringFlag(parsed, "out");
    const database = await openDatabaseFromEnv();
    try {
      const municipality = await findMunicipality(database.db, slug);
      if (!municipality) throw new UsageError(`no municipality "${slug}"`);
      const bundle = await roundBundle(database.db, scopeOf(municipality, systemActor("export-bundle")), { roundSlug });
      if (!bundle) throw new UsageError(`round "${roundSlug}" of ${slug} does not exist or is not published yet`);
      writeBundle(bundle.files, out);
      io.out(
        `Wrote ${bundle.files.length} files to ${out}\nBundle fingerprint (SHA-256 of round.json) ${bundle.fingerprint}\n`,
      );
      return 0;
    } finally {
      await database.close();
    }
  },
};
