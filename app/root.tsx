import { localeLabel } from "./components/labels";
import { useNonce } from "./components/nonce";
import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import {
  type ClientLoaderFunctionArgs,
  type ShouldRevalidateFunctionArgs,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { CsrfField, PostForm } from "./components/forms";
import { HelpLink, NextStepLink } from "./components/help-link";
import { useRootData, useT } from "./components/i18n";
import { pageTitle } from "./components/page-title";
import {
  type Locale,
  type MessageKey,
  type Translator,
  addPageStrings,
  dictionaryPartFor,
  direction,
  locales,
  translator,
} from "./domain/i18n";
import { csrfTokenOf } from "./web/csrf.server";
import type { ErrorPayload } from "./web/http.server";
import { loadDictionary } from "./domain/i18n/dictionaries";
import type { PageStrings } from "./domain/i18n/page-strings";
import { requestLocale } from "./web/locale.server";
import { sessionOf } from "./web/session.server";
import "./styles/app.css";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await sessionOf(context, request);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  return json({
    locale,
    csrfToken: csrfTokenOf(request) ?? "",
    user: current
      ? { id: current.user.id, displayName: current.user.displayName, isPlatformAdmin: current.user.isPlatformAdmin }
      : null,
  });
}

/**
 * In the browser, a navigation that changes the language (logging in as someone who chose the other
 * one) or enters a dashboard fetches the strings it needs before the page renders.
 */
export async function clientLoader({ request, serverLoader }: ClientLoaderFunctionArgs) {
  const data = await serverLoader<RootData>();
  await loadDictionary(data.locale, dictionaryPartFor(new URL(request.url).pathname));
  return data;
}

/** The root data is fetched again when a navigation enters or leaves a dashboard (its strings). */
export function shouldRevalidate({ currentUrl, nextUrl, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  return defaultShouldRevalidate || dictionaryPartFor(currentUrl.pathname) !== dictionaryPartFor(nextUrl.pathname);
}

/** The app's name in the page's language; every route's own `meta` replaces it, and an error page names the error. */
export const meta: MetaFunction<typeof loader> = ({ matches, error }) =>
  pageTitle(matches, (t) => [error !== undefined && error !== null && errorPage(t, error).title]);

export type RootData = {
  locale: Locale;
  csrfToken: string;
  user: { id: string; displayName: string; isPlatformAdmin: boolean } | null;
};

function LocaleSwitcher() {
  const t = useT();
  const data = useRootData();
  const location = useLocation();
  return (
    <form method="post" action="/locale" className="locale-switcher">
      <CsrfField />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <label htmlFor="locale-select">{t("locale.switch")}</label>{" "}
      <select id="locale-select" name="locale" defaultValue={data?.locale ?? "en"}>
        {locales.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(localeLabel[l])}
          </option>
        ))}
      </select>{" "}
      <button type="submit">{t("locale.apply")}</button>
    </form>
  );
}

function Header() {
  const t = useT();
  const data = useRootData();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <div className="brand">
        <Link to="/">{t("app.name")}</Link>
      </div>
      <nav aria-label={t("nav.mainMenu")}>
        <ul>
          {data?.user ? (
            <>
              <li>
                <Link to="/account">{t("nav.account")}</Link>
              </li>
              {data.user.isPlatformAdmin ? (
                <li>
                  <Link to="/admin">{t("nav.platformAdmin")}</Link>
                </li>
              ) : null}
              <li>
                <PostForm action="/logout" className="inline-form">
                  <button type="submit" className="link-button">
                    {t("nav.logout")}
                  </button>
                </PostForm>
              </li>
            </>
          ) : (
            <>
              <li>
                <Link to="/login">{t("nav.login")}</Link>
              </li>
              <li>
                <Link to="/signup">{t("nav.signup")}</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
      <LocaleSwitcher />
    </header>
  );
}

/**
 * The tab icon, inside the page: browsers otherwise ask every visitor's first page for
 * /favicon.ico, one more request (and a 404) on a slow phone connection.
 */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%230b5cad'/%3E%3Ccircle cx='8' cy='8' r='3' fill='%23fff'/%3E%3C/svg%3E";

export function Layout({ children }: { children: ReactNode }) {
  const data = useRootData();
  const nonce = useNonce();
  const locale = data?.locale ?? "en";
  // Pages' own strings (ADR 0011), before <Meta> and the page render with them.
  const matches = useMatches();
  for (const match of matches)
    addPageStrings(locale, (match.data as { pageStrings?: PageStrings } | null)?.pageStrings);
  const t = translator(locale);
  return (
    <html lang={locale} dir={direction(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href={FAVICON} />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href="/icon-192.png" />
        <Meta />
        <Links />
      </head>
      <body>
        <Header />
        <main id="main" tabIndex={-1}>
          <HelpLink />
          {children}
        </main>
        <footer className="site-footer">
          <p>{t("footer.openSource")}</p>
          <p>
            <Link to="/privacy">{t("privacy.footerLink")}</Link> · <Link to="/help">{t("help.footerLink")}</Link> ·{" "}
            <Link to="/accessibility">{t("help.accessibilityLink")}</Link>
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

const reasonMessages: Record<ErrorPayload["reason"], MessageKey> = {
  login: "error.403.login",
  staff: "error.403.staff",
  admin: "error.403.municipalityAdmin",
  platform_admin: "error.403.admin",
  csrf: "error.403.csrf",
  not_found: "error.404.body",
  bad_request: "error.400.title",
  bad_address: "error.400.address",
  too_large: "error.413.body",
  throttled: "auth.error.throttled",
};

/** What an error page says: its heading (also the page's title), its text and the HTTP status. */
function errorPage(t: Translator, error: unknown): { title: string; body: string; status: number } {
  let title = t("error.title");
  let body = t("error.500.body");
  let status = 500;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const payload = error.data as Partial<ErrorPayload> | undefined;
    if (status === 404) {
      title = t("error.404.title");
      body = t("error.404.body");
    } else if (status === 403) {
      title = t("error.403.title");
    } else if (status === 400 || status === 413) {
      title = t("error.400.title");
    } else if (status === 429) {
      title = t("error.429.title");
    }
    if (payload?.reason && reasonMessages[payload.reason]) body = t(reasonMessages[payload.reason]);
  }
  return { title, body, status };
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const location = useLocation();
  const { title, body, status } = errorPage(t, error);
  return (
    <section className="error-page" data-status={status}>
      <h1>{title}</h1>
      <p>{body}</p>
      {status === 403 && isRouteErrorResponse(error) && (error.data as ErrorPayload)?.reason === "login" ? (
        <p>
          {/* Brought back here after logging in (the login page keeps only same-site paths). */}
          <Link to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}>{t("nav.login")}</Link>
        </p>
      ) : null}
      <NextStepLink status={status} />
      <p>
        <Link to="/">{t("error.backHome")}</Link>
      </p>
    </section>
  );
}
