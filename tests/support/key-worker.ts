/**
 * Another "app host" on a shared key store: creates the named secret with its own random value
 * (unless one exists) and prints what the store holds. Usage: tsx tests/support/key-worker.ts <name>
 */
import { randomBytes } from "node:crypto";
import { createKeyOnce } from "../../db/keystore";

process.stdout.write(createKeyOnce(process.argv[2], randomBytes(32).toString("base64url")));
