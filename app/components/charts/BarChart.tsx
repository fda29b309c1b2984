import { type ComponentType, useEffect, useState } from "react";
import { barChartScales } from "./scales";

export interface BarChartData {
  labels: string[];
  datasets: { label: string; data: number[]; backgroundColor?: string }[];
}

type BarComponent = ComponentType<{ data: BarChartData; options?: Record<string, unknown>; "aria-hidden"?: boolean }>;

/**
 * A chart.js bar chart drawn in the browser only (loaded after hydration, so slow phones get the
 * page first). It is decoration: the same numbers are always in the accessible table the caller
 * renders next to it, which is all that shows without JavaScript.
 */
export function BarChart({
  data,
  horizontal,
  rtl,
  stacked,
}: {
  data: BarChartData;
  horizontal?: boolean;
  rtl?: boolean;
  stacked?: boolean;
}) {
  const [Bar, setBar] = useState<BarComponent | null>(null);
  useEffect(() => {
    let alive = true;
    Promise.all([import("chart.js"), import("react-chartjs-2")]).then(([chart, react]) => {
      chart.Chart.register(chart.BarElement, chart.CategoryScale, chart.LinearScale, chart.Legend, chart.Tooltip);
      if (alive) setBar(() => react.Bar as unknown as BarComponent);
    });
    return () => {
      alive = false;
    };
  }, []);
  if (!Bar) return null;
  return (
    <div className="chart" style={{ blockSize: stacked ? "8rem" : `${Math.max(12, data.labels.length * 2.5)}rem` }}>
      <Bar
        aria-hidden
        data={data}
        options={{
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          locale: rtl ? "fa-IR" : "en",
          plugins: { legend: { rtl, position: "top" } },
          scales: barChartScales({ horizontal, rtl, stacked }),
        }}
      />
    </div>
  );
}
