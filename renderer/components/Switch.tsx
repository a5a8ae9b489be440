// An on/off switch: a real button with role="switch", so keyboard (Space/Enter) and screen
// readers work without extra code.
export function Switch(props: {
  checked: boolean;
  onChange: (next: boolean) => void;
  label: string;
  disabled?: boolean;
  busy?: boolean;
  id?: string;
  describedBy?: string;
  size?: 'large' | 'normal';
}) {
  const { checked, onChange, label, disabled, busy, id, describedBy, size = 'normal' } = props;
  return (
    <button
      type="button"
      id={id}
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-describedby={describedBy}
      aria-busy={busy || undefined}
      disabled={disabled}
      className={`switch ${size}${checked ? ' on' : ''}${busy ? ' busy' : ''}`}
      onClick={() => onChange(!checked)}
    >
      <span className="knob" />
    </button>
  );
}
