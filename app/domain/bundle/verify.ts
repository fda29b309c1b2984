/**
 * Verifies a published bundle without trusting the server: signatures, the growth and consistency
 * of the checkpoints, the Merkle root of every checkpoint recomputed from the leaves, every
 * commitment opened, every ballot against its envelope's rules and weights, one current ballot per
 * voter and envelope, the `.pb` files against the current ballots, every tally re-run, and every
 * file's checksum. Stops at the first failure and names the file, line or leaf, and the reason.
 */
import { createPublicKey, verify as edVerify } from "node:crypto";
import { canonicalJson } from "../audit/canonical";
import { verifyCheckpoint } from "../ledger/checkpoint";
import { PbFormatError, parsePb } from "../pbfile";
import { tally } from "../tally";
import { supportOf } from "./build";
import { CurrentDigest, type LedgerResult, ballotDigest, checkLedger, pbVoteText } from "./ledger-check";
import {
  FILES,
  type LedgerDoc,
  type RoundDoc,
  type TallyDoc,
  bundleFingerprint,
  pbName,
  resultsCsvName,
  rulesFingerprint,
  sha256Hex,
} from "./format";

export interface BundleReader {
  /** The file's bytes, or null when the bundle has no such file. */
  read(name: string): Buffer | null;
}

export interface VerifyCheck {
  ok: boolean;
  name: string;
  detail: string;
}

export interface VerifyReport {
  checks: VerifyCheck[];
  /** 0 all checks pass, 1 a check failed, 2 the bundle cannot be read. */
  exitCode: 0 | 1 | 2;
  fingerprint: string | null;
}

/** A failed check: where (file, line or leaf) and why. */
class Failure extends Error {
  constructor(
    readonly check: string,
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

class Unreadable extends Error {}

function json<T>(reader: BundleReader, name: string): T {
  const bytes = reader.read(name);
  if (!bytes) throw new Unreadable(`${name} is missing from the bundle`);
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (error) {
    throw new Unreadable(`${name} is not valid JSON (${(error as Error).message})`);
  }
}


export interface VerifyOptions {
  /** A PEM public key obtained apart from the bundle: the bundle must carry exactly this key. */
  publicKey?: string;
  /** Runs the ledger check elsewhere (a worker thread) while this thread checks the .pb files. */
  checkLedger?: (round: RoundDoc, ledger: LedgerDoc) => Promise<LedgerResult>;
}

export async function verifyBundle(source: BundleReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  // Every file is read once (the checksums at the end hash the same bytes the checks read).
  const files = new Map<string, Buffer | null>();
  const reader: BundleReader = {
    read(name) {
      if (!files.has(name)) files.set(name, source.read(name));
      return files.get(name) ?? null;
    },
  };
  const checks: VerifyCheck[] = [];
  let fingerprint: string | null = null;
  const pass = (name: string, detail: string) => checks.push({ ok: true, name, detail });
  try {
    const round = json<RoundDoc>(reader, FILES.round);
    const ledger = json<LedgerDoc>(reader, FILES.ledger);
    const tallyDoc = json<TallyDoc>(reader, FILES.tally);
    const sums = reader.read(FILES.sums);
    const signature = reader.read(FILES.signature);
    if (!sums || !signature) throw new Unreadable("SHA256SUMS or SHA256SUMS.sig is missing from the bundle");
    if (!Array.isArray(round.envelopes) || !Array.isArray(round.proposals) || !round.round?.slug) throw new Unreadable("round.json does not describe a round");
    if (!Array.isArray(ledger.checkpoints) || typeof ledger.publicKey !== "string") throw new Unreadable("ledger.json has no checkpoints or public key");
    fingerprint = bundleFingerprint(round);

    // 1. Who signed: the key in the bundle (or the one the observer brought), and SHA256SUMS under it.
    const publicKey = options.publicKey ?? ledger.publicKey;
    if (options.publicKey && options.publicKey.trim() !== ledger.publicKey.trim()) {
      throw new Failure("public key", FILES.ledger, "the bundle's public key is not the one given with --public-key");
    }
    let sumsSigned = false;
    try {
      sumsSigned = edVerify(null, sums, createPublicKey(publicKey), Buffer.from(signature.toString("utf8").trim(), "base64"));
    } catch {
      sumsSigned = false;
    }
    if (!sumsSigned) throw new Failure("SHA256SUMS signature", FILES.signature, "the signature does not verify with the municipality's public key");
    pass("SHA256SUMS signature", `Ed25519, key SHA-256 ${sha256Hex(publicKey.trim()).slice(0, 16)}…`);

    // 2. The round: its rules fingerprint is what the checkpoints sign.
    const rulesPrint = rulesFingerprint(round.round, round.envelopes);
    if (rulesPrint !== round.rulesFingerprint) throw new Failure("round", FILES.round, "rulesFingerprint does not match the round's envelopes and rules");
    pass("round.json", `round ${round.round.slug}, ${round.envelopes.length} envelopes, fingerprint ${fingerprint}`);

    // 3. Checkpoints: signed, for this round, growing.
    const cps = ledger.checkpoints;
    if (cps.length === 0) throw new Failure("checkpoints", FILES.ledger, "no checkpoint");
    cps.forEach((c, i) => {
      const { signature: sig, ...body } = c;
      if (!verifyCheckpoint(body, sig, publicKey)) throw new Failure("checkpoint signatures", `${FILES.ledger} checkpoint ${i} (size ${c.treeSize})`, "the signature does not verify");
      if (c.roundFingerprint !== rulesPrint) throw new Failure("checkpoint signatures", `${FILES.ledger} checkpoint ${i}`, "signed for another round fingerprint");
      if (i > 0 && !(c.treeSize > cps[i - 1].treeSize)) throw new Failure("checkpoints grow", `${FILES.ledger} checkpoint ${i}`, `tree size ${c.treeSize} does not grow from ${cps[i - 1].treeSize}`);
      if (i > 0 && c.signedAt < cps[i - 1].signedAt) throw new Failure("checkpoints grow", `${FILES.ledger} checkpoint ${i}`, "signed before the previous checkpoint");
    });
    pass("checkpoint signatures", `${cps.length} checkpoints signed by the municipality for this round`);

    // 4. The ledger, leaf by leaf (in a worker thread when the caller provides one).
    const ledgerResult = options.checkLedger ? await options.checkLedger(round, ledger) : checkLedger(round, ledger, reader.read(FILES.ballots));
    if ("failure" in ledgerResult) throw new Failure(ledgerResult.failure.check, ledgerResult.failure.where, ledgerResult.failure.reason);
    const summary = ledgerResult;
    pass("ledger leaves", `${summary.leaves} leaves in order; every commitment opens, every ballot obeys its envelope's rules and carries a class weight`);
    pass("one current ballot per voter", `${summary.current} current ballots; every revote supersedes the same voter's ballot in the same envelope`);
    pass("Merkle roots", `every checkpoint's root recomputed from the leaves; the final one covers all ${summary.leaves} (root ${cps[cps.length - 1].rootHash.slice(0, 16)}…)`);

    // 5. The .pb files hold exactly the current ballots (in ledger order), and re-running each rule gives tally.json.
    for (const envelope of round.envelopes) {
      const name = pbName(envelope.slug);
      const bytes = reader.read(name);
      if (!bytes) throw new Unreadable(`${name} is missing from the bundle`);
      const text = bytes.toString("utf8");
      let election: ReturnType<typeof parsePb>;
      try {
        election = parsePb(text);
      } catch (error) {
        if (error instanceof PbFormatError) throw new Failure("Pabulib files", `${name} line ${error.line}`, error.problem);
        throw error;
      }
      const lines = text.split("\n", 8 + election.meta.length + election.projects.length);
      const projectsLine = lines.indexOf("PROJECTS") + 3;
      const votesLine = lines.indexOf("VOTES") + 3;
      if (election.budgetText !== String(envelope.amount)) throw new Failure("Pabulib files", name, `budget ${election.budgetText} is not the envelope's ${envelope.amount}`);
      const expectedProjects = round.proposals.filter((p) => p.envelope === envelope.slug);
      if (election.projects.length !== expectedProjects.length) throw new Failure("Pabulib files", name, `${election.projects.length} projects; round.json lists ${expectedProjects.length}`);
      election.projects.forEach((p, i) => {
        const want = expectedProjects.find((x) => x.id === p.id);
        if (!want) throw new Failure("Pabulib files", `${name} line ${projectsLine + i}`, `project ${p.id} is not a proposal of ${envelope.slug} in round.json`);
        if (p.costText !== String(want.cost)) throw new Failure("Pabulib files", `${name} line ${projectsLine + i}`, `cost ${p.costText} of ${p.id} differs from round.json (${want.cost})`);
      });
      const digest = new CurrentDigest();
      for (const b of election.ballots) digest.add(b.voterId, ballotDigest(b.weight, pbVoteText(b.vote, b.points)));
      const want = summary.envelopes[envelope.slug] ?? { count: 0, digest: new CurrentDigest().hex() };
      if (digest.hex() !== want.digest || election.ballots.length !== want.count) {
        // Name the first row that differs: re-walk the ledger keeping every current ballot (slow path, failures only).
        const detail = checkLedger(round, ledger, reader.read(FILES.ballots), { keep: true });
        const expected = "failure" in detail ? new Map<string, string>() : (detail.kept?.get(envelope.slug) ?? new Map<string, string>());
        const listed = new Set<string>();
        election.ballots.forEach((b, i) => {
          const where = `${name} line ${votesLine + i}`;
          const wantDigest = expected.get(b.voterId);
          if (wantDigest === undefined) throw new Failure("Pabulib files", where, `ballot ${b.voterId} is not a current ballot of ${envelope.slug} in the ledger`);
          if (wantDigest !== ballotDigest(b.weight, pbVoteText(b.vote, b.points))) throw new Failure("Pabulib files", where, "the weight or vote differs from the opened ballot in the ledger");
          listed.add(b.voterId);
        });
        const missing = [...expected.keys()].find((id) => !listed.has(id));
        if (missing) throw new Failure("Pabulib files", name, `current ballot ${missing} is missing`);
        throw new Failure("Pabulib files", name, "the ballots are not in ledger order");
      }
      pass(`${name}`, `${election.ballots.length} current ballots, weights and votes equal to the ledger`);

      const recorded = tallyDoc.envelopes.find((t) => t.envelope === envelope.slug);
      if (!recorded) throw new Failure("tally", FILES.tally, `no result for envelope ${envelope.slug}`);
      if (recorded.rule !== envelope.rule || recorded.seed !== envelope.seed) throw new Failure("tally", `${FILES.tally} ${envelope.slug}`, "rule or seed differs from round.json");
      const rerun = tally(election, { rule: envelope.rule, tieBreak: envelope.tieBreak, seed: envelope.seed });
      if (rerun.selected.join(",") !== recorded.selected.join(",")) {
        throw new Failure("tally", `${FILES.tally} ${envelope.slug}`, `re-running ${envelope.rule} selects [${rerun.selected.join(", ")}], tally.json says [${recorded.selected.join(", ")}]`);
      }
      if (rerun.totalCost !== recorded.totalCost) throw new Failure("tally", `${FILES.tally} ${envelope.slug}`, `total cost ${recorded.totalCost} differs from the re-run (${rerun.totalCost})`);
      const support = supportOf(
        election.projects.map((p) => p.id),
        election.ballots,
      );
      if (canonicalJson(support) !== canonicalJson(recorded.support)) throw new Failure("tally", `${FILES.tally} ${envelope.slug}`, "the support figures differ from the ballots");
      const csv = reader.read(resultsCsvName(envelope.slug));
      if (csv) {
        const rows = csv.toString("utf8").trim().split("\n").slice(1);
        rows.forEach((r, i) => {
          const id = r.slice(0, r.indexOf(","));
          const selectedCell = /,(yes|no),[0-9]*$/.exec(r)?.[1];
          if (selectedCell !== (recorded.selected.includes(id) ? "yes" : "no")) {
            throw new Failure("tally", `${resultsCsvName(envelope.slug)} line ${i + 2}`, `the selected column of ${id} differs from tally.json`);
          }
        });
      }
      pass(`tally of ${envelope.slug}`, `${envelope.rule} re-run on ${name} selects the ${recorded.selected.length} proposals of tally.json (total ${rerun.totalCost} of ${envelope.amount})`);
    }

    // 6. Every file is the one the municipality signed.
    const sumLines = sums.toString("utf8").trim().split("\n");
    sumLines.forEach((l, i) => {
      const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
      if (!match) throw new Failure("checksums", `${FILES.sums} line ${i + 1}`, "not a checksum line");
      const bytes = reader.read(match[2]);
      if (!bytes) throw new Failure("checksums", `${FILES.sums} line ${i + 1}`, `${match[2]} is missing`);
      if (sha256Hex(bytes) !== match[1]) throw new Failure("checksums", match[2], "its SHA-256 differs from SHA256SUMS");
    });
    for (const required of [FILES.round, FILES.ballots, FILES.ledger, FILES.tally, ...round.envelopes.map((e) => pbName(e.slug))]) {
      if (!sumLines.some((l) => l.endsWith(`  ${required}`))) throw new Failure("checksums", FILES.sums, `${required} is not listed`);
    }
    pass("checksums", `${sumLines.length} files match SHA256SUMS`);
    return { checks, exitCode: 0, fingerprint };
  } catch (error) {
    if (error instanceof Failure) {
      checks.push({ ok: false, name: error.check, detail: `${error.where}: ${error.reason}` });
      return { checks, exitCode: 1, fingerprint };
    }
    if (error instanceof Unreadable) {
      checks.push({ ok: false, name: "bundle", detail: error.message });
      return { checks, exitCode: 2, fingerprint };
    }
    throw error;
  }
}
