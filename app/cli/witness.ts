import fs from "node:fs";
import { newCosignerKey } from "../domain/ledger/cosignature";
import { NoteError, decodeVerifierKey } from "../domain/ledger/note";
import { createWitness } from "../witness/witness";
import { parseArgs, stringFlag } from "./args.ts";
import { type CliCommand, type CliIo, UsageError } from "./io.ts";

const usage = `Usage:
  shora witness --name NAME --key-file FILE --state-dir DIR --log VKEY [--log VKEY ...] [--listen HOST:PORT]
  shora witness keygen --name NAME --key-file FILE

Runs a c2sp.org/tlog-witness witness: POST /add-checkpoint cosigns checkpoints of the logs given
with --log (a log's note verifier key; its key name is the log's origin), consistent with what it
cosigned before; GET /checkpoint/<origin> returns the last one. --listen defaults to 127.0.0.1:8787.
keygen writes a new cosigner key to FILE (mode 0600, never overwritten) and prints its verifier key.
See docs/decisions/0021-signed-notes-and-witnesses.md.`;

/** Repeated `--log VKEY` (or `--log=VKEY`) values, and the other arguments. */
function splitLogs(args: string[]): { logs: string[]; rest: string[] } {
  const logs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--log") {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError("--log needs a verifier key");
      logs.push(value);
    } else if (args[i].startsWith("--log=")) logs.push(args[i].slice("--log=".length));
    else rest.push(args[i]);
  }
  return { logs, rest };
}

function hostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw new UsageError(`--listen must be HOST:PORT, not ${JSON.stringify(text)}`);
  return { host: match[1] ?? match[2], port };
}

function onlyFlags(parsed: ReturnType<typeof parseArgs>, known: string[]): void {
  for (const flag of parsed.flags.keys()) if (!known.includes(flag)) throw new UsageError(`unknown flag --${flag}`);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument ${parsed.positional[0]}`);
}

function keygen(args: string[], io: CliIo): number {
  const parsed = parseArgs(args);
  onlyFlags(parsed, ["name", "key-file"]);
  const name = stringFlag(parsed, "name");
  const file = stringFlag(parsed, "key-file");
  let key: { signerKey: string; verifierKey: string };
  try {
    key = newCosignerKey(name);
  } catch (error) {
    if (error instanceof NoteError) throw new UsageError(`--name: ${error.message}`);
    throw error;
  }
  try {
    fs.writeFileSync(file, `${key.signerKey}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "EEXIST" ? `${file} exists; not overwriting a key` : `cannot write ${file} (${code})`,
    );
  }
  io.out(`${key.verifierKey}\n`);
  return 0;
}

async function serve(args: string[], io: CliIo): Promise<number> {
  const { logs, rest } = splitLogs(args);
  const parsed = parseArgs(rest);
  onlyFlags(parsed, ["name", "key-file", "state-dir", "listen"]);
  const name = stringFlag(parsed, "name");
  const keyFile = stringFlag(parsed, "key-file");
  const stateDir = stringFlag(parsed, "state-dir");
  const { host, port } = hostPort(stringFlag(parsed, "listen", "127.0.0.1:8787"));
  if (logs.length === 0) throw new UsageError("give at least one --log with the log's verifier key");
  const byOrigin = new Map<string, string[]>();
  for (const [i, vkey] of logs.entries()) {
    try {
      const origin = decodeVerifierKey(vkey).name;
      byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), vkey]);
    } catch (error) {
      if (error instanceof NoteError) throw new UsageError(`--log #${i + 1}: ${error.message}`);
      throw error;
    }
  }
  let signerKey: string;
  try {
    signerKey = fs.readFileSync(keyFile, "utf8").trim();
  } catch {
    throw new UsageError(`cannot read --key-file ${keyFile}`);
  }
  if ((fs.statSync(keyFile).mode & 0o077) !== 0) io.err(`warning: ${keyFile} is readable by other users\n`);
  let witness: ReturnType<typeof createWitness>;
  try {
    witness = createWitness({
      name,
      signerKey,
      stateDir,
      logs: [...byOrigin].map(([origin, vkeys]) => ({ origin, vkeys })),
    });
  } catch (error) {
    if (error instanceof NoteError) throw new UsageError(`--key-file: ${error.message}`);
    throw error;
  }
  const server = await witness.listen(host, port);
  io.out(`witness ${witness.name} listening on ${server.url}\nverifier key ${witness.verifierKey}\n`);
  for (const origin of byOrigin.keys()) io.out(`log ${origin}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}

export const witnessCommand: CliCommand = {
  summary: "Run a transparency-log witness (c2sp.org/tlog-witness), or make its key",
  usage,
  run: (args, io) => (args[0] === "keygen" ? Promise.resolve(keygen(args.slice(1), io)) : serve(args, io)),
};
