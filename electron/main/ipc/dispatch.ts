// Transport-independent invoke dispatch: both the Electron IPC glue and the browser host's
// WebSocket call this, so the same channel check and payload validation guard both.
// The caller has already validated the sender.
import { invokePayloadSchema } from '../../shared/ipc-schema';
import type { IpcHandlers } from '../../shared/ipc-schema';
import type { IpcErrorCode, IpcResult } from '../../shared/types';
import { IpcError } from './errors';

export type Dispatch = (channel: unknown, payload: unknown) => Promise<IpcResult<unknown>>;

export function createDispatch(handlers: IpcHandlers, log: (message: string) => void = () => {}): Dispatch {
  return async (channel, payload) => {
    if (typeof channel !== 'string') return fail('unknown-channel', 'channel must be a string');
    const schema = invokePayloadSchema(channel);
    if (!schema) return fail('unknown-channel', `no such channel: ${channel.slice(0, 80)}`);
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail('bad-request', `${channel}: ${where}${issue?.message ?? 'invalid payload'}`);
    }
    const [group, name] = channel.split(':') as [string, string];
    const handler = (handlers as unknown as Record<string, Record<string, (p: unknown) => unknown>>)[group]![name]!;
    try {
      const value = await handler(parsed.data);
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      if (err instanceof IpcError) return fail(err.code, err.message);
      log(`ipc ${channel} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return fail('failed', err instanceof Error ? err.message : String(err));
    }
  };
}

function fail(code: IpcErrorCode, message: string): IpcResult<never> {
  return { ok: false, code, message };
}
