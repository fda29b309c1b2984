import { UsageError } from "./io.ts";

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and boolean `--flag`; `booleans` lists flags that take no value. */
export function parseArgs(args: string[], booleans: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else if (booleans.includes(name)) flags.set(name, true);
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { positional, flags };
}

export function stringFlag(parsed: ParsedArgs, name: string, fallback?: string): string {
  const value = parsed.flags.get(name);
  if (typeof value === "string") return value;
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
}
