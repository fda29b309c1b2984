import { config } from "../config.server";
import { type CliOptions, parseArgs } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "seed-demo": { type: "boolean" },
  dev: { type: "boolean" },
  workers: { type: "string" },
} satisfies CliOptions;

/** `shora serve`: its options; the server itself is app/server/serve.ts. */
export const serveCommand: CliCommand = {
  summary: "Start the web app (production build) on PORT (default 3000)",
  options: OPTIONS,
  usage: [
    "Usage: shora serve [--port N] [--host H] [--workers N] [--seed-demo] [--dev]",
    "",
    "Serves ./build (run `npm run build` first) on the database named by DATABASE_URL,",
    "or on the embedded PGlite database in SHORA_DATA_DIR (default ./data).",
    "--port and --host override PORT (3000) and HOST (0.0.0.0).",
    "--seed-demo adds the demo municipality when it is missing.",
    "--dev serves the app through Vite (hot reload) instead of ./build.",
    "--workers N runs N app processes on the port (node:cluster; default SHORA_WORKERS, else one per",
    "core with DATABASE_URL and 1 on the embedded database, which only one process may open).",
    "/healthz, /readyz and (with SHORA_METRICS_TOKEN) /metrics: docs/DEPLOY.md.",
    "Secrets live in the key store SHORA_KEY_DIR (default <data folder>-keys); with DATABASE_URL the",
    "server secret must be set (SHORA_SECRET or SHORA_SECRET_FILE). Checkpoints are signed every",
    "SHORA_CHECKPOINT_MINUTES (10) when SHORA_CHECKPOINT_BALLOTS (10) ballots arrived.",
    "Every variable: the README's configuration table. Exit codes: 2 bad option, 78 bad variable.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS);
    // The whole environment is checked before anything starts (app/config.server.ts).
    const settings = config();
    const portText = parsed.flags.get("port");
    const port = typeof portText === "string" ? Number(portText) : settings.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be a port number");
    const host = String(parsed.flags.get("host") ?? settings.host);
    const workersText = parsed.flags.get("workers");
    const workers = typeof workersText === "string" ? Number(workersText) : undefined;
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256))
      throw new UsageError("--workers must be a whole number from 1 to 256");
    const { ServerCannotStart, startServer } = await import("../server/serve.ts");
    const { ServerSecretMissing } = await import("../services/secrets.server");
    try {
      await startServer(
        { port, host, workers, dev: parsed.flags.has("dev"), seedDemo: parsed.flags.has("seed-demo") },
        io,
      );
    } catch (error) {
      if (error instanceof ServerSecretMissing || error instanceof ServerCannotStart)
        throw new UsageError(error.message);
      throw error;
    }
    return 0;
  },
};
