// on / backup / off for one link: a labelled group of pressed-state buttons. Each is a Tab stop
// and applies only on Enter/Space/click (arrowing through radios would flip a live link).
import type { LinkMode } from '../../../electron/shared/types';
import { setLinkMode } from '../../ipc/actions';
import { MODE_LABEL } from '../../store/selectors';
import { useStore } from '../../store/store';

const MODES: LinkMode[] = ['on', 'backup', 'off'];
const HINT: Record<LinkMode, string> = {
  on: 'carries traffic together with the other links',
  backup: 'used only when the other links fail',
  off: 'not used by Braid',
};

export function ModeControl({ link, mode, disabled }: { link: string; mode: LinkMode; disabled?: boolean }) {
  const busy = useStore((s) => Boolean(s.pending[`mode:${link}`]));
  return (
    <div className="seg" role="group" aria-label={`Mode for ${link}`} aria-busy={busy || undefined} data-testid={`mode-${link}`}>
      {MODES.map((m) => (
        <button
          key={m}
          type="button"
          aria-pressed={mode === m}
          className={mode === m ? 'on' : ''}
          disabled={disabled}
          title={`${MODE_LABEL[m]}: ${HINT[m]}`}
          onClick={() => {
            if (m !== mode) void setLinkMode(link, m);
          }}
        >
          {MODE_LABEL[m]}
        </button>
      ))}
    </div>
  );
}
