import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type Browser, chromium } from "playwright-core";
import { type TestSmtp, startSmtp } from "./mail";
import { type Locale, MISSING_STRING, type TextKey, direction, translator } from "../../app/domain/i18n";
import { generate } from "otplib";
import { DEMO_TOTP_SECRET } from "../../app/services/demo/demo.server";

const root = path.resolve(import.meta.dirname ?? __dirname, "../..");

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Changes to the demo database before the server starts (the demo is seeded first). */
  prepare?: (db: import("../../db/client").Db) => Promise<void>;
  /** More environment for the server (e.g. `SMTP_URL` of a test mail server). */
  env?: Record<string, string>;
  /** The port to listen on (default: any free one), for a test that must name the app's address first. */
  port?: number;
}

/**
 * Starts the production build (`npm run build` first) with the demo data, on a fresh PGlite folder,
 * or on a throwaway PostgreSQL database when TEST_DATABASE_URL is set.
 */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: "0", ...options.env };
  delete env.DATABASE_URL;
  const removeKeys = withKeyStore(env);
  let dropDatabase = async () => {};
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-e2e-"));
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const created = await throwawayDatabase(server, "shora_e2e");
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  } else env.SHORA_DATA_DIR = dataDir;
  if (options.prepare) {
    // The demo data and the test's own, written before the server opens the database, with the
    // server's secret and key store (withKeyStore: the demo creates a signing key).
    const { openDatabase } = await import("../../db/client");
    const { seedDemo } = await import("../../app/services/demo/demo.server");
    const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir });
    try {
      await seedDemo(database.db, { now: new Date() });
      await options.prepare(database.db);
    } finally {
      await database.close();
    }
  }
  const { url, child } = await spawnServer(env, { port: options.port });
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
      removeKeys();
    },
  };
}

/**
 * The server secret and a fresh key store (ADR 0016) for servers started with `env`, shared with this
 * process (which may write demo data or read signing keys). Returns how to remove the key store.
 */
export function withKeyStore(env: Record<string, string>): () => void {
  env.SHORA_SECRET = process.env.SHORA_SECRET || randomBytes(32).toString("base64url");
  const keys = fs.mkdtempSync(path.join(os.tmpdir(), "shora-keys-"));
  env.SHORA_KEY_DIR = keys;
  process.env.SHORA_SECRET = env.SHORA_SECRET;
  process.env.SHORA_KEY_DIR = keys;
  return () => fs.rmSync(keys, { recursive: true, force: true });
}

/** A new, empty database on a PostgreSQL server, and how to drop it afterwards. */
export async function throwawayDatabase(
  server: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Starts `shora serve --seed-demo` with the given environment; resolves once it listens. `args`: more
 * options (`--workers 2`); `seedDemo: false` leaves the demo to another host.
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { args?: string[]; seedDemo?: boolean; port?: number } = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child: ChildProcess = spawn(
    process.execPath,
    // SHORA_SERVER_NODE_ARGS: Node options for the server alone (e.g. --cpu-prof to profile a load run).
    [
      ...(env.SHORA_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      path.join(root, "app/cli/bin.cjs"),
      "serve",
      "--port",
      String(options.port ?? 0),
      "--host",
      "127.0.0.1",
      ...(options.seedDemo === false ? [] : ["--seed-demo"]),
      ...(options.args ?? []),
    ],
    {
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  // E2E_APP_LOG=<file> keeps what the app prints (its errors, with their stacks) for a failing test.
  const log = process.env.E2E_APP_LOG;
  if (log)
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (c: Buffer) => fs.appendFileSync(log, c));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

/** Logs a demo account in through the English login form and waits for the home page. */
export async function logIn(
  page: import("playwright-core").Page,
  baseUrl: string,
  email: string,
  password = "shora-demo-2026",
) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await finishLogIn(page, baseUrl, email);
}

/** Authenticator secrets the browser tests know, per server and account (the demo's, and those they enrolled). */
const secrets = new Map<string, string>();
const usedSteps = new Map<string, number>();

/**
 * A code as the account's authenticator app shows it, never one of a time step this account already
 * used (the server accepts each step once): the current step, else the next one (accepted too).
 */
async function nextCode(key: string, secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, (usedSteps.get(key) ?? -1) + 1);
    if (step <= now + 1) {
      usedSteps.set(key, step);
      return generate({ secret, epoch: step * 30 });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * A UI string's text in English or in Persian (the whole name unless `part`), to find a control
 * whichever language the page shows.
 */
export function inEitherLanguage(key: TextKey, part = false): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const either = `(?:${literal(translator("en")(key))}|${literal(translator("fa")(key))})`;
  return new RegExp(part ? either : `^${either}$`);
}

/**
 * After the password of a log-in: the second factor as a person passes it (ADR 0026). An enrolled
 * account types a code of its authenticator; staff without one enrol (read the secret on the page,
 * confirm with a code, continue past the recovery codes). Ends on `landing` (the home page).
 */
export async function finishLogIn(
  page: import("playwright-core").Page,
  baseUrl: string,
  email: string,
  landing = `${baseUrl}/`,
) {
  await page.waitForURL(
    (u) =>
      u.href === landing ||
      u.pathname === "/account/security" ||
      (u.pathname === "/login" && u.search.includes("step=code")),
  );
  const url = new URL(page.url());
  if (url.href === landing) return;
  // The page may still render in the visitor's language and then in the account's (a client-side
  // navigation has no load state to wait for), so each control is found by its name in either language.
  const key = `${baseUrl}|${email}`;
  if (url.pathname === "/login") {
    const secret = secrets.get(key) ?? (email.endsWith("@demo.shora.local") ? DEMO_TOTP_SECRET : null);
    if (!secret) throw new Error(`no authenticator known for ${email}`);
    await page.getByLabel(inEitherLanguage("security.code", true)).fill(await nextCode(key, secret));
    await page.getByRole("button", { name: inEitherLanguage("security.signIn.submit") }).click();
  } else {
    await page.getByRole("button", { name: inEitherLanguage("security.enrol.start") }).click();
    const secret = await page.locator("[data-totp-secret]").getAttribute("data-totp-secret");
    if (!secret) throw new Error("the enrolment page shows no secret");
    secrets.set(key, secret);
    await page.getByLabel(inEitherLanguage("security.code", true)).fill(await nextCode(key, secret));
    await page.getByRole("button", { name: inEitherLanguage("security.enrol.confirm") }).click();
    await page.locator("[data-recovery-codes]").waitFor();
    await page.getByRole("link", { name: inEitherLanguage("security.continue") }).click();
  }
  await page.waitForURL(landing);
}

/**
 * Chooses the UI language with the switcher in the page header, as a visitor does (a plain form: it
 * works without JavaScript), and waits for the page in that language and direction.
 */
export async function switchLanguage(page: import("playwright-core").Page, locale: Locale) {
  // A page still hydrating or loading its dictionary may render again in the account's language.
  await page.waitForLoadState("networkidle");
  await page.getByLabel(inEitherLanguage("locale.switch")).selectOption(locale);
  await page.getByRole("button", { name: inEitherLanguage("locale.apply") }).click();
  await page.locator(`html[lang="${locale}"][dir="${direction(locale)}"]`).waitFor({ state: "attached" });
}

/** Console messages of pages that showed a UI string their language had not loaded (must stay empty). */
export const missingStrings: string[] = [];

/** Chromium; every page it opens is watched for missing UI strings. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser["newContext"]>) => {
    const context = await newContext(...args);
    context.on("console", (message) => {
      if (message.text().includes(MISSING_STRING)) missingStrings.push(`${message.text()} on ${message.page()?.url()}`);
    });
    return context;
  };
  return browser;
}

/**
 * What axe audits: WCAG 2.0, 2.1 and 2.2 at levels A and AA (rules such as `target-size` run only
 * when asked for by tag) and axe's best practices (landmarks, one main heading, headings in order…).
 */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** Every axe violation on the page, each as its rule id and the elements it found. */
export async function axeViolations(page: import("playwright-core").Page): Promise<string[]> {
  // With JavaScript off (javaScriptEnabled: false) the page's timers never fire, and axe waits on
  // them forever. axe then reads a copy of the page as it is now, its scripts removed, in a context
  // of its own where scripts (axe's) may run: what a browser without JavaScript shows.
  const timersRun = await Promise.race([
    page.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 0))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000)),
  ]);
  if (timersRun) return axeViolationsOf(page);
  const browser = page.context().browser();
  if (!browser) throw new Error("axe: the page has no browser to copy it into");
  const address = page.url();
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, "");
  const context = await browser.newContext({ viewport: page.viewportSize() });
  try {
    const copy = await context.newPage();
    await copy.route(
      (u) => u.href === address,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await copy.goto(address);
    return await axeViolationsOf(copy);
  } finally {
    await context.close();
  }
}

async function axeViolationsOf(page: import("playwright-core").Page): Promise<string[]> {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  // Violations only (axe skips collecting what passed), and in the page itself: the app has no
  // frames, so axe's per-frame mode would only add a blank page, with axe loaded again, per audit.
  // `options` replaces every option, the tags too: it comes first.
  const result = await new AxeBuilder({ page })
    .options({ resultTypes: ["violations"] })
    .withTags(AXE_TAGS)
    .setLegacyMode()
    .analyze();
  const { expect } = await import("vitest");
  expect(result.toolOptions.runOnly, "axe ran the WCAG 2.2 AA rules and best practices").toEqual({
    type: "tag",
    values: AXE_TAGS,
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Fails with every axe violation named (rule id and elements) when a page is not accessible. */
export async function expectAccessible(page: import("playwright-core").Page, label: string): Promise<void> {
  const { expect } = await import("vitest");
  expect(await axeViolations(page), `axe on ${label}`).toEqual([]);
}

/** One app and one browser for a test file, started before its tests and stopped after. */
export function appAndBrowserPerFile(
  hooks: {
    beforeAll: (fn: () => Promise<void>) => void;
    afterAll: (fn: () => Promise<void>) => void;
  },
  options: AppOptions = {},
) {
  const state = {} as { app: RunningApp; browser: Browser; smtp: TestSmtp };
  hooks.beforeAll(async () => {
    // Mail the app sends arrives at a real SMTP server of the test's (sign-up confirmations).
    state.smtp = await startSmtp();
    state.app = await startApp({ ...options, env: { SMTP_URL: state.smtp.url, ...options.env } });
    state.browser = await launchBrowser();
  });
  hooks.afterAll(async () => {
    await state.browser?.close();
    await state.app?.stop();
    await state.smtp?.close();
    // Every page of the file had the strings it showed (the browser downloads only a page's share).
    if (missingStrings.length)
      throw new Error(`pages showed strings they had not loaded:\n${missingStrings.join("\n")}`);
  });
  return state;
}

/**
 * Follows the address-confirmation link of the last mail sent to `email` (ADR 0025), in `page`: a
 * new account confirms its address before it can verify.
 */
export async function confirmAddressByMail(
  page: import("playwright-core").Page,
  appUrl: string,
  smtp: TestSmtp,
  email: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  let link: string | undefined;
  while (!link) {
    const mail = smtp.to(email).at(-1);
    link = /\/confirm\/[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0];
    if (link) break;
    if (Date.now() > deadline) throw new Error(`no confirmation mail reached ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.goto(`${appUrl}${link}`);
  // Opening the link only asks (ADR 0033); the button confirms.
  await Promise.all([page.waitForLoadState("load"), page.locator("main form button[type=submit]").last().click()]);
}

/** A port free now (the operating system's pick), for a server started just after. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
