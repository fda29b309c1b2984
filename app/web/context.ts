import type { Db } from "../../db/client";

/** What the server passes to every loader and action (see app/server/serve.ts). */
export interface ShoraContext {
  db: Db;
  /** The client's address as seen by the server (X-Forwarded-For only when SHORA_TRUST_PROXY=1). */
  clientIp: string;
  /**
   * Reads shared by the loaders of one GET request (the root and the page both need the session), made
   * once. The server gives one to GET and HEAD requests only: a POST's action may log in or out before
   * its loaders run, and they must see that. Absent in tests that build their own context.
   */
  perRequest?: Map<string, Promise<unknown>>;
}

declare module "@remix-run/node" {
  interface AppLoadContext extends ShoraContext {}
}
