import { RemixBrowser } from "@remix-run/react";
import { StrictMode, startTransition } from "react";
import { hydrateRoot } from "react-dom/client";
import { loadDictionary } from "./domain/i18n/dictionaries";
import { isLocale } from "./domain/i18n";

// The page's language is in <html lang>; its strings (and only its) are fetched before hydrating.
const lang = document.documentElement.lang;
await loadDictionary(isLocale(lang) ? lang : "en");

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
