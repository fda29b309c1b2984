import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

let cached: string | undefined;

/**
 * The server secret that encrypts municipalities' signing keys. Production sets SHORA_SECRET
 * (never committed). Without it, a random secret is created once in the data folder
 * (SHORA_DATA_DIR or ./data, mode 0600), which suits the embedded demo.
 */
export function serverSecret(): string {
  if (cached) return cached;
  if (process.env.SHORA_SECRET) {
    cached = process.env.SHORA_SECRET;
    return cached;
  }
  const dir = path.resolve(process.env.SHORA_DATA_DIR || "data");
  const file = path.join(dir, "server-secret");
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  cached = fs.readFileSync(file, "utf8").trim();
  return cached;
}
