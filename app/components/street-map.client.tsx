/**
 * The street map over a round's drawing (ADR 0035), fetched by `import()` after hydration and only
 * on map pages of a municipality with a tile server: Leaflet (bundled, served from this site), its
 * stylesheet and ours, the tiles, the districts' outlines and a vector circle per placed proposal
 * (Leaflet's image marker icons break under bundlers) opening a link to its proposal, numbered as the
 * drawing and the list are. The list beside stays the accessible content; while the map is there our
 * stylesheet hides the drawing, and if Leaflet fails the map goes and the drawing is back.
 */
import "leaflet/dist/leaflet.css";
import "./street-map.css";
import L from "leaflet";
import { useEffect, useRef, useState } from "react";
import type { StreetMapData } from "../domain/geo/projection";
import { formatNumber, pickText } from "../domain/i18n";
import { useLocale, useT } from "./i18n";
import type { MapEntry } from "./proposal-map";

interface Marker {
  lat: number;
  lon: number;
  /** The number and title the list beside shows, e.g. "3. New benches". */
  label: string;
  href: string;
}

/** Plain text as HTML: Leaflet writes the attribution with innerHTML. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** Draws the street map into `element`; returns how to remove it. */
function drawStreetMap(
  element: HTMLElement,
  input: { street: StreetMapData; markers: Marker[]; zoomIn: string; zoomOut: string },
): () => void {
  const map = L.map(element, { zoomControl: false, scrollWheelZoom: false, attributionControl: false });
  try {
    L.control.zoom({ zoomInTitle: input.zoomIn, zoomOutTitle: input.zoomOut }).addTo(map);
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(input.street.tileUrl, { attribution: escapeHtml(input.street.attribution), maxZoom: 19 }).addTo(map);
    // The view first: Leaflet clips outlines to it when they are added.
    const layers: L.Layer[] = [];
    const bounds = L.latLngBounds([]);
    for (const district of input.street.districts) {
      const shape = { type: "MultiPolygon" as const, coordinates: district.coordinates };
      const layer = L.geoJSON(shape, { style: { className: "street-map-district" }, interactive: false });
      bounds.extend(layer.getBounds());
      layers.push(layer);
    }
    for (const marker of input.markers) {
      const link = document.createElement("a");
      link.href = marker.href;
      link.textContent = marker.label;
      layers.push(
        L.circleMarker([marker.lat, marker.lon], { radius: 9, className: "street-map-point" }).bindPopup(link),
      );
      bounds.extend([marker.lat, marker.lon]);
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
    else map.setView([0, 0], 1);
    for (const layer of layers) layer.addTo(map);
  } catch (error) {
    map.remove();
    throw error;
  }
  return () => {
    map.remove();
  };
}

export default function StreetMap({
  street,
  entries,
  base,
}: {
  street: StreetMapData;
  /** Every proposal the list shows, in its order: those with a point are numbered, as on the drawing. */
  entries: MapEntry[];
  base: string;
}) {
  const t = useT();
  const locale = useLocale();
  const element = useRef<HTMLElement>(null);
  const [failed, setFailed] = useState(false);
  const zoomIn = t("map.street.zoomIn");
  const zoomOut = t("map.street.zoomOut");
  useEffect(() => {
    if (!element.current) return;
    const placed = new Set(street.points.map((p) => p.id));
    const numbered = entries.filter((e) => placed.has(e.id));
    const markers = street.points.map((p) => {
      const i = numbered.findIndex((e) => e.id === p.id);
      const n = formatNumber(locale, i + 1);
      return {
        lat: p.lat,
        lon: p.lon,
        label: i === -1 ? n : `${n}. ${pickText(numbered[i].title, locale)}`,
        href: `${base}/proposals/${p.id}`,
      };
    });
    try {
      return drawStreetMap(element.current, { street, markers, zoomIn, zoomOut });
    } catch (error) {
      // A street map that fails is no reason to lose the page: the drawing comes back.
      console.error(error);
      setFailed(true);
    }
  }, [street, entries, base, locale, zoomIn, zoomOut]);
  if (failed) return null;
  return (
    <section
      ref={element}
      className="street-map"
      dir="ltr"
      aria-label={t("map.street.label")}
      data-testid="street-map"
    />
  );
}
