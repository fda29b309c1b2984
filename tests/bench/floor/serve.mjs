/**
 * The floor app's server: app/server/serve.ts's middleware chain minus the app (no database, session,
 * CSRF cookie, security headers, whole-page compression or page cache). PORT (default 0: any free port).
 */
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const out = path.resolve(import.meta.dirname, "../../../build/bench-floor");
const build = await import(path.join(out, "server/index.js"));
const app = express();
app.disable("x-powered-by");
app.set("etag", false);
app.use(compression());
app.use("/assets", express.static(path.join(out, "client/assets"), { immutable: true, maxAge: "1y" }));
app.all("*", createRequestHandler({ build, mode: "production" }));
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
process.once("SIGTERM", () => {
  const { user, system } = process.cpuUsage();
  console.log(`cpu ${user} ${system}`);
  server.close();
  server.closeAllConnections();
});
