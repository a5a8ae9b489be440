// What deserves a desktop notification, as a pure function of the previous and current paths
// and the engine events not seen before: a link lost or back, a failover, a new link, a data
// cap warning. Each note has a key for rate limiting.
import type { EventView, PathView, TunnelView } from '../../shared/types';

export interface Note {
  key: string;
  title: string;
  body: string;
}

const WORKING = new Set(['active', 'backup']);
const BROKEN = new Set(['failed', 'unreachable', 'unavailable']);

export function pathNotes(prev: PathView[], next: PathView[], tunnel: TunnelView | null): Note[] {
  if (!tunnel || tunnel.state !== 'connected' || prev.length === 0) return [];
  const before = new Map(prev.map((p) => [p.link, p]));
  const notes: Note[] = [];
  for (const p of next) {
    const old = before.get(p.link);
    if (!old) {
      notes.push({ key: `new:${p.link}`, title: `New link: ${p.link}`, body: `Braid found ${p.link} and uses it as “${p.mode}”.` });
      continue;
    }
    if (p.mode === 'off' || old.mode !== p.mode) continue; // the user's own change
    if (WORKING.has(old.state) && BROKEN.has(p.state)) {
      notes.push({ key: `lost:${p.link}`, title: `Link lost: ${p.link}`, body: p.reason ? `${capitalize(p.reason)}. Traffic continues on the other links.` : 'Traffic continues on the other links.' });
    } else if (BROKEN.has(old.state) && WORKING.has(p.state)) {
      notes.push({ key: `back:${p.link}`, title: `Link back: ${p.link}`, body: `${p.link} carries traffic again.` });
    }
  }
  return notes;
}

/** engine events that deserve a note on their own (failover, caps, new links from the monitor) */
export function eventNotes(fresh: EventView[]): Note[] {
  const notes: Note[] = [];
  for (const e of fresh) {
    const link = e.link ?? '';
    if (/failover/i.test(e.kind)) notes.push({ key: `failover:${link}`, title: 'Failover', body: e.message });
    else if (/cap/i.test(e.kind)) notes.push({ key: `cap:${link}:${e.kind}`, title: link ? `Data cap: ${link}` : 'Data cap', body: e.message });
    else if (/link-?added|new-?link/i.test(e.kind)) notes.push({ key: `new:${link}`, title: link ? `New link: ${link}` : 'New link', body: e.message });
  }
  return notes;
}

/** events newer than the last one seen (events come newest last; ids are unique) */
export function freshEvents(events: EventView[], lastSeenId: string | undefined): EventView[] {
  if (lastSeenId === undefined) return [];
  const i = events.findIndex((e) => e.id === lastSeenId);
  return i < 0 ? events : events.slice(i + 1);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
