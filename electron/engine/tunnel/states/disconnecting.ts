import type { StateHandler } from '../machine';
import { disconnected } from './disconnected';

export const disconnecting: StateHandler = {
  name: 'disconnecting',
  enter(ctx) {
    ctx.cancelRetry();
    ctx.attempt += 1; // results of any attempt still running are now stale
    ctx.session?.close('user disconnected');
    ctx.session = undefined;
    ctx.startTeardown();
  },
  handle(_ctx, input) {
    if (input.type === 'torn-down') return disconnected;
    if (input.type === 'attempt-succeeded') input.session.close('disconnecting');
    return undefined;
  },
};
