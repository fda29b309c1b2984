/** Where a CLI command writes. Tests pass buffers; the real CLI passes process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

import type { CliOptions } from "./args.ts";

/** A command's failure the user caused: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  readonly code = "usage" as const;
}

/** Exit code of a command stopped by a bad configuration value (sysexits EX_CONFIG; app/config.server.ts). */
const EXIT_CONFIG = 78;

export type CliCommand = {
  summary: string;
  usage: string;
  /** Every flag the command takes (besides --help): the parser refuses any other. */
  options: CliOptions;
  run(args: string[], io: CliIo): Promise<number>;
};

/**
 * Runs one command: its `--help`, its exit code, and errors as the user should see them (a
 * `UsageError` as exit 2 without a stack trace, a bad environment variable as exit 78, anything
 * else as exit 1).
 */
export async function runCommand(
  name: string,
  load: () => Promise<CliCommand>,
  rest: string[],
  io: CliIo,
): Promise<number> {
  try {
    const command = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`shora ${name}: ${error.message}\n`);
      return 2;
    }
    if ((error as { code?: unknown })?.code === "config") {
      io.err(`shora ${name}: configuration: ${(error as Error).message}\n`);
      return EXIT_CONFIG;
    }
    if ((error as { code?: unknown })?.code === "database_locked") {
      io.err(`shora ${name}: ${(error as Error).message}\n`);
      return 1;
    }
    io.err(`shora ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
