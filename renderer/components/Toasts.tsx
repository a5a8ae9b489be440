import { useEffect } from 'react';
import { useStore } from '../store/store';
import { Icon } from './Icon';

/** transient messages, announced politely */
export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismiss);
  // messages leave by themselves: information after 4 s, errors after 12 s (or when dismissed)
  useEffect(() => {
    const timers = toasts.map((t) => setTimeout(() => dismiss(t.id), t.tone === 'info' ? 4000 : 12_000));
    return () => timers.forEach(clearTimeout);
  }, [toasts, dismiss]);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.tone}`}>
          <span>{t.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
