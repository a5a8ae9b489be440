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
  const needed = useStore((s) => needsSetup(s.settings, s.tunnel, s.engineServer));
  const engineHasServer = useStore((s) => s.health?.state === 'ready' && Boolean(s.tunnel?.server));
  const setup = useStore((s) => s.setupOpen);
  const setSetupOpen = useStore((s) => s.setSetupOpen);
  // setup opens on first run and stays open while the user works through it (saving the
  // server must not yank the page away); it closes when finished or the engine has a server
  useEffect(() => {
    if (needed) setSetupOpen(true);
  }, [needed, setSetupOpen]);
  useEffect(() => {
    if (engineHasServer) setSetupOpen(false);
  }, [engineHasServer, setSetupOpen]);
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
