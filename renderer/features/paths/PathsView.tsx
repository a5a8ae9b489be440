import { useStore } from '../../store/store';
import { canWrite } from '../../store/selectors';
import { EventsList } from '../links/EventsList';
import { PathCard } from './PathCard';

export function PathsView() {
  const paths = useStore((s) => s.paths);
  const writable = useStore(canWrite);
  const ready = useStore((s) => s.health?.state === 'ready');
  const coexistence = useStore((s) => s.tunnel?.coexistence);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Paths</h1>
        <p>
          Choose which links Braid bonds. <strong>On</strong> links carry traffic together; <strong>Backup</strong> links wait
          until the others fail; <strong>Off</strong> links are left alone.
        </p>
      </header>
      {coexistence && (
        <p className="note" role="note">
          {coexistence}. Braid keeps its own links’ endpoints; the others may add their own.
        </p>
      )}
      {paths.length === 0 ? (
        <div className="card empty">
          <p>{ready ? 'The engine has no links configured yet.' : 'Paths appear here once the engine is running.'}</p>
        </div>
      ) : (
        <ul className="path-list" aria-label="Links">
          {paths.map((p, i) => (
            <PathCard key={p.link} path={p} index={i} canWrite={writable} />
          ))}
        </ul>
      )}
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title" className="card-title">
          Events
        </h2>
        <EventsList limit={30} />
      </section>
    </div>
  );
}
