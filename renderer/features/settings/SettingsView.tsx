import { useStore } from '../../store/store';
import { getApi, run } from '../../ipc/actions';
import { AppSection, DeviceSection, EngineConfigSection, InviteForm, RoutingSection, ServerSection } from './sections';

export function SettingsView() {
  const settings = useStore((s) => s.settings);
  const app = useStore((s) => s.app);
  const tunnel = useStore((s) => s.tunnel);
  if (!settings) return null;
  return (
    <div className="page settings">
      <header className="page-head">
        <h1>Settings</h1>
        <p>Saved for your user. The engine uses them once you install the client config below.</p>
      </header>
      <section className="card" aria-labelledby="s-server">
        <h2 id="s-server" className="card-title">
          Server
        </h2>
        {tunnel?.server && (
          <p className="hint" data-testid="engine-server">
            The engine is using <code>{tunnel.server}</code> now. What you save here takes effect once you install the client config.
          </p>
        )}
        <InviteForm />
        <div className="divider" />
        <ServerSection settings={settings} />
      </section>
      <section className="card" aria-labelledby="s-device">
        <h2 id="s-device" className="card-title">
          This device
        </h2>
        <DeviceSection settings={settings} />
      </section>
      <section className="card" aria-labelledby="s-routing">
        <h2 id="s-routing" className="card-title">
          Routing
        </h2>
        <RoutingSection settings={settings} />
      </section>
      <section className="card" aria-labelledby="s-engine">
        <h2 id="s-engine" className="card-title">
          Apply to the engine
        </h2>
        <EngineConfigSection settings={settings} />
      </section>
      <section className="card" aria-labelledby="s-app">
        <h2 id="s-app" className="card-title">
          App
        </h2>
        <AppSection settings={settings} />
        {app?.canQuit && (
          <div className="actions">
            <button type="button" className="button quiet" onClick={() => void run('quit', () => getApi().app.quit({}), 'Could not quit')}>
              Quit Braid
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
