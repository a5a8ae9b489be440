// What happened to the links and the tunnel, newest first.
import { useStore } from '../../store/store';
import { eventText, eventTone, formatClock, recentEvents } from '../../store/selectors';

export function EventsList({ limit }: { limit: number }) {
  const events = useStore((s) => s.events);
  const list = recentEvents(events, limit);
  if (list.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="events" data-testid="events">
      {list.map((e) => (
        <li key={e.id} className={`tone-${eventTone(e)}`}>
          <time dateTime={new Date(e.at).toISOString()}>{formatClock(e.at)}</time>
          <span className="dot" aria-hidden="true" />
          <span className="event-text" title={e.message}>
            {eventText(e)}
          </span>
        </li>
      ))}
    </ol>
  );
}
