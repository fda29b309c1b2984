import { verifyBundle } from "/work/main/app/domain/bundle/verify.ts";
import fs from "node:fs";
const dir = process.argv[2];
const t0 = Date.now();
const r = await verifyBundle({ read: (n) => { try { return fs.readFileSync(dir + "/" + n); } catch { return null; } } });
console.log(r.exitCode, Date.now() - t0);
