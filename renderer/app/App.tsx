import { useEffect, useRef } from 'react';
import { useStore } from '../store/store';
import { needsSetup } from '../store/selectors';
import { SettingsView } from '../features/settings/SettingsView';
import { SetupView } from '../features/settings/SetupView';
import { PathsView } from '../features/paths/PathsView';
import { Toasts } from '../components/Toasts';
import { EngineBanner } from './EngineBanner';
import { OverviewView } from './OverviewView';
import { Sidebar } from './Sidebar';

export function App() {
  const loaded = useStore((s) => s.loaded);
  const view = useStore((s) => s.view);
  const setup = useStore((s) => needsSetup(s.settings, s.tunnel));
  const main = useRef<HTMLElement>(null);

  // move focus to the new page's heading so screen readers announce the change
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [view]);

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Sidebar />
      <main id="main" ref={main} className="content" tabIndex={-1}>
        <EngineBanner />
        {!loaded ? (
          <div className="loading" role="status">
            Loading…
          </div>
        ) : view === 'settings' ? (
          <SettingsView />
        ) : view === 'paths' ? (
          <PathsView />
        ) : setup ? (
          <SetupView />
        ) : (
          <OverviewView />
        )}
      </main>
      <Toasts />
    </div>
  );
}
