// The connection state in words and the switch that changes it (the tray's Connect/Disconnect).
import { useStore } from '../store/store';
import { canWrite, connectionSummary, selectOverall, switchOn } from '../store/selectors';
import { setConnected } from '../ipc/actions';
import { Switch } from '../components/Switch';
import { Message } from '../components/Message';

export function ConnectionHero() {
  const health = useStore((s) => s.health);
  const tunnel = useStore((s) => s.tunnel);
  const paths = useStore((s) => s.paths);
  const busy = useStore((s) => Boolean(s.pending.tunnel));
  const writable = useStore(canWrite);
  const overall = selectOverall({ health, tunnel, paths });
  const summary = connectionSummary({ health, tunnel, paths });
  const on = switchOn(tunnel);
  return (
    <section className={`card hero state-${overall}`} aria-labelledby="conn-title" data-testid="connection" data-state={tunnel?.state ?? 'none'}>
      <div className="hero-glyph" aria-hidden="true">
        <span />
      </div>
      <div className="hero-text">
        <h1 id="conn-title" aria-live="polite">
          {summary.title}
        </h1>
        <p id="conn-detail">
          <Message text={summary.detail} />
        </p>
      </div>
      <div className="hero-toggle">
        <span className="toggle-label" aria-hidden="true">
          {on ? 'On' : 'Off'}
        </span>
        <Switch
          size="large"
          checked={on}
          busy={busy}
          disabled={!writable || !tunnel}
          label="Braid connection"
          describedBy="conn-detail"
          onChange={(next) => void setConnected(next)}
        />
      </div>
    </section>
  );
}
