import { RemixBrowser } from "@remix-run/react";
import { StrictMode, startTransition } from "react";
import { hydrateRoot } from "react-dom/client";
import { dictionaryPartFor, isLocale } from "./domain/i18n";
import { loadDictionary } from "./domain/i18n/dictionaries";

// The page's language is in <html lang>; its strings (and only its, and outside the dashboards only
// those such pages show) are fetched before hydrating.
const lang = document.documentElement.lang;
await loadDictionary(isLocale(lang) ? lang : "en", dictionaryPartFor(window.location.pathname));

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
