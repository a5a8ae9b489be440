// Settings sections, shared by the settings page and first-run setup. Each section edits a
// local draft and saves it explicitly; toggles apply at once.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ClientConfigExport, SettingsView } from '../../../electron/shared/types';
import { copyText, getApi, run } from '../../ipc/actions';
import { useStore } from '../../store/store';
import { Icon } from '../../components/Icon';
import { Switch } from '../../components/Switch';

function useToast() {
  return useStore((s) => s.toast);
}

export function InviteForm({ onDone }: { onDone?: () => void }) {
  const [invite, setInvite] = useState('');
  const busy = useStore((s) => Boolean(s.pending.invite));
  const toast = useToast();
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = await run('invite', () => getApi().settings.importInvite({ invite }), 'Could not use this invite');
    if (value) {
      setInvite('');
      toast('info', `Server set to ${value.server.host}:${value.server.port}`);
      onDone?.();
    }
  };
  return (
    <form className="invite" onSubmit={submit}>
      <label htmlFor={`${id}-invite`}>Invite from your server</label>
      <div className="row">
        <input
          id={`${id}-invite`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="braid://…"
          value={invite}
          onChange={(e) => setInvite(e.target.value)}
        />
        <button type="submit" className="button primary" disabled={busy || invite.trim().length < 8}>
          Use invite
        </button>
      </div>
      <p className="hint">An invite holds the server’s address and key, and may hold a key for this device.</p>
    </form>
  );
}

export function ServerSection({ settings }: { settings: SettingsView }) {
  const [host, setHost] = useState(settings.server.host);
  const [port, setPort] = useState(String(settings.server.port));
  const [key, setKey] = useState(settings.server.publicKey);
  const busy = useStore((s) => Boolean(s.pending.server));
  const toast = useToast();
  useEffect(() => {
    setHost(settings.server.host);
    setPort(String(settings.server.port));
    setKey(settings.server.publicKey);
  }, [settings.server.host, settings.server.port, settings.server.publicKey]);
  const dirty = host !== settings.server.host || port !== String(settings.server.port) || key !== settings.server.publicKey;
  const portNumber = Number(port);
  const portValid = Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const value = await run(
      'server',
      () => getApi().settings.update({ server: { host: host.trim(), port: portNumber, publicKey: key.trim() } }),
      'Could not save the server',
    );
    if (value) toast('info', 'Server saved');
  };
  return (
    <form className="form-grid" onSubmit={save} aria-label="Server">
      <label htmlFor="server-host">Address</label>
      <input id="server-host" type="text" spellCheck={false} placeholder="vpn.example.org" value={host} onChange={(e) => setHost(e.target.value)} />
      <label htmlFor="server-port">Port</label>
      <input
        id="server-port"
        className="narrow"
        type="text"
        inputMode="numeric"
        aria-invalid={!portValid || undefined}
        value={port}
        onChange={(e) => setPort(e.target.value)}
      />
      <label htmlFor="server-key">Server key</label>
      <input
        id="server-key"
        type="text"
        className="mono"
        spellCheck={false}
        placeholder="44 characters, from `braid keygen` on the server"
        value={key}
        onChange={(e) => setKey(e.target.value)}
      />
      <div />
      <div className="actions">
        <button type="submit" className="button" disabled={!dirty || busy || !portValid}>
          Save server
        </button>
      </div>
    </form>
  );
}

export function DeviceSection({ settings }: { settings: SettingsView }) {
  const [confirming, setConfirming] = useState(false);
  const busy = useStore((s) => Boolean(s.pending.devicekey));
  const toast = useToast();
  const generate = async () => {
    if (settings.device.hasSecret && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    const value = await run('devicekey', () => getApi().settings.generateDeviceKey({}), 'Could not make a key');
    if (value) toast('info', 'New device key made. Give its public key to your server’s admin.');
  };
  const copy = async () => {
    toast('info', (await copyText(settings.device.publicKey)) ? 'Public key copied' : 'Copy failed: select the key and press Ctrl+C');
  };
  return (
    <div className="form-grid">
      <span className="label" id="device-key-label">
        Public key
      </span>
      <div className="row">
        {settings.device.publicKey ? (
          <input
            type="text"
            readOnly
            className="mono"
            aria-labelledby="device-key-label"
            value={settings.device.publicKey}
            onFocus={(e) => e.currentTarget.select()}
          />
        ) : (
          <p className="muted grow">No key yet: make one, or use an invite that contains one.</p>
        )}
        {settings.device.publicKey && (
          <button type="button" className="button" onClick={copy}>
            <Icon name="copy" size={16} /> Copy
          </button>
        )}
      </div>
      <div />
      <div className="actions">
        <button type="button" className={`button${confirming ? ' danger' : ''}`} onClick={generate} disabled={busy}>
          <Icon name="key" size={16} />{' '}
          {confirming ? 'Replace the key? The server must learn the new one' : settings.device.hasSecret ? 'Make a new key' : 'Make a key'}
        </button>
        {confirming && (
          <button type="button" className="button quiet" onClick={() => setConfirming(false)}>
            Keep the current key
          </button>
        )}
      </div>
      <p className="hint span-2">The secret half never leaves this computer; the server only needs the public key.</p>
    </div>
  );
}

export function RoutingSection({ settings }: { settings: SettingsView }) {
  const [mode, setMode] = useState(settings.routing.mode);
  const [prefixes, setPrefixes] = useState(settings.routing.prefixes.join('\n'));
  const busy = useStore((s) => Boolean(s.pending.routing));
  const toast = useToast();
  useEffect(() => {
    setMode(settings.routing.mode);
    setPrefixes(settings.routing.prefixes.join('\n'));
  }, [settings.routing.mode, settings.routing.prefixes]);
  const list = prefixes
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const dirty = mode !== settings.routing.mode || list.join('\n') !== settings.routing.prefixes.join('\n');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const value = await run('routing', () => getApi().settings.update({ routing: { mode, prefixes: list } }), 'Could not save routing');
    if (value) toast('info', 'Routing saved');
  };
  return (
    <form onSubmit={save} aria-label="Routing">
      <fieldset className="choices">
        <legend className="sr-only">What goes through Braid</legend>
        <label className="choice">
          <input type="radio" name="routing" value="full" checked={mode === 'full'} onChange={() => setMode('full')} />
          <span>
            <strong>All traffic</strong>
            <span className="hint">Everything goes over the bonded links (full tunnel).</span>
          </span>
        </label>
        <label className="choice">
          <input type="radio" name="routing" value="prefixes" checked={mode === 'prefixes'} onChange={() => setMode('prefixes')} />
          <span>
            <strong>Only some networks</strong>
            <span className="hint">Just the address ranges you list; the rest uses your normal connection.</span>
          </span>
        </label>
      </fieldset>
      {mode === 'prefixes' && (
        <div className="prefixes">
          <label htmlFor="routing-prefixes">Address ranges, one per line</label>
          <textarea
            id="routing-prefixes"
            className="mono"
            rows={3}
            spellCheck={false}
            placeholder={'10.0.0.0/8\n192.168.50.0/24'}
            value={prefixes}
            onChange={(e) => setPrefixes(e.target.value)}
          />
        </div>
      )}
      <div className="actions">
        <button type="submit" className="button" disabled={!dirty || busy}>
          Save routing
        </button>
      </div>
    </form>
  );
}

export function AppSection({ settings }: { settings: SettingsView }) {
  const app = useStore((s) => s.app);
  const set = (patch: { startAtLogin?: boolean; notifications?: boolean }, key: string) =>
    run(key, () => getApi().settings.update(patch), 'Could not save');
  return (
    <div className="toggles">
      <div className="toggle-row">
        <div>
          <span id="t-login" className="label">
            Start at login
          </span>
          <p className="hint" id="t-login-hint">
            {app?.autostartSupported ? 'Braid starts in the tray when you log in.' : 'Available in the desktop app.'}
          </p>
        </div>
        <Switch
          checked={settings.startAtLogin}
          label="Start at login"
          describedBy="t-login-hint"
          disabled={!app?.autostartSupported}
          onChange={(v) => void set({ startAtLogin: v }, 'login')}
        />
      </div>
      <div className="toggle-row">
        <div>
          <span id="t-notify" className="label">
            Notifications
          </span>
          <p className="hint" id="t-notify-hint">
            When a link is lost or comes back, on failover, for new links and data caps.
          </p>
        </div>
        <Switch
          checked={settings.notifications}
          label="Notifications"
          describedBy="t-notify-hint"
          onChange={(v) => void set({ notifications: v }, 'notify')}
        />
      </div>
    </div>
  );
}

export function EngineConfigSection({ settings }: { settings: SettingsView }) {
  const [written, setWritten] = useState<ClientConfigExport | null>(null);
  const busy = useStore((s) => Boolean(s.pending.clientconfig));
  const toast = useToast();
  const write = async () => {
    const value = await run('clientconfig', () => getApi().settings.writeClientConfig({}), 'Could not write the config');
    if (value) setWritten(value);
  };
  const copy = async (text: string) => {
    toast('info', (await copyText(text)) ? 'Command copied' : 'Copy failed: select the command and press Ctrl+C');
  };
  return (
    <div className="engine-config">
      <p>
        The engine runs as a system service and reads <code>/etc/braid/client.json</code>, which only an administrator can change.
        Braid does not change it behind your back: it writes the config for you, and you install it with one command.
      </p>
      <div className="actions">
        <button type="button" className="button primary" onClick={write} disabled={busy}>
          Write client config
        </button>
        {settings.clientConfigWrittenAt && !written && (
          <span className="hint">Last written {new Date(settings.clientConfigWrittenAt).toLocaleString()}</span>
        )}
      </div>
      {written && (
        <div className="command" data-testid="install-command">
          <p>
            Written to <code>{written.path}</code>. Install it and restart the engine:
          </p>
          <div className="row">
            <pre tabIndex={0} aria-label="Install command">
              {written.installCommand}
            </pre>
            <button type="button" className="button" onClick={() => void copy(written.installCommand)}>
              <Icon name="copy" size={16} /> Copy
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
