import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Three projects: pure domain tests, service/route tests against a database
// (PGlite by default, PostgreSQL when TEST_DATABASE_URL is set) and browser tests.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          // Tests that need a real server (several processes on one database) run only against PostgreSQL.
          include: [
            "tests/integration/**/*.test.ts",
            ...(process.env.TEST_DATABASE_URL ? ["tests/postgres/**/*.test.ts"] : []),
          ],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ["tests/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          // Several app processes behind nginx on one database: only against PostgreSQL.
          include: [
            "tests/e2e/**/*.test.ts",
            ...(process.env.TEST_DATABASE_URL ? ["tests/e2e-postgres/**/*.test.ts"] : []),
          ],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
