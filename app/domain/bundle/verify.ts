/**
 * Verifies a published bundle without trusting the server: signatures, the growth and consistency
 * of the checkpoints, the Merkle root of every checkpoint recomputed from the leaves, every
 * commitment opened, every ballot against its envelope's rules and weights, one current ballot per
 * voter and envelope, the `.pb` files against the current ballots, every tally re-run, and every
 * file's checksum. Stops at the first failure and names the file, line or leaf, and the reason.
 */
import { createPublicKey, verify as edVerify } from "node:crypto";
import { canonicalJson } from "../canonical";
import { verifyCheckpoint } from "../ledger/checkpoint";
import { PbFormatError, decodePb, parsePb } from "../pbfile";
import { tally } from "../tally";
import { supportOf } from "./build";
import {
  CurrentDigest,
  type LedgerResult,
  type LedgerSummary,
  ballotDigest,
  checkLedger,
  pbVoteText,
} from "./ledger-check";
import { WitnessFailure, type WitnessedSummary, checkWitnessedLedger, witnessPolicy } from "./witnessed";
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V1,
  BUNDLE_FORMAT_V2,
  FILES,
  type LedgerDoc,
  type RoundDoc,
  type TallyDoc,
  bundleFingerprint,
  pbName,
  resultsCsvName,
  rulesFingerprint,
  rulesFingerprintV1,
  rulesOfRoundDoc,
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
  /** Format 3: the witnesses and quorum the checkpoints were checked against (ADR 0022). */
  witnesses?: WitnessedSummary;
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

interface EnvelopeRun {
  envelope: RoundDoc["envelopes"][number];
  name: string;
  election: ReturnType<typeof parsePb> | null;
  votesLine: number;
  count: number;
  digest: string;
  /** "file": the .pb itself is wrong (reported before the ballot comparison); "tally": after it. */
  stage: "file" | "tally" | null;
  failure: Failure | null;
  tallyDetail: string;
}

/** Reads an envelope's .pb file, digests its ballots and re-runs its rule against tally.json. */
function checkEnvelope(
  reader: BundleReader,
  round: RoundDoc,
  tallyDoc: TallyDoc,
  envelope: RoundDoc["envelopes"][number],
): EnvelopeRun {
  const name = pbName(envelope.slug);
  const run: EnvelopeRun = {
    envelope,
    name,
    election: null,
    votesLine: 0,
    count: 0,
    digest: "",
    stage: null,
    failure: null,
    tallyDetail: "",
  };
  const bytes = reader.read(name);
  if (!bytes) throw new Unreadable(`${name} is missing from the bundle`);
  let text: string;
  let election: ReturnType<typeof parsePb>;
  try {
    text = decodePb(bytes);
    election = parsePb(text);
  } catch (error) {
    if (error instanceof PbFormatError)
      return {
        ...run,
        stage: "file",
        failure: new Failure("Pabulib files", `${name} line ${error.line}`, error.problem),
      };
    throw error;
  }
  const lines = text.split("\n", 8 + election.meta.length + election.projects.length);
  const projectsLine = lines.indexOf("PROJECTS") + 3;
  run.election = election;
  run.votesLine = lines.indexOf("VOTES") + 3;
  const fileFailure = (where: string, reason: string) => ({
    ...run,
    stage: "file" as const,
    failure: new Failure("Pabulib files", where, reason),
  });
  if (election.budgetText !== String(envelope.amount))
    return fileFailure(name, `budget ${election.budgetText} is not the envelope's ${envelope.amount}`);
  const expectedProjects = round.proposals.filter((p) => p.envelope === envelope.slug);
  if (election.projects.length !== expectedProjects.length)
    return fileFailure(name, `${election.projects.length} projects; round.json lists ${expectedProjects.length}`);
  for (const [i, p] of election.projects.entries()) {
    const want = expectedProjects.find((x) => x.id === p.id);
    if (!want)
      return fileFailure(
        `${name} line ${projectsLine + i}`,
        `project ${p.id} is not a proposal of ${envelope.slug} in round.json`,
      );
    if (p.costText !== String(want.cost))
      return fileFailure(
        `${name} line ${projectsLine + i}`,
        `cost ${p.costText} of ${p.id} differs from round.json (${want.cost})`,
      );
  }
  const digest = new CurrentDigest();
  for (const b of election.ballots) digest.add(b.voterId, ballotDigest(b.weight, pbVoteText(b.vote, b.points)));
  run.count = election.ballots.length;
  run.digest = digest.hex();

  const tallyFailure = (where: string, reason: string) => ({
    ...run,
    stage: "tally" as const,
    failure: new Failure("tally", where, reason),
  });
  const recorded = tallyDoc.envelopes.find((t) => t.envelope === envelope.slug);
  if (!recorded) return tallyFailure(FILES.tally, `no result for envelope ${envelope.slug}`);
  if (recorded.rule !== envelope.rule || recorded.seed !== envelope.seed)
    return tallyFailure(`${FILES.tally} ${envelope.slug}`, "rule or seed differs from round.json");
  const rerun = tally(election, { rule: envelope.rule, tieBreak: envelope.tieBreak, seed: envelope.seed });
  if (rerun.selected.join(",") !== recorded.selected.join(",")) {
    return tallyFailure(
      `${FILES.tally} ${envelope.slug}`,
      `re-running ${envelope.rule} selects [${rerun.selected.join(", ")}], tally.json says [${recorded.selected.join(", ")}]`,
    );
  }
  if (rerun.totalCost !== recorded.totalCost)
    return tallyFailure(
      `${FILES.tally} ${envelope.slug}`,
      `total cost ${recorded.totalCost} differs from the re-run (${rerun.totalCost})`,
    );
  const support = supportOf(
    election.projects.map((p) => p.id),
    election.ballots,
  );
  if (canonicalJson(support) !== canonicalJson(recorded.support))
    return tallyFailure(`${FILES.tally} ${envelope.slug}`, "the support figures differ from the ballots");
  const weightSum = election.ballots.reduce((s, b) => s + b.weight, 0);
  if (
    recorded.ballots !== election.ballots.length ||
    recorded.voters !== weightSum ||
    recorded.budget !== envelope.amount
  )
    return tallyFailure(
      `${FILES.tally} ${envelope.slug}`,
      `ballots ${recorded.ballots}, weights ${recorded.voters} and budget ${recorded.budget} differ from ${name} (${election.ballots.length}, ${weightSum}, ${envelope.amount})`,
    );
  const csv = reader.read(resultsCsvName(envelope.slug));
  if (csv) {
    const rows = csv.toString("utf8").trim().split("\n").slice(1);
    for (const [i, r] of rows.entries()) {
      const id = r.slice(0, r.indexOf(","));
      const selectedCell = /,(yes|no),[0-9]*$/.exec(r)?.[1];
      if (selectedCell !== (recorded.selected.includes(id) ? "yes" : "no")) {
        return tallyFailure(
          `${resultsCsvName(envelope.slug)} line ${i + 2}`,
          `the selected column of ${id} differs from tally.json`,
        );
      }
    }
  }
  run.tallyDetail = `${envelope.rule} re-run on ${name} selects the ${recorded.selected.length} proposals of tally.json (total ${rerun.totalCost} of ${envelope.amount})`;
  return run;
}

/** The .pb ballots differ from the ledger's current ballots: walk the ledger again to name the row. */
function nameDifferingRow(reader: BundleReader, round: RoundDoc, ledger: LedgerDoc, run: EnvelopeRun): never {
  const detail = checkLedger(round, ledger, reader.read(FILES.ballots), { keep: true });
  const expected =
    "failure" in detail
      ? new Map<string, string>()
      : (detail.kept?.get(run.envelope.slug) ?? new Map<string, string>());
  const listed = new Set<string>();
  for (const [i, b] of (run.election?.ballots ?? []).entries()) {
    const where = `${run.name} line ${run.votesLine + i}`;
    const wantDigest = expected.get(b.voterId);
    if (wantDigest === undefined)
      throw new Failure(
        "Pabulib files",
        where,
        `ballot ${b.voterId} is not a current ballot of ${run.envelope.slug} in the ledger`,
      );
    if (wantDigest !== ballotDigest(b.weight, pbVoteText(b.vote, b.points)))
      throw new Failure("Pabulib files", where, "the weight or vote differs from the opened ballot in the ledger");
    listed.add(b.voterId);
  }
  const missing = [...expected.keys()].find((id) => !listed.has(id));
  if (missing) throw new Failure("Pabulib files", run.name, `current ballot ${missing} is missing`);
  throw new Failure("Pabulib files", run.name, "the ballots are not in ledger order");
}

/** Every count round.json states, recomputed from the ledger; never more current ballots than eligible voters. */
function checkCounts(round: RoundDoc, summary: LedgerSummary): Failure | null {
  const c = round.counts;
  const differ = (field: string, stated: unknown, actual: number) =>
    new Failure("counts", `${FILES.round} counts.${field}`, `says ${String(stated)}, the ledger has ${actual}`);
  if (c.leaves !== summary.leaves) return differ("leaves", c.leaves, summary.leaves);
  if (c.current !== summary.current) return differ("current", c.current, summary.current);
  if (c.superseded !== summary.superseded) return differ("superseded", c.superseded, summary.superseded);
  if (c.withdrawn !== summary.withdrawn) return differ("withdrawn", c.withdrawn, summary.withdrawn);
  const online = c.ballots?.online;
  const paper = c.ballots?.paper;
  if (
    !Number.isSafeInteger(online) ||
    !Number.isSafeInteger(paper) ||
    online < 0 ||
    paper < 0 ||
    online + paper !== summary.ballots
  )
    return differ("ballots", `${online} online + ${paper} paper`, summary.ballots);
  if (c.eligible !== null) {
    if (!Number.isSafeInteger(c.eligible) || c.eligible < 0) return differ("eligible", c.eligible, summary.current);
    // Voter tags link one voter's ballots within an envelope only: each envelope's current ballots are distinct voters.
    for (const [slug, e] of Object.entries(summary.envelopes))
      if (e.count > c.eligible)
        return new Failure(
          "counts",
          `${FILES.round} counts.eligible`,
          `${e.count} voters have a current ballot in ${slug}, more than the ${c.eligible} eligible`,
        );
  }
  return null;
}

/** Every file is the one the municipality signed. */
function checkSums(
  reader: BundleReader,
  round: RoundDoc,
  sums: Buffer,
  known: ReadonlyMap<string, string>,
): { failure: Failure | null; detail: string } {
  const sumLines = sums.toString("utf8").trim().split("\n");
  for (const [i, l] of sumLines.entries()) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
    if (!match)
      return { failure: new Failure("checksums", `${FILES.sums} line ${i + 1}`, "not a checksum line"), detail: "" };
    const already = known.get(match[2]);
    const bytes = already ? null : reader.read(match[2]);
    if (!already && !bytes)
      return { failure: new Failure("checksums", `${FILES.sums} line ${i + 1}`, `${match[2]} is missing`), detail: "" };
    if ((already ?? sha256Hex(bytes as Buffer)) !== match[1])
      return { failure: new Failure("checksums", match[2], "its SHA-256 differs from SHA256SUMS"), detail: "" };
  }
  for (const required of [
    FILES.round,
    FILES.ballots,
    FILES.ledger,
    FILES.tally,
    ...round.envelopes.map((e) => pbName(e.slug)),
  ]) {
    if (!sumLines.some((l) => l.endsWith(`  ${required}`)))
      return { failure: new Failure("checksums", FILES.sums, `${required} is not listed`), detail: "" };
  }
  return { failure: null, detail: `${sumLines.length} files match SHA256SUMS` };
}

export interface VerifyOptions {
  /** A PEM public key obtained apart from the bundle: the bundle must carry exactly this key. */
  publicKey?: string;
  /** Trusted witnesses' cosigner keys, replacing the bundle's (format 3). */
  witnesses?: string[];
  /** How many of them must cosign the final checkpoint, replacing the bundle's. */
  quorum?: number;
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
    if (!Array.isArray(round.envelopes) || !Array.isArray(round.proposals) || !round.round?.slug)
      throw new Unreadable("round.json does not describe a round");
    if (round.format !== BUNDLE_FORMAT && round.format !== BUNDLE_FORMAT_V2 && round.format !== BUNDLE_FORMAT_V1)
      throw new Unreadable(`round.json has the unknown format ${JSON.stringify(round.format)}`);
    if (!Array.isArray(round.voterClasses) || !Array.isArray(round.round.phases) || !round.counts)
      throw new Unreadable("round.json has no voter classes, phases or counts");
    if (!Array.isArray(ledger.checkpoints) || typeof ledger.publicKey !== "string")
      throw new Unreadable("ledger.json has no checkpoints or public key");
    fingerprint = bundleFingerprint(round);

    // 1. Who signed: the key in the bundle (or the one the observer brought), and SHA256SUMS under it.
    const publicKey = options.publicKey ?? ledger.publicKey;
    if (options.publicKey && options.publicKey.trim() !== ledger.publicKey.trim()) {
      throw new Failure("public key", FILES.ledger, "the bundle's public key is not the one given with --public-key");
    }
    let sumsSigned = false;
    try {
      sumsSigned = edVerify(
        null,
        sums,
        createPublicKey(publicKey),
        Buffer.from(signature.toString("utf8").trim(), "base64"),
      );
    } catch {
      sumsSigned = false;
    }
    if (!sumsSigned)
      throw new Failure(
        "SHA256SUMS signature",
        FILES.signature,
        "the signature does not verify with the municipality's public key",
      );
    pass("SHA256SUMS signature", `Ed25519, key SHA-256 ${sha256Hex(publicKey.trim()).slice(0, 16)}…`);

    // 2. The round: its rules fingerprint is what the checkpoints sign. Format 2 covers everything that
    // decides the outcome (voting window, envelopes, proposals and costs, classes, eligibility); format 1
    // only the envelopes' rules. Checkpoints signed before an upgrade carry format 1's (ADR 0018).
    const v2 = round.format !== BUNDLE_FORMAT_V1;
    const legacyPrint = rulesFingerprintV1(round.round, round.envelopes);
    const rulesPrint = v2 ? rulesFingerprint(rulesOfRoundDoc(round)) : legacyPrint;
    if (rulesPrint !== round.rulesFingerprint)
      throw new Failure(
        "round",
        FILES.round,
        v2
          ? "rulesFingerprint does not match the round's voting window, envelopes, proposals, voter classes and eligibility"
          : "rulesFingerprint does not match the round's envelopes and rules",
      );
    pass(
      "round.json",
      `round ${round.round.slug}, ${round.envelopes.length} envelopes, bundle fingerprint ${fingerprint}`,
    );

    // 3. Checkpoints: signed, for this round's rules, growing.
    const cps = ledger.checkpoints;
    if (cps.length === 0) throw new Failure("checkpoints", FILES.ledger, "no checkpoint");
    let legacy = 0;
    cps.forEach((c, i) => {
      const { signature: sig, ...body } = c;
      if (!verifyCheckpoint(body, sig, publicKey))
        throw new Failure(
          "checkpoint signatures",
          `${FILES.ledger} checkpoint ${i} (size ${c.treeSize})`,
          "the signature does not verify",
        );
      if (v2 && c.roundFingerprint === legacyPrint && legacy === i) legacy += 1;
      else if (c.roundFingerprint !== rulesPrint)
        throw new Failure(
          "checkpoint signatures",
          `${FILES.ledger} checkpoint ${i}`,
          `signed for another round fingerprint than the rules in ${FILES.round}`,
        );
      if (i > 0 && !(c.treeSize > cps[i - 1].treeSize))
        throw new Failure(
          "checkpoints grow",
          `${FILES.ledger} checkpoint ${i}`,
          `tree size ${c.treeSize} does not grow from ${cps[i - 1].treeSize}`,
        );
      if (i > 0 && c.signedAt < cps[i - 1].signedAt)
        throw new Failure(
          "checkpoints grow",
          `${FILES.ledger} checkpoint ${i}`,
          "signed before the previous checkpoint",
        );
    });
    pass(
      "checkpoint signatures",
      `${cps.length} checkpoints signed by the municipality for this round's rules${
        legacy ? ` (the first ${legacy} with the format 1 fingerprint, before the upgrade)` : ""
      }`,
    );

    // 3b. Format 3: the checkpoints as signed notes, and the witnesses' cosignatures (ADR 0022).
    let witnessed: WitnessedSummary | undefined;
    if (round.format === BUNDLE_FORMAT) {
      try {
        witnessed = checkWitnessedLedger(
          ledger,
          publicKey,
          witnessPolicy(ledger, { witnesses: options.witnesses, quorum: options.quorum }),
        );
      } catch (error) {
        if (error instanceof WitnessFailure) throw new Failure("witnesses", error.where, error.reason);
        throw error;
      }
      const w = witnessed;
      pass(
        "witnesses",
        w.policy.quorum === 0 && !w.names.length
          ? `no witnesses, quorum 0: the ${w.noted} checkpoint notes are signed by the municipality alone`
          : `quorum ${w.policy.quorum} of ${w.names.length} witnesses (${w.names.join(", ")}; from the ${w.policy.source}); the final checkpoint is cosigned by ${w.finalCosigners.join(", ") || "none"}; ${w.withQuorum} of ${w.noted} checkpoint notes reach the quorum`,
      );
    }

    if (round.format !== BUNDLE_FORMAT && (options.quorum ?? 0) > 0)
      throw new Failure(
        "witnesses",
        FILES.ledger,
        `a format ${round.format.slice(-1)} bundle has no witnessed checkpoints: a quorum of ${options.quorum} cannot be met`,
      );

    // 4–6. The ledger (in a worker thread when the caller provides one) while this thread reads the
    // .pb files, re-runs every tally and hashes every file; results are reported in a fixed order.
    const ledgerRun = options.checkLedger ? options.checkLedger(round, ledger) : null;
    const envelopeRuns = round.envelopes.map((envelope) => checkEnvelope(reader, round, tallyDoc, envelope));
    const ledgerResult = ledgerRun ? await ledgerRun : checkLedger(round, ledger, reader.read(FILES.ballots));
    if ("failure" in ledgerResult)
      throw new Failure(ledgerResult.failure.check, ledgerResult.failure.where, ledgerResult.failure.reason);
    const summary = ledgerResult;
    pass(
      "ledger leaves",
      `${summary.leaves} leaves in order; every commitment opens, every ballot obeys its envelope's rules and carries a class weight`,
    );
    pass(
      "one current ballot per voter",
      `${summary.current} current ballots; every revote supersedes the same voter's ballot in the same envelope`,
    );
    pass(
      "Merkle roots",
      `every checkpoint's root recomputed from the leaves; the final one covers all ${summary.leaves} (root ${cps[cps.length - 1].rootHash.slice(0, 16)}…)`,
    );
    if (v2)
      pass(
        "voting window",
        `every leaf appended within voting (${round.votingWindow?.startsOn} – ${round.round.phases.find((p) => p.kind === "voting")?.endsOn}); no withdrawn ballot opened`,
      );
    const counts = checkCounts(round, summary);
    if (counts) throw counts;
    pass("counts", `round.json's counts equal the ledger's (${summary.current} current ballots)`);

    for (const run of envelopeRuns) {
      if (run.failure && run.stage === "file") throw run.failure;
      const want = summary.envelopes[run.envelope.slug] ?? { count: 0, digest: new CurrentDigest().hex() };
      if (run.digest !== want.digest || run.count !== want.count) nameDifferingRow(reader, round, ledger, run);
      pass(run.name, `${run.count} current ballots, weights and votes equal to the ledger`);
      if (run.failure) throw run.failure;
      pass(`tally of ${run.envelope.slug}`, run.tallyDetail);
    }
    const checksums = checkSums(reader, round, sums, new Map([[FILES.ballots, summary.sha256]]));
    if (checksums.failure) throw checksums.failure;
    pass("checksums", checksums.detail);
    return { checks, exitCode: 0, fingerprint, witnesses: witnessed };
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
