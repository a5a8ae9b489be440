import { messageParts } from '../store/selectors';

/** a message whose `backticked` parts render as code */
export function Message({ text }: { text: string }) {
  return (
    <>
      {messageParts(text).map((p, i) => (p.code ? <code key={i}>{p.text}</code> : <span key={i}>{p.text}</span>))}
    </>
  );
}
