import { randomBytes } from "node:crypto";

/** A name no other test has made (test files share the PostgreSQL database). */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
