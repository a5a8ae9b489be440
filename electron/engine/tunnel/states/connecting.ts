import { type StateHandler, ConnectError, backoffDelay } from '../machine';
import { connected } from './connected';
import { disconnecting } from './disconnecting';
import { errorState } from './error';

export const connecting: StateHandler = {
  name: 'connecting',
  enter(ctx) {
    ctx.startAttempt();
  },
  handle(ctx, input) {
    switch (input.type) {
      case 'attempt-succeeded':
        if (input.attempt !== ctx.attempt) {
          input.session.close('superseded');
          return undefined;
        }
        ctx.session = input.session;
        ctx.failures = 0;
        ctx.cause = undefined;
        return connected;
      case 'attempt-failed': {
        if (input.attempt !== ctx.attempt) return undefined;
        ctx.failures += 1;
        ctx.cause = input.error.message;
        if (input.error instanceof ConnectError && !input.error.retryable) return errorState;
        const delay = backoffDelay(ctx.backoff, ctx.failures);
        ctx.log('retry', `connect failed (${input.error.message}); retrying in ${delay} ms`);
        ctx.scheduleRetry(delay);
        return undefined;
      }
      case 'retry':
        if (input.attempt === ctx.attempt) ctx.startAttempt();
        return undefined;
      case 'disconnect':
        return disconnecting;
      default:
        return undefined;
    }
  },
};
