// One link as the user sees it: what it is, what it is doing, how much it carries.
import type { PathView } from '../../../electron/shared/types';
import { LinkIcon } from '../../components/Icon';
import { Pill } from '../../components/Pill';
import { dataUsage, formatRate, formatRtt, formatShare, KIND_LABEL, linkColor, pathStateLabel } from '../../store/selectors';
import { ModeControl } from './ModeControl';

export function PathCard({ path, index, canWrite }: { path: PathView; index: number; canWrite: boolean }) {
  const state = pathStateLabel(path);
  const usage = dataUsage(path);
  const id = `path-${path.link}`;
  return (
    <li className={`card path tone-${state.tone}`} aria-labelledby={`${id}-name`} data-testid={id} data-state={path.state} data-mode={path.mode}>
      <div className="path-top">
        <div className="path-id">
          <span className="path-icon" style={{ color: linkColor(index) }}>
            <LinkIcon kind={path.kind} />
          </span>
          <div>
            <h2 id={`${id}-name`} className="path-name">
              {path.link}
            </h2>
            <p className="path-sub">
              {KIND_LABEL[path.kind]}
              {path.localAddress ? ` · ${path.localAddress}` : ''}
            </p>
          </div>
        </div>
        <div className="path-state">
          <Pill tone={state.tone} testId={`${id}-state`}>
            {state.label}
          </Pill>
          {state.detail && <p className="path-reason">{state.detail}</p>}
        </div>
        <ModeControl link={path.link} mode={path.mode} disabled={!canWrite} />
      </div>
      <dl className="metrics">
        <div>
          <dt>Down</dt>
          <dd data-testid={`${id}-down`} data-bps={Math.round(path.downBps)}>
            {formatRate(path.downBps)}
          </dd>
        </div>
        <div>
          <dt>Up</dt>
          <dd data-testid={`${id}-up`} data-bps={Math.round(path.upBps)}>
            {formatRate(path.upBps)}
          </dd>
        </div>
        <div>
          <dt>Round trip</dt>
          <dd>{formatRtt(path.rttMs)}</dd>
        </div>
        <div>
          <dt>Share</dt>
          <dd>
            <span className="share">
              <span className="bar" aria-hidden="true">
                <span style={{ width: `${Math.round(path.share * 100)}%`, background: linkColor(index) }} />
              </span>
              {formatShare(path.share)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{usage.label}</dt>
          <dd>{usage.used}</dd>
        </div>
        <div>
          <dt>Cap</dt>
          <dd className={usage.warn ? 'warn' : undefined} title={path.capAction ? `At the cap the link turns ${path.capAction === 'off' ? 'off' : 'to backup'}` : undefined}>
            {usage.cap}
            {usage.fraction !== undefined ? ` · ${Math.round(usage.fraction * 100)} %` : ''}
          </dd>
        </div>
      </dl>
    </li>
  );
}
