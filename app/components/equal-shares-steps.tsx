import { useEffect, useState } from "react";
import { useT } from "./i18n";

/**
 * The interactive step-by-step view of the Equal Shares walkthrough (ADR 0032): with JavaScript, a
 * pair of buttons moves through the steps and a bar per voter group shows what is left of one share.
 * Without JavaScript it renders nothing; the page's tables say the same.
 */
export function EqualSharesSteps({
  id,
  groups,
  steps,
  leftPerShare,
  share,
  money,
}: {
  id: string;
  groups: { id: number; label: string }[];
  steps: string[];
  leftPerShare: number[][];
  share: number;
  money: (n: number) => string;
}) {
  const t = useT();
  const [ready, setReady] = useState(false);
  const [at, setAt] = useState(0);
  useEffect(() => setReady(true), []);
  if (!ready || steps.length === 0) return null;
  const left = at === 0 ? groups.map(() => share) : leftPerShare[at - 1];
  return (
    <section className="es-view" aria-labelledby={`es-view-${id}`} data-testid="es-view">
      <h3 id={`es-view-${id}`}>{t("es.viewTitle")}</h3>
      <div className="es-view-controls">
        <button type="button" className="button" disabled={at === 0} onClick={() => setAt(at - 1)}>
          {t("es.prev")}
        </button>
        <button type="button" className="button" disabled={at === steps.length} onClick={() => setAt(at + 1)}>
          {t("es.next")}
        </button>
      </div>
      <p aria-live="polite" data-testid="es-view-status">
        {at === 0 ? t("es.before") : t("es.after", { step: at, steps: steps.length, project: steps[at - 1] })}
      </p>
      <ul className="es-bars">
        {groups.map((g, k) => (
          <li key={g.id}>
            <span className="es-bar-label">{g.label}</span>
            <span className="es-bar" aria-hidden="true">
              <span style={{ inlineSize: `${share > 0 ? Math.max(0, (left[k] / share) * 100) : 0}%` }} />
            </span>
            <span className="num">{money(left[k])}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
