/**
 * Verify benchmark: `shora bundle --demo` writes a synthetic published bundle of N ledger leaves
 * (default 1,000,000; BENCH_VERIFY_VOTERS changes it), then `shora verify` checks it in a fresh
 * process, timed from spawn to exit with its peak memory. Target: 1,000,000 ballots in under 10 s.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchSuite } from "./run";

const bin = path.resolve(import.meta.dirname, "../../app/cli/bin.cjs");

function timed(args: string[]) {
  const started = process.hrtime.bigint();
  const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakKb = Number(run.stderr.trim().split("\n").pop());
  return { status: run.status, seconds, peakMb: Math.round(peakKb / 1024), stdout: run.stdout, stderr: run.stderr };
}

export const verifyBench: BenchSuite = {
  name: "verify",
  async run() {
    // The built command, as users run it (otherwise bin.cjs would run the TypeScript sources through tsx).
    const build = spawnSync("npm", ["run", "build:cli", "--silent"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      encoding: "utf8",
    });
    if (build.status !== 0) throw new Error(build.stderr);
    const voters = Number(process.env.BENCH_VERIFY_VOTERS ?? 1_000_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-verify-bench-"));
    try {
      const written = timed(["bundle", "--demo", "--voters", String(voters), "--out", dir, "--seed", "bench"]);
      if (written.status !== 0) throw new Error(`bundle --demo failed: ${written.stderr}`);
      const size = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
      const verified = timed(["verify", dir]);
      if (verified.status !== 0) throw new Error(`verify failed: ${verified.stdout}${verified.stderr}`);
      console.log("| step | ballots | bundle size | wall time | peak memory | target |");
      console.log("|---|---:|---:|---:|---:|---|");
      console.log(
        `| shora bundle --demo | ${voters.toLocaleString("en")} | ${(size / 1e6).toFixed(0)} MB | ${written.seconds.toFixed(1)} s | ${written.peakMb} MB | – |`,
      );
      console.log(
        `| shora verify | ${voters.toLocaleString("en")} | | ${verified.seconds.toFixed(1)} s | ${verified.peakMb} MB | < 10 s for 1,000,000 |`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
