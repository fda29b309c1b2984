/**
 * Supports on a proposal's page (ADR 0036); it works without JavaScript.
 */
import { Link } from "@remix-run/react";
import { type LocalizedText, formatNumber, pickText } from "../domain/i18n";
import { PostForm } from "./forms";
import { useLocale, useT } from "./i18n";

export interface SupportView {
  shown: boolean;
  open: boolean;
  supports: number;
  threshold: number | null;
  reached: boolean;
  mine: boolean;
  eligible: boolean;
  mergedInto: { id: string; title: LocalizedText } | null;
}

/** "Merged into …" with a link to the kept proposal. */
export function MergedNotice({ base, supports }: { base: string; supports: SupportView }) {
  const t = useT();
  const locale = useLocale();
  if (!supports.mergedInto) return null;
  return (
    <p className="notice merged-into">
      {t("supports.mergedInto")}{" "}
      <Link to={`${base}/proposals/${supports.mergedInto.id}`}>{pickText(supports.mergedInto.title, locale)}</Link>
    </p>
  );
}

/** The count, the threshold and the visitor's support button (never who else supports). */
export function SupportBox({
  supports,
  loggedIn,
  verifyUrl,
  loginUrl,
  outcome,
}: {
  supports: SupportView;
  loggedIn: boolean;
  verifyUrl: string;
  loginUrl: string;
  outcome?: { supportNotice?: string; supportError?: string };
}) {
  const t = useT();
  const locale = useLocale();
  if (!supports.shown || supports.mergedInto) return null;
  return (
    <section className="supports panel" aria-labelledby="supports">
      <h2 id="supports">{t("supports.title")}</h2>
      <p className="support-count">{t("supports.count", { count: supports.supports })}</p>
      {supports.threshold !== null ? (
        <p>
          {supports.reached
            ? t("supports.reached")
            : t("supports.threshold", { threshold: formatNumber(locale, supports.threshold) })}
        </p>
      ) : null}
      {outcome?.supportNotice ? (
        <p className="notice" role="status">
          {outcome.supportNotice}
        </p>
      ) : null}
      {outcome?.supportError ? (
        <p className="notice warning" role="alert">
          {outcome.supportError}
        </p>
      ) : null}
      {supports.mine ? <p>{t("supports.yours")}</p> : null}
      {!supports.open ? (
        <p className="hint">{t("supports.closed")}</p>
      ) : !loggedIn ? (
        <p>
          <Link to={loginUrl}>{t("supports.login")}</Link>
        </p>
      ) : supports.mine ? (
        <PostForm>
          <input type="hidden" name="intent" value="unsupport" />
          <button type="submit" className="secondary">
            {t("supports.withdraw")}
          </button>
        </PostForm>
      ) : supports.eligible ? (
        <PostForm>
          <input type="hidden" name="intent" value="support" />
          <button type="submit">{t("supports.support")}</button>
        </PostForm>
      ) : (
        <p>
          {t("supports.verifyFirst")} <Link to={verifyUrl}>{t("supports.verifyLink")}</Link>
        </p>
      )}
    </section>
  );
}
