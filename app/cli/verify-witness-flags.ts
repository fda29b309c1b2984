import fs from "node:fs";
import type { WitnessedSummary } from "../domain/bundle/witnessed";
import { type CliIo, UsageError } from "./io.ts";

/** The witness options of `verify`, `verify-receipt` and `monitor` (ADR 0022). */
export const WITNESS_USAGE = [
  "--witness <vkey|file> (repeatable) trusts these witnesses instead of the bundle's; --quorum N requires",
  "N of them to cosign the final checkpoint instead of the bundle's quorum.",
];

export interface WitnessFlags {
  /** The arguments without the witness options. */
  rest: string[];
  witnesses?: string[];
  quorum?: number;
}

/** Takes `--witness` (repeatable: a vkey, or a file holding one) and `--quorum N` out of the arguments. */
export function takeWitnessFlags(args: readonly string[]): WitnessFlags {
  const rest: string[] = [];
  const witnesses: string[] = [];
  let quorum: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--(witness|quorum)(?:=(.*))?$/.exec(arg);
    if (!match) {
      rest.push(arg);
      continue;
    }
    let value = match[2];
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${match[1]} needs a value`);
      i++;
    }
    if (match[1] === "quorum") {
      if (!/^(0|[1-9][0-9]{0,3})$/.test(value)) throw new UsageError("--quorum must be a whole number ≥ 0");
      quorum = Number(value);
    } else witnesses.push(readVkey(value));
  }
  return { rest, witnesses: witnesses.length ? witnesses : undefined, quorum };
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
