import type { View } from '../store/store';
import { useStore } from '../store/store';
import { selectOverall, OVERALL_TITLE } from '../store/selectors';
import { BraidMark, Icon } from '../components/Icon';

const ITEMS: { view: View; label: string; icon: string }[] = [
  { view: 'overview', label: 'Overview', icon: 'overview' },
  { view: 'paths', label: 'Paths', icon: 'paths' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

export function Sidebar() {
  const view = useStore((s) => s.view);
  const setView = useStore((s) => s.setView);
  const health = useStore((s) => s.health);
  const tunnel = useStore((s) => s.tunnel);
  const paths = useStore((s) => s.paths);
  const app = useStore((s) => s.app);
  const overall = selectOverall({ health, tunnel, paths });
  return (
    <nav className="sidebar" aria-label="Braid">
      <div className="brand">
        <BraidMark />
        <span>Braid</span>
      </div>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.view}>
            <button
              type="button"
              className="nav-item"
              aria-current={view === item.view ? 'page' : undefined}
              onClick={() => setView(item.view)}
            >
              <Icon name={item.icon} />
              {item.label}
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <p className={`foot-state state-${overall}`}>
          <span className="dot" aria-hidden="true" />
          {OVERALL_TITLE[overall]}
        </p>
        <p className="foot-meta">{health?.state === 'ready' ? `Engine ${health.engineVersion ?? ''}` : 'Engine offline'}</p>
        {app && (
          <p className="foot-meta">
            App {app.version}
            {app.host === 'browser' ? ' · browser host' : ''}
          </p>
        )}
      </div>
    </nav>
  );
}
