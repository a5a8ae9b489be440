// ControlSession over the engine's own control client (electron/engine/control/client.ts), so
// the app and the CLI speak the protocol through one implementation.
import { connectControl, ControlClientError } from '../../engine/control/client';
import { fetchHistory } from '../../engine/control/history-page';
import { ControlCallError, SessionOpenError, type ControlSession, type OpenSession } from './session';

export function controlSessionOpener(clientName: string, timeoutMs = 5000): OpenSession {
  return async (socketPath) => {
    let client;
    try {
      client = await connectControl({ path: socketPath, client: clientName, timeoutMs });
    } catch (err) {
      if (err instanceof ControlClientError) {
        if (err.code === 'not-running') throw new SessionOpenError('not-running', err.message);
        if (err.code === 'permission-denied' || err.code === 'forbidden') throw new SessionOpenError('no-access', err.message);
        if (err.code === 'version-mismatch' || err.code === 'protocol') throw new SessionOpenError('incompatible', err.message);
      }
      throw err;
    }
    const c = client;
    const wrap = async <T>(p: Promise<T>): Promise<T> => {
      try {
        return await p;
      } catch (err) {
        if (err instanceof ControlClientError) throw new ControlCallError(err.code, err.message);
        throw err;
      }
    };
    const session: ControlSession = {
      hello: c.info,
      async watch(onStatus) {
        const w = await wrap(c.watch(onStatus));
        return w.snapshot;
      },
      async setTargetState(state) {
        await wrap(c.call('setTargetState', { state }));
      },
      async setLinkMode(link, mode) {
        await wrap(c.call('setLinkMode', { link, mode }));
      },
      history: () => wrap(fetchHistory(c)),
      onClose(listener) {
        c.onClose(listener);
      },
      close: () => c.close(),
    };
    return session;
  };
}
