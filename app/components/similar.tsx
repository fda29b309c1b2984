/** The similar proposals shown while a resident writes one (ADR 0036). */
import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { type LocalizedText, pickText } from "../domain/i18n";
import { PostForm } from "./forms";
import { useLocale, useT } from "./i18n";

export interface SimilarView {
  id: string;
  title: LocalizedText;
  supportable: boolean;
}

/** The similar proposals of a draft: each with a link and, where supports are open, a support button. */
export function SimilarList({ items, base }: { items: SimilarView[]; base: string }) {
  const t = useT();
  const locale = useLocale();
  if (items.length === 0) return <p className="hint">{t("similar.none")}</p>;
  return (
    <>
      <p>{t("similar.intro")}</p>
      <ul className="similar-list">
        {items.map((p) => (
          <li key={p.id} className="similar-item">
            <Link to={`${base}/proposals/${p.id}`}>{pickText(p.title, locale)}</Link>
            {p.supportable ? (
              <PostForm action={`${base}/proposals/${p.id}`} className="inline-form">
                <input type="hidden" name="intent" value="support" />
                <button type="submit" className="secondary">
                  {t("similar.support")}
                </button>
              </PostForm>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * While the resident types a title or text, asks the page's loader for similar proposals (after a
 * pause of 400 ms) and shows them; without JavaScript the "check" button posts the form instead.
 */
export function useSimilarWhileTyping(formId: string) {
  const fetcher = useFetcher<{ similar?: SimilarView[] }>();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef("");
  const load = fetcher.load;
  useEffect(() => {
    const form = document.getElementById(formId);
    if (!(form instanceof HTMLFormElement)) return;
    const onInput = (event: Event) => {
      const name = (event.target as HTMLInputElement | null)?.name ?? "";
      if (!/^(title|body)(En|Fa)$/.test(name)) return;
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        const data = new FormData(form);
        const title = `${data.get("titleEn") ?? ""} ${data.get("titleFa") ?? ""}`.trim();
        const body = `${data.get("bodyEn") ?? ""} ${data.get("bodyFa") ?? ""}`.trim().slice(0, 1000);
        const key = `${title}\n${body}`;
        if (key === last.current || title.length < 3) return;
        last.current = key;
        load(`?${new URLSearchParams({ similarTitle: title, similarBody: body })}`);
      }, 400);
    };
    form.addEventListener("input", onInput);
    return () => {
      form.removeEventListener("input", onInput);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [formId, load]);
  return fetcher.data?.similar ?? null;
}
