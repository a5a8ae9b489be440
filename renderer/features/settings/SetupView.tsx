// First run: no server known yet. Lead through the three things Braid needs instead of showing
// an empty dashboard.
import { useStore } from '../../store/store';
import { BraidMark } from '../../components/Icon';
import { DeviceSection, EngineConfigSection, InviteForm, ServerSection } from './sections';

export function SetupView() {
  const settings = useStore((s) => s.settings);
  const close = useStore((s) => s.setSetupOpen);
  if (!settings) return null;
  const ready = Boolean(settings.server.host && settings.device.hasSecret);
  return (
    <div className="page setup" data-testid="setup">
      <header className="setup-head">
        <BraidMark size={44} />
        <div>
          <h1>Set up Braid</h1>
          <p>Braid bonds all your network links into one connection to your own server. Three steps and you are done.</p>
        </div>
      </header>
      <ol className="steps">
        <li className="card">
          <h2 className="card-title">
            <span className="step-no">1</span> Your server
          </h2>
          <InviteForm />
          <details className="manual">
            <summary>Enter the server by hand</summary>
            <ServerSection settings={settings} />
          </details>
        </li>
        <li className="card">
          <h2 className="card-title">
            <span className="step-no">2</span> This device’s key
          </h2>
          <DeviceSection settings={settings} />
        </li>
        <li className="card">
          <h2 className="card-title">
            <span className="step-no">3</span> Hand it to the engine
          </h2>
          <EngineConfigSection settings={settings} />
        </li>
      </ol>
      <div className="actions setup-done">
        <button type="button" className={`button${ready ? ' primary' : ''}`} onClick={() => close(false)}>
          {ready ? 'Done: go to the overview' : 'Skip for now'}
        </button>
      </div>
    </div>
  );
}
