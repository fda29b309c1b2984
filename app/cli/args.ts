import { parseArgs as parseStrict } from "node:util";
import { UsageError } from "./io.ts";

/** One option of a command: `--name value` (string) or `--name` (boolean); `multiple` may repeat. */
export interface CliOption {
  type: "string" | "boolean";
  multiple?: boolean;
}

/** A command's options, declared in its module: every other flag is refused (exit code 2). */
export type CliOptions = Record<string, CliOption>;

export interface ParsedArgs {
  positional: string[];
  /** The last value of each flag given (`true` for a boolean). */
  flags: Map<string, string | true>;
  /** Every value of each flag given, in order. */
  all: Map<string, string[]>;
}

/**
 * Parses a command's arguments strictly (node:util `parseArgs`, `strict: true`): an unknown or
 * misspelt flag, a flag without its value, a value given to a boolean flag, or more than
 * `maxPositionals` other arguments is a UsageError naming it. `--name value` and `--name=value`.
 */
export function parseArgs(args: string[], options: CliOptions, maxPositionals = 0): ParsedArgs {
  let tokens: ReturnType<typeof parseStrict>["tokens"];
  try {
    ({ tokens } = parseStrict({ args, options, strict: true, allowPositionals: true, tokens: true }));
  } catch (error) {
    throw new UsageError(explain(error, options));
  }
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  for (const token of tokens ?? []) {
    if (token.kind === "positional") positional.push(token.value);
    else if (token.kind === "option") {
      const value = token.value ?? true;
      flags.set(token.name, value);
      if (typeof value === "string") all.set(token.name, [...(all.get(token.name) ?? []), value]);
    }
  }
  if (positional.length > maxPositionals) {
    const extra = positional[maxPositionals];
    throw new UsageError(
      extra.startsWith("-")
        ? `unknown option ${extra}`
        : maxPositionals === 0
          ? `unexpected argument "${extra}": this command takes only options`
          : `unexpected argument "${extra}": this command takes at most ${maxPositionals}`,
    );
  }
  return { positional, flags, all };
}

/** The message for node's parse errors, in the words of the rest of the CLI. */
function explain(error: unknown, options: CliOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string })?.code;
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = nearest(flag.replace(/^-+/, ""), Object.keys(options));
    const known = Object.keys(options).map((name) => `--${name}`);
    return `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ""}; ${known.length ? `options: ${known.join(", ")}` : "this command takes no options"}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return `${flag} takes no value`;
    if (/ambiguous/.test(message)) return `${flag} needs a value (write ${flag}=-… for a value that starts with "-")`;
    return `${flag} needs a value`;
  }
  return message;
}

/** The declared option closest to a misspelt one (at most two edits away), if any. */
function nearest(name: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

export function stringFlag(parsed: ParsedArgs, name: string, fallback?: string): string {
  const value = parsed.flags.get(name);
  if (typeof value === "string") return value;
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
}
