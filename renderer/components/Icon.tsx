// Small stroke icons (inline SVG: no icon font, nothing loaded at runtime). Decorative by
// default; give `label` when the icon carries meaning on its own.
import type { LinkKind } from '../../electron/shared/types';

const PATHS: Record<string, string> = {
  overview: 'M4 13h4l3-7 4 12 3-5h2',
  paths: 'M5 4v5a4 4 0 0 0 4 4h6a4 4 0 0 1 4 4v3M5 20v-3M12 4v16',
  settings: 'M4 7h10M18 7h2M4 17h4M12 17h8M16 5v4M10 15v4',
  ethernet: 'M5 9h14v8h-3v3H8v-3H5zM9 13v1M12 13v1M15 13v1',
  wifi: 'M2.5 9.5a14 14 0 0 1 19 0M5.5 12.5a9.5 9.5 0 0 1 13 0M8.5 15.5a5 5 0 0 1 7 0M12 19h.01',
  'usb-tether': 'M8 3h8a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM11 18h2',
  wwan: 'M5 20v-3M9.5 20v-6M14 20v-9M18.5 20V7',
  virtual: 'M4 6h6v6H4zM14 12h6v6h-6zM10 9h4v3',
  unknown: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18',
  copy: 'M9 9h10v11H9zM5 15V4h10',
  key: 'M14 10a4 4 0 1 1-1.2-2.8M12.8 7.2 20 14.4V18h-3v-2h-2v-2',
  check: 'M5 12.5l4.5 4.5L19 7',
  alert: 'M12 4 2.5 20h19zM12 10v4.5M12 17.5h.01',
  power: 'M12 3v8M6.4 6.9a8 8 0 1 0 11.2 0',
  close: 'M6 6l12 12M18 6 6 18',
  arrowDown: 'M12 5v14M6 13l6 6 6-6',
  arrowUp: 'M12 19V5M6 11l6-6 6 6',
};

export function Icon({ name, size = 20, label }: { name: string; size?: number; label?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      <path d={PATHS[name] ?? PATHS.unknown} />
    </svg>
  );
}

export function LinkIcon({ kind, label }: { kind: LinkKind; label?: string }) {
  return <Icon name={kind in PATHS ? kind : 'unknown'} size={22} label={label} />;
}

/** the Braid mark: three strands woven into one */
export function BraidMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false" className="mark">
      <path d="M4 9c6 0 8 14 14 14s6-7 10-7" fill="none" stroke="var(--c1)" strokeWidth="3" strokeLinecap="round" />
      <path d="M4 16c6 0 8-7 12-7s8 14 12 14" fill="none" stroke="var(--c2)" strokeWidth="3" strokeLinecap="round" />
      <path d="M4 23c5 0 8-14 13-14s7 7 11 7" fill="none" stroke="var(--c3)" strokeWidth="3" strokeLinecap="round" opacity="0.9" />
    </svg>
  );
}
