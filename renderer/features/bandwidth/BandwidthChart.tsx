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
    links.forEach((link, i) => {
      const color = linkColor(i);
      series.push({ label: link, stroke: color, width: 1.5, fill: i === 0 ? withAlpha(color, 0.35) : undefined, points: { show: false } });
      if (i > 0) bands.push({ series: [i + 1, i], fill: withAlpha(color, 0.35) });
    });
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
          size: 28,
          space: 90,
          font: '11px system-ui, sans-serif',
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
    const empty: uPlot.AlignedData = [[], ...links.map(() => [] as number[])];
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
      u.setData([x, ...stacked] as uPlot.AlignedData, false);
      u.setScale('x', { min: now / 1000 - seconds, max: now / 1000 });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [samples, linkKey, seconds]);

  return <div className="chart" ref={box} aria-hidden="true" />;
}
