import type { StateHandler } from '../machine';
import { connecting } from './connecting';
import { disconnecting } from './disconnecting';

export const connected: StateHandler = {
  name: 'connected',
  enter(ctx) {
    ctx.log('connected', `tunnel up as ${ctx.session?.address}${ctx.session?.mptcp === false ? ' (MPTCP fell back to TCP)' : ''}`);
  },
  handle(ctx, input) {
    switch (input.type) {
      case 'session-closed':
        if (input.attempt !== ctx.attempt) return undefined;
        ctx.session = undefined;
        ctx.reconnects += 1;
        ctx.cause = `${input.reason}: ${input.message}`;
        ctx.log('session-lost', `session closed (${ctx.cause}); reconnecting`);
        return connecting;
      case 'disconnect':
        return disconnecting;
      default:
        return undefined;
    }
  },
};
