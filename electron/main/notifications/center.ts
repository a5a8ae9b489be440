// Feeds state changes through the notification policy and the rate limiter to a `show`
// callback (Electron's Notification in the app; a log line in the browser host).
import type { EventView, PathView, TunnelView } from '../../shared/types';
import { eventNotes, freshEvents, pathNotes, type Note } from './policy';
import { RateLimiter } from './rate-limit';

export class NotificationCenter {
  private prevPaths: PathView[] = [];
  private lastEventId: string | undefined;
  private primed = false;

  constructor(
    private readonly show: (note: Note) => void,
    private readonly enabled: () => boolean,
    private readonly limiter = new RateLimiter(),
    private readonly now: () => number = Date.now,
  ) {}

  /** call with every new state; the first call only records the starting point */
  update(tunnel: TunnelView | null, paths: PathView[], events: EventView[]): void {
    const notes = this.primed ? [...pathNotes(this.prevPaths, paths, tunnel), ...eventNotes(freshEvents(events, this.lastEventId))] : [];
    this.primed = true;
    this.prevPaths = paths;
    if (events.length) this.lastEventId = events[events.length - 1]!.id;
    if (!this.enabled()) return;
    const seen = new Set<string>();
    for (const note of notes) {
      if (seen.has(note.key)) continue;
      seen.add(note.key);
      if (this.limiter.allow(note.key, this.now())) this.show(note);
    }
  }
}
