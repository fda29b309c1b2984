import { useRouteLoaderData } from "@remix-run/react";
import { type Locale, type Translator, translator } from "../domain/i18n";
import type { RootData } from "../root";

export function useRootData(): RootData | undefined {
  return useRouteLoaderData<RootData>("root");
}

export function useLocale(): Locale {
  return useRootData()?.locale ?? "en";
}

export function useT(): Translator {
  return translator(useLocale());
}
