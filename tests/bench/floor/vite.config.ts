/**
 * The empty-framework floor app (tests/bench/floor.bench.ts): only the Remix plugin, none of the
 * repository's own (this file is passed with --config, so the root vite.config.ts is never read).
 */
import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import remixConfig from "../../../remix.config.js";

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  plugins: [
    remix({
      appDirectory: path.join(here, "app"),
      buildDirectory: path.resolve(here, "../../../build/bench-floor"),
      // The same future flags as the app (v3_lazyRouteDiscovery…).
      future: remixConfig.future,
    }),
  ],
  build: { target: "es2022" },
  logLevel: "warn",
});
