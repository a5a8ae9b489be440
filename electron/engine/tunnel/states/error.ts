import type { StateHandler } from '../machine';
import { connecting } from './connecting';
import { disconnecting } from './disconnecting';

/** a failure retrying soon cannot fix (keys, admission): wait long, keep the tunnel's routes so
 *  traffic does not leak around it, and let the user act */
export const errorState: StateHandler = {
  name: 'error',
  enter(ctx) {
    ctx.log('error', ctx.cause ?? 'tunnel error');
    ctx.scheduleRetry(ctx.backoff.maxMs);
  },
  handle(ctx, input) {
    switch (input.type) {
      case 'retry':
        return input.attempt === ctx.attempt ? connecting : undefined;
      case 'connect':
        ctx.cancelRetry();
        return connecting;
      case 'disconnect':
        return disconnecting;
      case 'attempt-succeeded':
        input.session.close('stale');
        return undefined;
      default:
        return undefined;
    }
  },
};
