/**
 * The charts of a published round's results as data (the same numbers as the page's tables), and
 * as PNG images for council reports, drawn on the server with chart.js on @napi-rs/canvas.
 */
import fs from "node:fs";
import type { Db } from "../../../db/client";
import { type Locale, formatDay, pickText, translator } from "../../domain/i18n";
import type { Scope } from "../scope";
import { roundBundle } from "./bundle.server";
import { roundResultsData } from "./open-data.server";
import { ruleComparisons } from "./results.server";

export const CHART_KINDS = ["support", "spending", "compare", "turnout"] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export interface ChartSpec {
  title: string;
  labels: string[];
  datasets: { label: string; data: number[]; backgroundColor: string }[];
  horizontal: boolean;
  stacked: boolean;
}

/** One chart of the results, or null when the round is not published or has no such envelope. */
export async function resultsChart(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; kind: ChartKind; envelope: string | null; locale: Locale },
): Promise<ChartSpec | null> {
  const data = await roundResultsData(db, scope, { roundSlug: input.roundSlug });
  if (!data) return null;
  const t = translator(input.locale);
  const round = pickText(data.round.title, input.locale);
  if (input.kind === "turnout") {
    const days = [...new Set(data.turnout.map((r) => r.day))].sort();
    return {
      title: `${t("results.turnout")} — ${round}`,
      labels: days.map((d) => formatDay(input.locale, d)),
      datasets: [
        {
          label: t("rounds.turnout.voters"),
          data: days.map((d) => data.turnout.filter((r) => r.day === d).reduce((s, r) => s + r.voters, 0)),
          backgroundColor: "#0b5cad",
        },
      ],
      horizontal: false,
      stacked: false,
    };
  }
  const envelope = data.envelopes.find((e) => e.slug === input.envelope);
  if (!envelope) return null;
  const name = pickText(envelope.name, input.locale);
  if (input.kind === "support") {
    return {
      title: `${t("rounds.results.chartCaption")} — ${name}`,
      labels: envelope.proposals.map((p) => `${p.selected ? "✓ " : ""}${pickText(p.title, input.locale)}`),
      datasets: [
        {
          label: t("rounds.results.support"),
          data: envelope.proposals.map((p) => p.weightedSupport),
          backgroundColor: "#0b5cad",
        },
      ],
      horizontal: true,
      stacked: false,
    };
  }
  if (input.kind === "spending") {
    return {
      title: `${t("results.spending")} — ${name}`,
      labels: [name],
      datasets: [
        { label: t("results.used"), data: [envelope.used], backgroundColor: "#0b5cad" },
        { label: t("results.left"), data: [envelope.amount - envelope.used], backgroundColor: "#9aa5b1" },
      ],
      horizontal: true,
      stacked: true,
    };
  }
  const bundle = await roundBundle(db, scope, { roundSlug: input.roundSlug });
  const outcomes = bundle ? ruleComparisons(bundle)[envelope.slug] : undefined;
  if (!outcomes) return null;
  return {
    title: `${t("results.compare")} — ${name}`,
    labels: outcomes.map((o) => (o.rule.startsWith("mes") ? t("results.rule.mes") : t("results.rule.greedy"))),
    datasets: [
      {
        label: `${t("results.satisfied")} (%)`,
        data: outcomes.map((o) => o.satisfiedShare),
        backgroundColor: "#2f7d32",
      },
    ],
    horizontal: false,
    stacked: false,
  };
}

/** A font with Persian glyphs, when the system has one (Debian's fonts-dejavu-core). */
const FONT_FILES = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"];
let fontReady: Promise<string> | null = null;

/** Draws a chart as a PNG (1200×height pixels, white background). */
export async function chartPng(spec: ChartSpec, rtl: boolean): Promise<Buffer> {
  const [{ createCanvas, GlobalFonts }, chart] = await Promise.all([import("@napi-rs/canvas"), import("chart.js")]);
  fontReady ??= Promise.resolve(
    (() => {
      const file = FONT_FILES.find((f) => fs.existsSync(f));
      return file && GlobalFonts.registerFromPath(file, "Shora Sans") ? "Shora Sans" : "sans-serif";
    })(),
  );
  const family = await fontReady;
  const { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Title } = chart;
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title);
  const height = spec.horizontal ? Math.max(300, 120 + spec.labels.length * 36) : 500;
  const canvas = createCanvas(1200, height);
  const ctx = canvas.getContext("2d");
  const instance = new Chart(ctx as unknown as CanvasRenderingContext2D, {
    type: "bar",
    data: { labels: spec.labels, datasets: spec.datasets },
    options: {
      animation: false,
      responsive: false,
      indexAxis: spec.horizontal ? "y" : "x",
      font: { family, size: 16 },
      plugins: {
        title: { display: true, text: spec.title, font: { family, size: 20 } },
        legend: { rtl, labels: { font: { family, size: 16 } } },
      },
      scales: {
        x: { stacked: spec.stacked, reverse: rtl && spec.horizontal, ticks: { font: { family, size: 14 } } },
        y: {
          stacked: spec.stacked,
          position: rtl && spec.horizontal ? "right" : "left",
          ticks: { font: { family, size: 14 } },
        },
      },
    },
    plugins: [
      {
        id: "white-background",
        beforeDraw: (c: { ctx: CanvasRenderingContext2D; width: number; height: number }) => {
          c.ctx.save();
          c.ctx.fillStyle = "#ffffff";
          c.ctx.fillRect(0, 0, c.width, c.height);
          c.ctx.restore();
        },
      },
    ],
  });
  const png = await canvas.encode("png");
  instance.destroy();
  return png;
}
