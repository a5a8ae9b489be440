// The overview's compact list of links: state in words, rate and share at a glance.
import { useStore } from '../../store/store';
import { formatRate, formatShare, linkColor, pathStateLabel } from '../../store/selectors';
import { LinkIcon } from '../../components/Icon';
import { Pill } from '../../components/Pill';

export function LinksSummary() {
  const paths = useStore((s) => s.paths);
  const setView = useStore((s) => s.setView);
  return (
    <section className="card" aria-labelledby="links-title">
      <div className="card-head">
        <h2 id="links-title" className="card-title">
          Links
        </h2>
        <button type="button" className="link-button" onClick={() => setView('paths')}>
          Manage links
        </button>
      </div>
      {paths.length === 0 ? (
        <p className="muted">No links yet.</p>
      ) : (
        <ul className="summary-list">
          {paths.map((p, i) => {
            const st = pathStateLabel(p);
            return (
              <li key={p.link} data-testid={`summary-${p.link}`}>
                <span className="path-icon small" style={{ color: linkColor(i) }}>
                  <LinkIcon kind={p.kind} />
                </span>
                <span className="summary-name">{p.link}</span>
                <Pill tone={st.tone}>{st.label}</Pill>
                <span className="summary-rate">{formatRate(p.upBps + p.downBps)}</span>
                <span className="share compact">
                  <span className="bar" aria-hidden="true">
                    <span style={{ width: `${Math.round(p.share * 100)}%`, background: linkColor(i) }} />
                  </span>
                  <span className="share-text">{formatShare(p.share)}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
