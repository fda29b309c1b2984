import { isUtf8 } from "node:buffer";
import fs from "node:fs";
import { MAX_PB_BYTES, PbFormatError, parsePb, pbNotText, readPbCompactFrom } from "../domain/pbfile";
import {
  RULES,
  type RuleName,
  RuleNotApplicable,
  type TallyOptions,
  type TallyResult,
  tally,
  ruleNeedsBallots,
  tallyCompact,
} from "../domain/tally";
import type { TieBreak } from "../domain/tally/tiebreak";
import { type CliOptions, parseArgs } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

const USAGE = [
  "Usage: shora tally <file.pb> --rule <name> [--tie-break lexico|cost-votes-seed] [--seed HEX]",
  "                   [--min-support N | --threshold-from-file] [--format json|text]",
  "",
  `Rules: ${RULES.join(", ")}`,
  `The file must be UTF-8 text of at most ${MAX_PB_BYTES / 2 ** 20} MB.`,
  "Exit codes: 0 ok, 2 bad input (the message names the line), 1 internal error.",
].join("\n");

function textReport(result: TallyResult): string {
  const lines = [`Rule ${result.rule}: ${result.selected.length} projects selected`, ""];
  lines.push(["step", "project", "cost", "support", "running total", "phase"].join("\t"));
  for (const s of result.trace) {
    lines.push(
      [
        s.step,
        s.project,
        s.cost,
        s.support,
        s.totalCost,
        s.phase + (s.rho !== undefined ? ` ρ=${s.rho.toPrecision(6)}` : ""),
      ].join("\t"),
    );
  }
  lines.push(
    "",
    `Selected: ${result.selected.join(", ")}`,
    `Total cost ${result.totalCost} of budget ${result.budget} (${((100 * result.totalCost) / (result.budget || 1)).toFixed(1)}%)`,
  );
  return `${lines.join("\n")}\n`;
}

/** Refuses bytes that are not UTF-8 text, naming the line (Node's native checks first: they take a millisecond). */
function assertText(bytes: Uint8Array) {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(0) === -1 && isUtf8(bytes)) return;
  throw pbNotText(bytes) ?? new PbFormatError(1, "a .pb file must be UTF-8 text");
}

/** Fills `target` from the start of the file (its size, taken before). */
function readAll(fd: number, target: Uint8Array, file: string) {
  let done = 0;
  while (done < target.length) {
    const n = fs.readSync(fd, target, done, target.length - done, done);
    if (n === 0) throw new UsageError(`${file} changed while it was read`);
    done += n;
  }
}

const OPTIONS = {
  rule: { type: "string" },
  "tie-break": { type: "string" },
  seed: { type: "string" },
  "min-support": { type: "string" },
  "threshold-from-file": { type: "boolean" },
  format: { type: "string" },
} satisfies CliOptions;

export const tallyCommand: CliCommand = {
  summary: "Tally one envelope from a Pabulib .pb file (greedy, Method of Equal Shares…)",
  options: OPTIONS,
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 1);
    const [file] = parsed.positional;
    if (!file) throw new UsageError(`give a .pb file\n${USAGE}`);
    const rule = parsed.flags.get("rule");
    if (typeof rule !== "string" || !(RULES as readonly string[]).includes(rule)) {
      throw new UsageError(`--rule must be one of: ${RULES.join(", ")}`);
    }
    const tieBreak = String(parsed.flags.get("tie-break") ?? "lexico");
    if (tieBreak !== "lexico" && tieBreak !== "cost-votes-seed")
      throw new UsageError("--tie-break must be lexico or cost-votes-seed");
    const seed = parsed.flags.get("seed");
    if (tieBreak === "cost-votes-seed" && (typeof seed !== "string" || !/^[0-9a-fA-F]+$/.test(seed))) {
      throw new UsageError("--tie-break cost-votes-seed needs --seed HEX");
    }
    const format = String(parsed.flags.get("format") ?? "text");
    if (format !== "json" && format !== "text") throw new UsageError("--format must be json or text");
    let minSupport: number | null = null;
    if (parsed.flags.has("min-support")) {
      minSupport = Number(parsed.flags.get("min-support"));
      if (!Number.isInteger(minSupport) || minSupport < 0)
        throw new UsageError("--min-support must be a whole number ≥ 0");
    }
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(file, "r");
      size = fs.fstatSync(fd).size;
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    if (size > MAX_PB_BYTES) {
      fs.closeSync(fd);
      throw new UsageError(
        `${file}: ${size} bytes; shora tally reads .pb files of at most ${MAX_PB_BYTES / 2 ** 20} MB`,
      );
    }
    const options: TallyOptions = {
      rule: rule as RuleName,
      tieBreak: tieBreak as TieBreak,
      seed: typeof seed === "string" ? seed : undefined,
      minSupport,
      thresholdFromFile: parsed.flags.has("threshold-from-file"),
    };
    let result: TallyResult;
    try {
      // The compact reader takes plain files without an object per voter; anything else (and every
      // error, so that the message names the line) goes through parsePb.
      // Greedy rules need only each project's totals, so the ballots are not kept for them.
      // The file is read straight into the reader's memory.
      const compact = readPbCompactFrom(
        size,
        (target) => {
          readAll(fd, target, file);
          assertText(target);
        },
        {
          ballots: ruleNeedsBallots(options.rule),
        },
      );
      result = compact ? tallyCompact(compact, options) : tally(parsePb(fs.readFileSync(fd).toString("utf8")), options);
    } catch (error) {
      if (error instanceof PbFormatError) throw new UsageError(`${file}: ${error.message}`);
      if (error instanceof RuleNotApplicable) throw new UsageError(error.message);
      throw error;
    } finally {
      fs.closeSync(fd);
    }
    if (format === "json") {
      io.out(
        `${JSON.stringify({ rule: result.rule, selected: result.selected, total_cost: result.totalCost, budget: result.budget, trace: result.trace })}\n`,
      );
    } else io.out(textReport(result));
    return 0;
  },
};
