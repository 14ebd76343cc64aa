"use client";

import "uplot/dist/uPlot.min.css";
import "./usage-chart.css";

import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";

import { type UsageInterval, type UsageSeries, type VerifyCode } from "@keysmith/validators";

import { pointStart } from "../_lib/format-time.ts";
import { OUTCOME_LABELS, outcomeColorProperty } from "../_lib/outcomes.ts";
import { type StackedUsage, stackUsage, usageSummary } from "../_lib/usage-chart-data.ts";
import { type UsagePeriod, periodPhrase } from "../_lib/usage-period.ts";
import { useColorScheme } from "../_lib/use-color-scheme.ts";

const HEIGHT = 200;
const STEP_SECONDS: Record<UsageInterval, number> = { minute: 60, hour: 3600, day: 86_400 };
// whole numbers only on the count axis: there is no half a verification
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];

/**
 * Verifications over time as bars stacked by outcome (uPlot, on a canvas),
 * with a legend of totals and, for those who cannot see the canvas, the
 * same totals as its label and every point as a table on request. Its
 * colours are the page's custom properties, read again when the system's
 * scheme changes; its width follows its container.
 */
export function UsageChart({ usage, period }: { usage: UsageSeries; period: UsagePeriod }) {
  const plot = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const scheme = useColorScheme();
  const stacked = useMemo(() => stackUsage(usage), [usage]);
  const [tableOpen, setTableOpen] = useState(false);

  useEffect(() => {
    const element = plot.current;
    // drawn once the browser knows the scheme, so the canvas starts in the right colours
    if (!element || scheme === null) return;
    const chart = new uPlot(chartOptions(stacked, usage.interval, element, readout.current), [stacked.x, ...stacked.tops], element);
    const observer = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [stacked, usage.interval, scheme]);

  return (
    <figure className="usage-chart">
      <p className="usage-readout" ref={readout} aria-hidden="true" />
      <div className="usage-plot" ref={plot} role="img" aria-label={`Bar chart. ${usageSummary(usage, period)}`} />
      <figcaption>
        <ul className="usage-legend" aria-label="Totals by outcome">
          {stacked.outcomes.map((outcome, index) => (
            <li key={outcome} data-outcome={outcome}>
              <span className="usage-swatch" aria-hidden="true" />
              {OUTCOME_LABELS[outcome]} <strong>{(stacked.counts[index] ?? []).reduce((sum, count) => sum + count, 0).toLocaleString("en")}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
      <details className="usage-details" onToggle={(event) => setTableOpen(event.currentTarget.open)}>
        <summary>Show the numbers</summary>
        {/* built only when opened: a month of hours would be hundreds of rows nobody asked for */}
        {tableOpen ? <UsageTable usage={usage} stacked={stacked} period={period} /> : null}
      </details>
    </figure>
  );
}

function UsageTable({ usage, stacked, period }: { usage: UsageSeries; stacked: StackedUsage; period: UsagePeriod }) {
  const unit = usage.interval;
  const rows = usage.points.flatMap((point, index) => {
    const counts = stacked.counts.map((series) => series[index] ?? 0);
    const total = counts.reduce((sum, count) => sum + count, 0);
    return total > 0 ? [{ at: point.at, counts, total }] : [];
  });
  return (
    // a wide table scrolls inside its own box, which takes the focus so a keyboard can scroll it
    <div className="usage-table-wrap" role="region" aria-label="Verifications as a table" tabIndex={0}>
      <table className="usage-table">
        <caption>
          Verifications per {unit} {periodPhrase(period)}; {unit}s without any are left out.
        </caption>
        <thead>
          <tr>
            <th scope="col">{usage.interval === "day" ? "Day (UTC)" : "Hour starting"}</th>
            {stacked.outcomes.map((outcome) => (
              <th scope="col" key={outcome}>{OUTCOME_LABELS[outcome]}</th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.at}>
              <th scope="row"><time dateTime={row.at}>{pointStart(row.at, usage.interval)}</time></th>
              {row.counts.map((count, index) => (
                <td key={stacked.outcomes[index]}>{count.toLocaleString("en")}</td>
              ))}
              <td>{row.total.toLocaleString("en")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The colours, font and layout of the chart, read from the page as it is styled now. */
function chartOptions(stacked: StackedUsage, interval: UsageInterval, element: HTMLElement, readout: HTMLElement | null): uPlot.Options {
  const style = getComputedStyle(element);
  const css = (property: string) => style.getPropertyValue(property).trim();
  const font = `12px ${style.fontFamily}`;
  const step = STEP_SECONDS[interval];
  // at least 2 px wide: a week of hours on a phone would otherwise be bars thinner than a pixel
  const bars = uPlot.paths.bars?.({ align: 1, size: [0.85, 48, 2] });
  const colour = (outcome: VerifyCode) => css(outcomeColorProperty(outcome));

  return {
    width: Math.max(1, Math.floor(element.clientWidth)),
    height: HEIGHT,
    legend: { show: false },
    // hover shows a point's counts above the chart; dragging would zoom, which nothing here can undo
    cursor: { y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
    // a day is a UTC day (the server's buckets); hours read best in the viewer's zone
    ...(interval === "day" ? { tzDate: (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC") } : {}),
    scales: {
      // each bar covers its interval, so the last one needs room to its right
      x: { time: true, range: (_chart, min, max) => [min, max + step] },
      y: { range: (_chart, _min, max) => [0, Math.max(max, 4) * 1.05] },
    },
    // each outcome's bars start where the one below it ends
    bands: stacked.outcomes.slice(1).map((_, index) => ({ series: [index + 2, index + 1] })),
    axes: [
      { stroke: css("--muted"), font, grid: { show: false }, ticks: { stroke: css("--line"), size: 4 } },
      {
        stroke: css("--muted"),
        font,
        size: 48,
        incrs: COUNT_STEPS,
        values: (_chart, splits) => splits.map((value) => value.toLocaleString("en")),
        grid: { stroke: css("--line"), width: 1 },
        ticks: { show: false },
      },
    ],
    series: [
      {},
      ...stacked.outcomes.map((outcome) => ({
        label: OUTCOME_LABELS[outcome],
        fill: colour(outcome),
        stroke: colour(outcome),
        width: 0,
        points: { show: false },
        ...(bars ? { paths: bars } : {}),
      })),
    ],
    hooks: {
      setCursor: [
        (chart) => {
          if (!readout) return;
          const index = chart.cursor.idx;
          const at = index === null || index === undefined ? undefined : stacked.x[index];
          if (index === null || index === undefined || at === undefined) {
            readout.textContent = "";
            return;
          }
          const parts = stacked.outcomes.flatMap((outcome, series) => {
            const count = stacked.counts[series]?.[index] ?? 0;
            return count > 0 ? [`${OUTCOME_LABELS[outcome]} ${count.toLocaleString("en")}`] : [];
          });
          readout.textContent = `${pointStart(new Date(at * 1000).toISOString(), interval)}: ${parts.length ? parts.join(", ") : "none"}`;
        },
      ],
    },
  };
}
