import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, inject, it, vi } from "vitest";
import { openDatabase, queryRows } from "../../db/client";

describe("an idle PostgreSQL connection the server ends", () => {
  it("is reported and replaced; the process does not crash and the next query succeeds", async () => {
    const url = inject("databaseUrl");
    const database = await openDatabase({ url, migrate: false, poolSize: 1 });
    const reported = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const [{ pid }] = await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid`);
      // The pool's one connection is idle now; an administrator (or a restart) ends it.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query("select pg_terminate_backend($1)", [pid]);
      await admin.end();
      await vi.waitFor(() => expect(reported).toHaveBeenCalledWith(expect.stringContaining("idle connection closed")));
      const [{ other }] = await queryRows<{ other: number }>(database.db, sql`select pg_backend_pid() as other`);
      expect(other).not.toBe(pid);
    } finally {
      reported.mockRestore();
      await database.close();
    }
  });
});
