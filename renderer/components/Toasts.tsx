import { useEffect } from 'react';
import { useStore } from '../store/store';
import { Icon } from './Icon';

/** transient messages, announced politely; errors stay until dismissed or replaced */
export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismiss);
  useEffect(() => {
    const info = toasts.filter((t) => t.tone === 'info');
    if (!info.length) return;
    const timer = setTimeout(() => info.forEach((t) => dismiss(t.id)), 4000);
    return () => clearTimeout(timer);
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
