import type { Db } from "../../db/client";

/** What the server passes to every loader and action (see app/cli/serve.ts). */
export interface ShoraContext {
  db: Db;
  /** The client's address as seen by the server (X-Forwarded-For only when SHORA_TRUST_PROXY=1). */
  clientIp: string;
}

declare module "@remix-run/node" {
  interface AppLoadContext extends ShoraContext {}
}
