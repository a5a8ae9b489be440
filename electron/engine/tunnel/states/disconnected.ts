import type { StateHandler } from '../machine';
import { connecting } from './connecting';

export const disconnected: StateHandler = {
  name: 'disconnected',
  enter(ctx) {
    ctx.cancelRetry();
    ctx.session = undefined;
  },
  handle(ctx, input) {
    if (input.type === 'connect') {
      ctx.failures = 0;
      ctx.cause = undefined;
      return connecting;
    }
    // a result of an attempt abandoned before we got here: nothing to keep
    if (input.type === 'attempt-succeeded') input.session.close('disconnected');
    return undefined;
  },
};
