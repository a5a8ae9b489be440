import type { Tone } from '../store/selectors';

/** a state in words with a coloured dot (colour is never the only signal) */
export function Pill({ tone, children, testId }: { tone: Tone; children: string; testId?: string }) {
  return (
    <span className={`pill tone-${tone}`} data-testid={testId}>
      <span className="dot" aria-hidden="true" />
      {children}
    </span>
  );
}
