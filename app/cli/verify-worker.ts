/** Worker thread of `shora verify`: checks the ledger while the main thread checks the .pb files. */
import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { checkLedger } from "../domain/bundle/ledger-check";
import type { LedgerDoc, RoundDoc } from "../domain/bundle/format";

const input = workerData as { round: RoundDoc; ledger: LedgerDoc; file: string | null; bytes: Uint8Array | null };
let data: Buffer | null = null;
if (input.bytes) data = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
else if (input.file) {
  try {
    data = fs.readFileSync(input.file);
  } catch {
    data = null;
  }
}
parentPort?.postMessage(checkLedger(input.round, input.ledger, data));
