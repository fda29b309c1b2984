import fs from "node:fs";
import { type HeldCheckpoint, compareCheckpoints, proofNeeded, readWitnessCheckpoint } from "../domain/bundle/monitor";
import { logVerifier, witnessPolicy, witnessVerifiers, WitnessFailure } from "../domain/bundle/witnessed";
import type { LedgerDoc } from "../domain/bundle/format";
import { readCheckpointNoteBody } from "../domain/ledger/checkpoint";
import { openNote } from "../domain/ledger/note";
import { parseReceipt } from "../domain/ledger/receipt";
import { type CliOptions, parseArgs, stringFlag } from "./args.ts";
import { type CliCommand, type CliIo, UsageError } from "./io.ts";
import { WITNESS_OPTIONS, WITNESS_USAGE, type WitnessFlags, witnessFlagsOf } from "./verify-witness-flags.ts";

type Published = Omit<LedgerDoc, "witnesses"> & { witnesses?: { name: string; vkey: string; url?: string }[] };

const TIMEOUT_MS = 15_000;

async function fetchText(url: string, what: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`cannot reach ${what} ${url} (${(error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} ${url} answered HTTP ${response.status}: ${text.slice(0, 200).trim()}`);
  return text;
}

/** The checkpoint the voter holds: a receipt's (its note when it has one) or a checkpoint note file. */
function heldFrom(file: string, published: Published): HeldCheckpoint & { note: string | null } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  if (text.trimStart().startsWith("{")) {
    const receipt = parseReceipt(JSON.parse(text));
    if (typeof receipt === "string") throw new UsageError(`${file}: ${receipt}`);
    if (!receipt.checkpoint) throw new UsageError(`${file}: the receipt carries no checkpoint yet`);
    const cp = receipt.checkpoint as typeof receipt.checkpoint & { note?: string };
    return { treeSize: cp.treeSize, rootHash: cp.rootHash, note: cp.note ?? null };
  }
  const body = readCheckpointNoteBody(openNote(text, [logVerifier(published.origin ?? "", published.publicKey)]).text);
  return { treeSize: body.treeSize, rootHash: body.rootHash, note: text };
}

const OPTIONS = {
  ...WITNESS_OPTIONS,
  "round-url": { type: "string" },
  "witness-url": { type: "string", multiple: true },
} satisfies CliOptions;

export const monitorCommand: CliCommand = {
  options: OPTIONS,
  summary: "Compare the checkpoint a voter holds with what the round's witnesses last cosigned",
  usage: [
    "Usage: shora monitor <receipt.json|checkpoint.note> --round-url https://host/m/<municipality>/rounds/<round>",
    "                     [--witness-url URL]… [--witness vkey]… [--quorum N]",
    "",
    "Reads the round's checkpoints.json (public key, origin, witnesses), asks each witness for the checkpoint",
    "it last cosigned (GET <witness>/checkpoint/<origin>), checks the municipality's signature and the",
    "witness's cosignature on it, and compares it with the voter's checkpoint: the same root at the same size,",
    "or a consistency proof (from checkpoints.json?from=A&to=B) showing the smaller tree is a prefix of the",
    "larger. A difference is a split view: the municipality showed the voter and the witness different ledgers.",
    ...WITNESS_USAGE,
    "--witness-url replaces the witnesses' addresses published by the municipality (given in the same order as",
    "--witness, or alone when one witness is trusted).",
    "Exit codes: 0 the quorum of witnesses saw a ledger consistent with the voter's, 1 a split view or too few",
    "witnesses answered, 2 bad input.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 1);
    const witnessFlags = witnessFlagsOf(parsed);
    const urls = (parsed.all.get("witness-url") ?? []).map((url) => url.replace(/\/+$/, ""));
    const [file] = parsed.positional;
    if (!file) throw new UsageError("give the receipt or the checkpoint note the voter holds");
    const roundUrl = stringFlag(parsed, "round-url").replace(/\/+$/, "");
    return monitor({ file, roundUrl, urls, witnessFlags }, io);
  },
};

async function monitor(
  input: { file: string; roundUrl: string; urls: string[]; witnessFlags: WitnessFlags },
  io: CliIo,
): Promise<number> {
  let published: Published;
  try {
    published = JSON.parse(await fetchText(`${input.roundUrl}/checkpoints.json`, "the municipality")) as Published;
  } catch (error) {
    io.err(`✗ ${(error as Error).message}\n`);
    return 1;
  }
  if (typeof published.publicKey !== "string" || typeof published.origin !== "string")
    throw new UsageError("checkpoints.json names no public key or origin (checkpoints signed before witnesses)");
  const held = heldFrom(input.file, published);
  if (held.note) {
    const body = readCheckpointNoteBody(openNote(held.note, [logVerifier(published.origin, published.publicKey)]).text);
    if (body.treeSize !== held.treeSize || body.rootHash !== held.rootHash)
      throw new UsageError("the receipt's checkpoint note says another size or root than the receipt");
  }
  let policy: ReturnType<typeof witnessPolicy>;
  let verifiers: ReturnType<typeof witnessVerifiers>;
  try {
    policy = witnessPolicy(published, input.witnessFlags);
    verifiers = witnessVerifiers(policy);
  } catch (error) {
    if (error instanceof WitnessFailure) throw new UsageError(error.message);
    throw error;
  }
  const log = logVerifier(published.origin, published.publicKey);
  io.out(
    `Your checkpoint: ${held.treeSize} leaves, root ${held.rootHash.slice(0, 16)}…; witnesses (${policy.source}): ${verifiers.map((v) => v.name).join(", ") || "none"}; quorum ${policy.quorum}\n`,
  );
  let agree = 0;
  let split = false;
  for (const [i, verifier] of verifiers.entries()) {
    const url = input.urls[i] ?? published.witnesses?.find((w) => w.name === verifier.name)?.url;
    if (!url) {
      io.err(`✗ ${verifier.name}: no address (give --witness-url)\n`);
      continue;
    }
    let note: string;
    try {
      note = await fetchText(`${url}/checkpoint/${encodeURIComponent(published.origin)}`, `witness ${verifier.name}`);
    } catch (error) {
      io.err(`✗ ${verifier.name}: ${(error as Error).message}\n`);
      continue;
    }
    const seen = readWitnessCheckpoint(note, log, verifier);
    if (seen.error !== undefined) {
      io.err(`✗ ${verifier.name}: ${seen.error}\n`);
      continue;
    }
    const needed = proofNeeded(held, seen.checkpoint);
    let proof: string[] | null = null;
    if (needed) {
      try {
        const answer = JSON.parse(
          await fetchText(`${input.roundUrl}/checkpoints.json?from=${needed.from}&to=${needed.to}`, "the municipality"),
        ) as { proof?: string[] };
        proof = Array.isArray(answer.proof) ? answer.proof : null;
      } catch (error) {
        io.err(`✗ ${verifier.name}: ${(error as Error).message}\n`);
        continue;
      }
    }
    const outcome = compareCheckpoints(held, seen.checkpoint, proof);
    if (outcome.kind === "split") {
      split = true;
      io.err(`✗ ${verifier.name}: SPLIT VIEW — ${outcome.reason}\n`);
    } else if (outcome.kind === "unchecked") io.err(`✗ ${verifier.name}: ${outcome.reason}\n`);
    else {
      agree += 1;
      io.out(
        `✓ ${verifier.name}: ${
          outcome.kind === "same"
            ? `cosigned the same checkpoint (${outcome.size} leaves)`
            : `cosigned ${seen.checkpoint.treeSize} leaves; consistent with yours (${outcome.from} → ${outcome.to})`
        }\n`,
      );
    }
  }
  if (split) return 1;
  if (agree < Math.max(policy.quorum, 1)) {
    io.err(`✗ only ${agree} witnesses confirmed your checkpoint; the quorum is ${policy.quorum}\n`);
    return 1;
  }
  io.out(`The witnesses saw a ledger consistent with your checkpoint (${agree} of ${verifiers.length}).\n`);
  return 0;
}
