import fs from "node:fs";
import path from "node:path";
import { constants, brotliCompressSync, gzipSync } from "node:zlib";
import { vitePlugin as remix } from "@remix-run/dev";
import { type Plugin, defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { residentKeys } from "./app/tooling/resident-keys";
import { en } from "./app/domain/i18n/en";
import { fa } from "./app/domain/i18n/fa";
import remixConfig from "./remix.config.js";

/**
 * Writes a Brotli (highest quality) and a gzip (level 9) twin of every client script, style sheet
 * and SVG, once at build time; `shora serve` sends them as they are (app/server/precompressed.ts).
 */
function precompressClientAssets(): Plugin {
  let assets = "";
  return {
    name: "shora-precompress-client-assets",
    apply: "build",
    configResolved(config) {
      assets = path.resolve(config.root, "build/client/assets");
    },
    // After every build (the route manifest is written after the client bundle): any asset
    // without twins newer than itself gets them.
    closeBundle() {
      if (!fs.existsSync(assets)) return;
      for (const name of fs.readdirSync(assets)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const file = path.join(assets, name);
        const body = fs.readFileSync(file);
        const made = fs.statSync(file).mtimeMs;
        const fresh = (twin: string) => fs.existsSync(twin) && fs.statSync(twin).mtimeMs >= made;
        if (fresh(`${file}.br`) && fresh(`${file}.gz`)) continue;
        fs.writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        fs.writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

/**
 * In the browser build, app/domain/i18n uses dictionaries.browser.ts (only the page's language, loaded
 * on demand) instead of dictionaries.ts (every language, for the server, the CLI and the tests).
 */
function browserDictionaries(): Plugin {
  const i18n = path.resolve(import.meta.dirname, "app/domain/i18n");
  const resident = "virtual:shora-resident-dictionary/";
  return {
    name: "shora-browser-dictionaries",
    enforce: "pre",
    // The strings pages outside the dashboards can show (app/tooling/resident-keys.ts), per language.
    load(id) {
      if (!id.startsWith(`\0${resident}`)) return null;
      const all: Record<string, string> = id.endsWith("/fa") ? fa : en;
      const keys = residentKeys(path.resolve(import.meta.dirname, "app"), Object.keys(all));
      return `export default ${JSON.stringify(Object.fromEntries([...keys].map((k) => [k, all[k]])))};`;
    },
    async resolveId(source, importer, options) {
      if (source.startsWith(resident)) return `\0${source}`;
      if (options?.ssr || !source.endsWith("/dictionaries")) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === path.join(i18n, "dictionaries.ts") ? path.join(i18n, "dictionaries.browser.ts") : null;
    },
  };
}

export default defineConfig({
  plugins: [browserDictionaries(), remix(remixConfig), tsconfigPaths(), precompressClientAssets()],
  server: { port: 3000 },
  // Terser takes another 3.6 KB (compressed) off the framework chunk every first visit downloads.
  build: {
    target: "es2022",
    minify: "terser",
    terserOptions: { compress: { passes: 2 }, format: { comments: false } },
    rollupOptions: {
      output: {
        // The few small components and i18n helpers almost every page imports ride in the framework
        // chunk: as files of their own each cost a first visit a request and its headers.
        manualChunks(id) {
          if (/\/app\/components\/(labels|forms|page-title|TableScroll|names|help-link)\.tsx?$/.test(id)) return "index";
          if (/\/node_modules\/(react|react-dom|scheduler|@remix-run|react-router|react-router-dom|turbo-stream)\//.test(id))
            return "index";
          return undefined;
        },
      },
      // Resource routes (CSV, JSON, ZIP, PNG, logout, locale) have no browser code: their client
      // chunk is empty by design, and Rollup's "Generated an empty chunk" line per route reads like
      // an error to a newcomer. Every other warning still prints.
      onwarn(warning, warn) {
        if (warning.code === "EMPTY_BUNDLE") return;
        warn(warning);
      },
    },
  },
});
