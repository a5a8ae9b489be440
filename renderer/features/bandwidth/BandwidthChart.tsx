// The last minutes of throughput, stacked by link (uPlot: small, fast, canvas). The chart is
// decorative for screen readers; the numbers next to it carry the same information as text.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisRate, linkColor, stackedSeries } from '../../store/selectors';
import type { StatsSample } from '../../../electron/shared/types';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** tick positions (seconds) at a round step that gives about six labels */
function timeTicks(min: number, max: number): number[] {
  const span = max - min;
  const step = [10, 15, 30, 60, 120, 300].find((s) => span / s <= 7) ?? 600;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) out.push(t);
  return out;
}

/** 14:05 (with seconds when the ticks are closer than a minute) */
function clock(t: number, ticks: number[]): string {
  const d = new Date(t * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const withSeconds = ticks.length > 1 && ticks[1]! - ticks[0]! < 60;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** 'dark' | 'light', following the system setting live */
function useColorScheme(): string {
  return useSyncExternalStore(
    (notify) => {
      const q = darkQuery();
      q.addEventListener('change', notify);
      return () => q.removeEventListener('change', notify);
    },
    () => (darkQuery().matches ? 'dark' : 'light'),
  );
}

export function BandwidthChart(props: { samples: StatsSample[]; links: string[]; seconds: number; height?: number }) {
  const { samples, links, seconds, height = 190 } = props;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const linkKey = links.join('\u0000');

  // (re)build the chart when the set of links or the colour scheme changes
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axisColor = cssVar('--text-3');
    const gridColor = cssVar('--grid');
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    const alpha = scheme === 'dark' ? 0.6 : 0.5;
    // each link is a filled band between its cumulative line and the one below; the bands
    // carry no stroke (a stroke would draw the top link's colour over the whole stack), a
    // neutral line draws the total on top
    links.forEach((link, i) => {
      const color = linkColor(i);
      series.push({ label: link, stroke: 'transparent', width: 0, fill: i === 0 ? withAlpha(color, alpha) : undefined, points: { show: false } });
      if (i > 0) bands.push({ series: [i + 1, i], fill: withAlpha(color, alpha) });
    });
    series.push({ label: 'total', stroke: cssVar('--text-2'), width: 1.25, points: { show: false } });
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      series,
      bands,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: [8, 4, 0, 0],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1e6)] } },
      axes: [
        {
          stroke: axisColor,
          grid: { show: false },
          ticks: { show: false },
          size: 26,
          font: '11px system-ui, sans-serif',
          splits: (_u, _i, min, max) => timeTicks(min, max),
          values: (_u, ticks) => ticks.map((t) => clock(t, ticks)),
        },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { show: false },
          size: 48,
          font: '11px system-ui, sans-serif',
          values: (_u, ticks) => ticks.map(axisRate),
        },
      ],
    };
    const empty: uPlot.AlignedData = [[], ...links.map(() => [] as number[]), []];
    const u = new uPlot(opts, empty, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [linkKey, height, scheme]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const now = samples.length ? samples[samples.length - 1]!.at : Date.now();
    const { x, stacked } = stackedSeries(samples, links, now, seconds);
    u.batch(() => {
      u.setData([x, ...stacked, stacked[stacked.length - 1] ?? x.map(() => 0)] as uPlot.AlignedData, false);
      // a young history fills the width and grows until it spans the chosen window
      const first = samples.length ? samples[0]!.at / 1000 : now / 1000;
      const min = Math.max(now / 1000 - seconds, Math.min(first, now / 1000 - 60));
      u.setScale('x', { min, max: now / 1000 });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [samples, linkKey, seconds]);

  return <div className="chart" ref={box} aria-hidden="true" />;
}
