// The aggregate: one big live number, the split up/down, and the stacked chart by link.
import { useState } from 'react';
import { useStore } from '../../store/store';
import { aggregateBps, formatRate, linkColor, linkNames, rateParts } from '../../store/selectors';
import { Icon } from '../../components/Icon';
import { BandwidthChart } from './BandwidthChart';

const WINDOWS = [
  { seconds: 60, label: '1 min' },
  { seconds: 300, label: '5 min' },
  { seconds: 600, label: '10 min' },
];

export function BandwidthCard() {
  const samples = useStore((s) => s.samples);
  const tunnel = useStore((s) => s.tunnel);
  const paths = useStore((s) => s.paths);
  const [seconds, setSeconds] = useState(300);
  const agg = aggregateBps({ samples, tunnel });
  const big = rateParts(agg.total);
  const links = linkNames(paths, samples);
  const current = samples[samples.length - 1];

  return (
    <section className="card bandwidth" aria-labelledby="bw-title">
      <div className="bw-head">
        <div>
          <h2 id="bw-title" className="eyebrow">
            Total throughput
          </h2>
          <p className="big-number" data-testid="aggregate" data-bps={Math.round(agg.total)} aria-live="off">
            <span className="value">{big.value}</span> <span className="unit">{big.unit}</span>
          </p>
          <p className="split">
            <span>
              <Icon name="arrowDown" size={14} /> <span className="sr-only">Download </span>
              {formatRate(agg.down)}
            </span>
            <span>
              <Icon name="arrowUp" size={14} /> <span className="sr-only">Upload </span>
              {formatRate(agg.up)}
            </span>
          </p>
        </div>
        <div className="bw-side">
          <div className="seg small" role="group" aria-label="Chart time span">
            {WINDOWS.map((w) => (
              <button
                key={w.seconds}
                type="button"
                aria-pressed={seconds === w.seconds}
                className={seconds === w.seconds ? 'on' : ''}
                onClick={() => setSeconds(w.seconds)}
              >
                {w.label}
              </button>
            ))}
          </div>
          <ul className="legend" aria-label="Throughput per link">
            {links.map((link, i) => (
              <li key={link}>
                <span className="swatch" style={{ background: linkColor(i) }} aria-hidden="true" />
                <span className="legend-name">{link}</span>
                <span className="legend-value">{formatRate(current?.links[link] ?? 0)}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <BandwidthChart samples={samples} links={links} seconds={seconds} />
    </section>
  );
}
