/**
 * The environment is checked against one schema at start (app/config.server.ts, ADR 0023): a bad
 * value stops the command with a message naming the variable and exit code 78.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import { ConfigError, config } from "../../app/config.server";

type Env = Record<string, string | undefined>;
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

function errorOf(env: Env): ConfigError {
  try {
    config(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration", () => {
  it("gives the documented defaults when nothing is set, and takes empty as unset", () => {
    const expected = {
      databaseUrl: undefined,
      dataDir: "data",
      keyDir: undefined,
      port: 3000,
      host: "0.0.0.0",
      trustProxy: false,
      checkpointMinutes: 10,
      checkpointBallots: 10,
      censusMissesPerIpHour: 20,
      censusMissesPerMunicipalityHour: 300,
      signupsPerIpHour: 10,
      verifyThreads: undefined,
    };
    expect(config({})).toMatchObject(expected);
    expect(config({ PORT: "", SHORA_DATA_DIR: "", SHORA_TRUST_PROXY: "" })).toMatchObject(expected);
  });

  it("reads the values it is given", () => {
    expect(
      config({
        DATABASE_URL: "postgresql://u@127.0.0.1:5432/db",
        SHORA_DATA_DIR: "/srv/shora",
        PORT: "8080",
        SHORA_TRUST_PROXY: "1",
        SHORA_CHECKPOINT_MINUTES: "0.5",
        SHORA_CHECKPOINT_BALLOTS: "3",
        SHORA_SIGNUPS_PER_IP_HOUR: "6",
        SHORA_VERIFY_THREADS: "2",
      }),
    ).toMatchObject({
      databaseUrl: "postgresql://u@127.0.0.1:5432/db",
      dataDir: "/srv/shora",
      port: 8080,
      trustProxy: true,
      checkpointMinutes: 0.5,
      checkpointBallots: 3,
      signupsPerIpHour: 6,
      verifyThreads: "2",
    });
  });

  it("names the variable of a bad value, and repeats no secret", () => {
    const cases: [Env, string][] = [
      [{ PORT: "80a" }, 'PORT must be a port number (0–65535) (it is "80a")'],
      [{ PORT: "70000" }, 'PORT must be a port number (0–65535) (it is "70000")'],
      [{ SHORA_TRUST_PROXY: "yes" }, 'SHORA_TRUST_PROXY must be 1 (behind a proxy) or 0 (it is "yes")'],
      [{ SHORA_CHECKPOINT_MINUTES: "-1" }, 'SHORA_CHECKPOINT_MINUTES must be a positive number (it is "-1")'],
      [{ SHORA_CHECKPOINT_MINUTES: "ten" }, 'SHORA_CHECKPOINT_MINUTES must be a positive number (it is "ten")'],
      [{ SHORA_CHECKPOINT_BALLOTS: "2.5" }, 'SHORA_CHECKPOINT_BALLOTS must be a whole number ≥ 1 (it is "2.5")'],
      [{ SHORA_SIGNUPS_PER_IP_HOUR: "0" }, 'SHORA_SIGNUPS_PER_IP_HOUR must be a whole number ≥ 1 (it is "0")'],
      [{ SHORA_VERIFY_THREADS: "4" }, 'SHORA_VERIFY_THREADS must be 1 or 2 (it is "4")'],
      [{ DATABASE_URL: "mysql://root:hunter2@db/x" }, "DATABASE_URL must be a postgres:// or postgresql:// URL"],
    ];
    for (const [env, message] of cases) {
      const error = errorOf(env);
      expect(error.message).toBe(message);
      expect(error.variable).toBe(Object.keys(env)[0]);
    }
    expect(errorOf({ DATABASE_URL: "mysql://root:hunter2@db/x" }).message).not.toContain("hunter2");
  });

  it("sees a variable a test sets after an earlier read", () => {
    delete process.env.SHORA_CHECKPOINT_BALLOTS;
    expect(config().checkpointBallots).toBe(10);
    process.env.SHORA_CHECKPOINT_BALLOTS = "4";
    expect(config().checkpointBallots).toBe(4);
  });

  it("stops a command at start with exit code 78, the variable named, nothing created", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-config-"));
    try {
      process.env.SHORA_DATA_DIR = path.join(dir, "data");
      process.env.SHORA_KEY_DIR = path.join(dir, "keys");
      process.env.SHORA_CHECKPOINT_BALLOTS = "many";
      const err: string[] = [];
      const code = await main(["db", "migrate"], { out: () => {}, err: (t) => err.push(t) });
      expect(code).toBe(78);
      expect(err.join("")).toBe(
        'shora db: configuration: SHORA_CHECKPOINT_BALLOTS must be a whole number ≥ 1 (it is "many")\n',
      );
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
