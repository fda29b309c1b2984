/**
 * The strict CLI (ADR 0023): every command declares its flags, and an unknown or misspelt one is
 * refused with exit code 2 and a message naming it, instead of silently giving the default.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commands, main } from "../../app/cli/main";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

async function run(args: string[]) {
  const { io, out, err } = capture();
  const code = await main(args, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const NAMES = Object.keys(commands);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-cli-args-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("every command refuses an unknown flag", () => {
  it("knows the commands it is about to check", () => {
    expect(NAMES).toEqual(
      expect.arrayContaining(["tally", "serve", "db", "verify", "verify-receipt", "verify-log", "bundle", "admin"]),
    );
    expect(NAMES).toContain("export-bundle");
  });

  for (const name of NAMES) {
    it(`${name} --no-such-flag: exit code 2, the flag named, nothing run`, async () => {
      const result = await run([name, "--no-such-flag", "x"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`shora ${name}: unknown option --no-such-flag`);
      expect(result.stdout).toBe("");
    });

    it(`${name} --help: its usage, and every flag it takes is in it`, async () => {
      const result = await run([name, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: shora ${name}\\b`));
      const command = await commands[name].load();
      for (const flag of Object.keys(command.options)) expect(result.stdout).toContain(`--${flag}`);
    });
  }
});

describe("flags", () => {
  const pb = path.join(dir, "small.pb");
  fs.writeFileSync(
    pb,
    [
      "META",
      "key;value",
      "description;cli flags",
      "num_projects;2",
      "num_votes;2",
      "budget;100",
      "vote_type;approval",
      "PROJECTS",
      "project_id;cost;votes",
      "a;60;2",
      "b;50;1",
      "VOTES",
      "voter_id;vote",
      "v1;a,b",
      "v2;a",
      "",
    ].join("\n"),
  );

  it("a misspelt flag is refused, with the one meant", async () => {
    const result = await run(["tally", pb, "--rule", "greedy", "--tiebreak", "cost-votes-seed"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shora tally: unknown option --tiebreak \(did you mean --tie-break\?\)/);
  });

  it("the right spelling still works, as `--name value` and `--name=value`", async () => {
    const spaced = await run(["tally", pb, "--rule", "greedy", "--format", "json"]);
    const joined = await run(["tally", pb, "--rule=greedy", "--format=json"]);
    expect(spaced.code).toBe(0);
    expect(JSON.parse(spaced.stdout).selected).toEqual(["a"]);
    expect(joined.stdout).toBe(spaced.stdout);
  });

  it("a flag without its value, a value on a switch, a stray argument: exit 2, named", async () => {
    expect(await run(["tally", pb, "--rule"])).toMatchObject({
      code: 2,
      stderr: "shora tally: --rule needs a value\n",
    });
    expect(await run(["tally", pb, "--rule", "greedy", "--min-support", "-1"])).toMatchObject({ code: 2 });
    expect((await run(["tally", pb, "--rule", "greedy", "--min-support", "-1"])).stderr).toContain(
      "--min-support needs a value",
    );
    expect(await run(["bundle", "--demo=yes", "--out", path.join(dir, "b")])).toMatchObject({
      code: 2,
      stderr: "shora bundle: --demo takes no value\n",
    });
    const stray = await run(["tally", pb, "other.pb", "--rule", "greedy"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('unexpected argument "other.pb"');
    expect(fs.existsSync(path.join(dir, "b"))).toBe(false);
  });

  it("the installed `shora` exits with code 2 on an unknown flag", () => {
    const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");
    const result = spawnSync(process.execPath, [bin, "verify-log", path.join(dir, "log.jsonl"), "--quiet"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("shora verify-log: unknown option --quiet; this command takes no options");
  });
});
