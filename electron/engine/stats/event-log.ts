import type { EngineEvent } from '../../protocol/control';

/** the last N engine events, newest last, for status and watchers */
export class EventLog {
  private readonly events: EngineEvent[] = [];

  constructor(private readonly capacity = 50) {}

  add(event: EngineEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
  }

  list(): EngineEvent[] {
    return [...this.events];
  }
}
