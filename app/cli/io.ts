/** Where a CLI command writes. Tests pass buffers; the real CLI passes process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A command's failure the user caused: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  readonly code = "usage" as const;
}

export type CliCommand = {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
};
