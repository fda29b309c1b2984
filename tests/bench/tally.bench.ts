import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { type PbBallot, type PbElection, writePb } from "../../app/domain/pbfile";
import type { BenchSuite } from "./run";

const root = path.resolve(import.meta.dirname, "../..");
const shared = path.resolve(root, "tests/fixtures/pabulib/instances");

/** Runs the real CLI process (start-up included); peak memory from GNU time when it is installed. */
function timeCli(
  file: string,
  rule: string,
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; peak: string; voters: number; projects: number } {
  const args = [path.join(root, "app/cli/bin.cjs"), "tally", file, "--rule", rule, "--format", "json"];
  const gnuTime = fs.existsSync("/usr/bin/time");
  const started = process.hrtime.bigint();
  const result = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 28, env })
    : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 28, env });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(result.stderr);
  const kb = gnuTime ? Number(result.stderr.trim().split("\n").pop()) : Number.NaN;
  const meta = fs.readFileSync(file, "utf8").slice(0, 20_000);
  const num = (k: string) => Number(new RegExp(`${k};(\\d+)`).exec(meta)?.[1] ?? 0);
  return {
    seconds,
    peak: Number.isNaN(kb) ? "n/a" : `${(kb / 1024).toFixed(0)} MB`,
    voters: num("num_votes"),
    projects: num("num_projects"),
  };
}

/** A deterministic weighted approval election: 1,000,000 voters in 200,000 weighted ballots, 300 projects. */
function syntheticElection(): PbElection {
  let state = 20261128;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const projects = Array.from({ length: 300 }, (_, i) => ({
    id: String(i + 1),
    costText: String(10_000 + Math.floor(random() * 490_000)),
    fields: {},
  }));
  const popularity = projects.map(() => random() ** 2);
  const ballots: PbBallot[] = [];
  let voters = 0;
  for (let v = 0; voters < 1_000_000; v++) {
    const weight = Math.min(1 + Math.floor(random() * 9), 1_000_000 - voters);
    voters += weight;
    const vote = new Set<string>();
    const size = 1 + Math.floor(random() * 8);
    while (vote.size < size) {
      const j = Math.floor(random() * 300);
      if (random() < 0.3 + popularity[j]) vote.add(projects[j].id);
    }
    ballots.push({ voterId: `v${v}`, weight, vote: [...vote], points: null, fields: {} });
  }
  return {
    meta: [
      ["num_projects", "300"],
      ["num_votes", String(ballots.length)],
      ["budget", "20000000"],
      ["vote_type", "approval"],
    ],
    voteType: "approval",
    budgetText: "20000000",
    projectColumns: ["project_id", "cost"],
    projects,
    voteColumns: ["voter_id", "vote", "weight"],
    ballots,
  };
}

export const tallyBench: BenchSuite = {
  name: "tally",
  async run() {
    const build = spawnSync("npm", ["run", "build:cli", "--silent"], { cwd: root, encoding: "utf8" });
    if (build.status !== 0) throw new Error(build.stderr);
    const rows: string[][] = [];
    const cases: [string, string][] = [
      ["Poland_Warszawa_2026.pb", "mes"],
      ["Poland_Warszawa_2026.pb", "greedy"],
      ["Poland_Warszawa_2026.pb", "mes+greedy"],
      ["Poland_Warszawa_2026.pb", "mes-add1"],
      ["Poland_Lodz_2022.pb", "mes"],
      ["Poland_Wroclaw_2015_150_-_500.pb", "mes+greedy"],
    ];
    // Node loads every certificate of NODE_EXTRA_CA_CERTS before any script runs (≈45 ms on these
    // machines); the tally needs none, so the start-up it costs is shown apart.
    const certs = process.env.NODE_EXTRA_CA_CERTS;
    const { NODE_EXTRA_CA_CERTS: _, ...withoutCerts } = process.env;
    const best = (file: string, rule: string, env?: NodeJS.ProcessEnv) => {
      const runs = [0, 1, 2].map(() => timeCli(file, rule, env));
      return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    };
    // The targets: 100× faster than pabutools' parse + rule (reference/*.json has its seconds here),
    // Add1 and the synthetic million under 5 s.
    const referenceKey: Record<string, string> = {
      mes: "mes_cost",
      greedy: "greedy_cost",
      "mes+greedy": "mes_cost+greedy_cost",
    };
    const target = (file: string, rule: string): number => {
      const reference = path.join(shared, "../reference", path.basename(file).replace(/\.pb$/, ".json"));
      if (!fs.existsSync(reference) || !referenceKey[rule]) return 5;
      const seconds = JSON.parse(fs.readFileSync(reference, "utf8")).seconds ?? {};
      const rule_ = seconds[referenceKey[rule]];
      return typeof rule_ === "number" ? (seconds.parse + rule_) / 100 : 5;
    };
    const row = (label: string, file: string, rule: string, voters?: string) => {
      const r = best(file, rule);
      const bare = certs ? best(file, rule, withoutCerts).seconds.toFixed(3) : "–";
      const goal = target(file, rule);
      const met = r.seconds <= goal ? "✓" : "✗";
      rows.push([
        label,
        voters ?? String(r.voters),
        String(r.projects),
        rule,
        r.seconds.toFixed(3),
        bare,
        r.peak,
        `${met} ≤ ${goal.toFixed(3)}`,
      ]);
    };
    for (const [file, rule] of cases) row(file, path.join(shared, file), rule);
    // The synthetic election as a .pb file, tallied by the same command.
    const synthetic = syntheticElection();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-bench-"));
    const file = path.join(dir, "synthetic-1M.pb");
    fs.writeFileSync(file, writePb(synthetic));
    row(
      `synthetic (${synthetic.ballots.length} weighted ballots, ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB)`,
      file,
      "mes+greedy",
      "1000000",
    );
    fs.rmSync(dir, { recursive: true, force: true });
    const header = [
      "file",
      "voters",
      "projects",
      "rule",
      "seconds (best of 3)",
      "without NODE_EXTRA_CA_CERTS",
      "peak memory",
      "target (s)",
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    console.log([line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));
  },
};
