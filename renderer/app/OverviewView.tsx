import { BandwidthCard } from '../features/bandwidth/BandwidthCard';
import { EventsList } from '../features/links/EventsList';
import { LinksSummary } from '../features/paths/LinksSummary';
import { ConnectionHero } from './ConnectionHero';

export function OverviewView() {
  return (
    <div className="page">
      <ConnectionHero />
      <BandwidthCard />
      <div className="grid-2">
        <LinksSummary />
        <section className="card" aria-labelledby="recent-title">
          <h2 id="recent-title" className="card-title">
            Recent events
          </h2>
          <EventsList limit={6} />
        </section>
      </div>
    </div>
  );
}
