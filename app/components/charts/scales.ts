import { formatNumber } from "../../domain/i18n";

/**
 * The chart's axes: the value axis writes its ticks in the page's digits (chart.js writes the zero
 * tick as a Latin "0" whatever the locale), the category axis keeps its labels (ADR 0029).
 */
export function barChartScales({
  horizontal,
  rtl,
  stacked,
}: {
  horizontal?: boolean;
  rtl?: boolean;
  stacked?: boolean;
}) {
  const locale = rtl ? "fa" : "en";
  const ticks = {
    callback: (value: number | string) => (typeof value === "number" ? formatNumber(locale, value) : value),
  };
  return horizontal
    ? { y: { position: rtl ? "right" : "left", stacked }, x: { reverse: rtl, stacked, ticks } }
    : { x: { stacked }, y: { stacked, ticks } };
}
