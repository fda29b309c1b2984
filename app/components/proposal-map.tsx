import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { MapDrawing } from "../domain/geo/projection";
import { type LocalizedText, formatNumber, pickText } from "../domain/i18n";
import { useLocale, useT } from "./i18n";

export interface MapEntry {
  id: string;
  title: LocalizedText;
  district: LocalizedText | null;
}

/**
 * A round's proposals on the map drawn on the server (ADR 0035): district outlines and numbered
 * points, each a link, with the same content as a list beside it. Works without JavaScript.
 */
export function ProposalMap({
  drawing,
  districts,
  entries,
  base,
  id = "proposal-map",
  streetMap,
}: {
  drawing: MapDrawing;
  /** Names of the drawn districts, by id. */
  districts: { id: string; name: LocalizedText }[];
  /** Every proposal shown by the list, in its order: those with a point are numbered on the map. */
  entries: MapEntry[];
  base: string;
  id?: string;
  /** The round's map page with the same filters, from the round page. */
  /** The street map, before the drawing, which its stylesheet hides while it is there (ADR 0035). */
  streetMap?: ReactNode;
}) {
  const t = useT();
  const locale = useLocale();
  const names = new Map(districts.map((d) => [d.id, pickText(d.name, locale)]));
  const placed = new Set(drawing.points.map((p) => p.id));
  const byId = new Map(entries.map((e) => [e.id, e]));
  const numbered = entries.filter((e) => placed.has(e.id));
  const number = new Map(numbered.map((e, i) => [e.id, i + 1]));
  const unplaced = entries.filter((e) => !placed.has(e.id));
  return (
    <section className="proposal-map" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("map.title")}</h2>
      <div className="proposal-map-body">
        {streetMap}
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing with links inside is a group, not a fieldset (role="img" would hide its links). */}
        <svg
          viewBox={`0 0 ${drawing.width} ${drawing.height}`}
          role="group"
          aria-labelledby={`${id}-svg-title ${id}-svg-desc`}
          className="proposal-map-svg"
          data-testid="proposal-map"
        >
          <title id={`${id}-svg-title`}>{t("map.svgTitle")}</title>
          <desc id={`${id}-svg-desc`}>
            {t("map.svgDesc", { districts: drawing.districts.length, count: numbered.length })}
          </desc>
          {drawing.districts.map((d) => (
            <g key={d.id} className="map-district">
              <path d={d.path} fillRule="evenodd" />
              <text x={d.label[0]} y={d.label[1]} textAnchor="middle" className="map-district-label">
                {names.get(d.id) ?? ""}
              </text>
            </g>
          ))}
          {drawing.points.map((p) => {
            const entry = byId.get(p.id);
            const n = number.get(p.id) ?? 0;
            return (
              <a key={p.id} href={`${base}/proposals/${p.id}`} className="map-point">
                <title>{entry ? `${formatNumber(locale, n)}. ${pickText(entry.title, locale)}` : ""}</title>
                <circle cx={p.x} cy={p.y} r="9" />
                <text x={p.x} y={p.y} dy="0.35em" textAnchor="middle">
                  {formatNumber(locale, n)}
                </text>
              </a>
            );
          })}
        </svg>
        <div className="proposal-map-list">
          <h3 id={`${id}-list`}>{t("map.listTitle")}</h3>
          {numbered.length === 0 ? (
            <p>{t("map.noneOnMap")}</p>
          ) : (
            <ol aria-labelledby={`${id}-list`}>
              {numbered.map((e) => (
                <li key={e.id}>
                  <Link to={`${base}/proposals/${e.id}`}>{pickText(e.title, locale)}</Link>
                  {e.district ? <span className="hint"> — {pickText(e.district, locale)}</span> : null}
                </li>
              ))}
            </ol>
          )}
          {unplaced.length > 0 ? <p className="hint">{t("map.unplaced", { count: unplaced.length })}</p> : null}
        </div>
      </div>
    </section>
  );
}
