import fs from "node:fs";
import type { WitnessedSummary } from "../domain/bundle/witnessed";
import type { CliOptions, ParsedArgs } from "./args.ts";
import { type CliIo, UsageError } from "./io.ts";

/** The witness options of `verify`, `verify-receipt` and `monitor` (ADR 0022). */
export const WITNESS_USAGE = [
  "--witness <vkey|file> (repeatable) trusts these witnesses instead of the bundle's; --quorum N requires",
  "N of them to cosign the final checkpoint instead of the bundle's quorum.",
];

export interface WitnessFlags {
  witnesses?: string[];
  quorum?: number;
}

/** The declared options every witness-aware command adds to its own (the strict parser refuses others). */
export const WITNESS_OPTIONS = {
  witness: { type: "string", multiple: true },
  quorum: { type: "string" },
} satisfies CliOptions;

/** `--witness` (repeatable: a vkey, or a file holding one) and `--quorum N` of parsed arguments. */
export function witnessFlagsOf(parsed: ParsedArgs): WitnessFlags {
  const witnesses = (parsed.all.get("witness") ?? []).map(readVkey);
  const value = parsed.all.get("quorum")?.at(-1);
  let quorum: number | undefined;
  if (value !== undefined) {
    if (!/^(0|[1-9][0-9]{0,3})$/.test(value)) throw new UsageError("--quorum must be a whole number ≥ 0");
    quorum = Number(value);
  }
  return { witnesses: witnesses.length ? witnesses : undefined, quorum };
}

function readVkey(value: string): string {
  if (/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value)) return value;
  try {
    return fs.readFileSync(value, "utf8").trim();
  } catch {
    throw new UsageError(`--witness ${value} is neither a witness key (name+hash+key) nor a readable file`);
  }
}

/** Prints the witnesses and quorum a verification used. */
export function printWitnesses(summary: WitnessedSummary | undefined, io: CliIo) {
  if (!summary) return;
  io.out(
    `Witnesses (${summary.policy.source}): ${summary.names.length ? summary.names.join(", ") : "none"}; quorum ${summary.policy.quorum}; final checkpoint cosigned by ${summary.finalCosigners.join(", ") || "none"}\n`,
  );
}
