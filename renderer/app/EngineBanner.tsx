// Says plainly when the window cannot show live state: the engine is not running, refused us,
// or (browser host) the page lost its connection to the app.
import { useStore } from '../store/store';
import { Icon } from '../components/Icon';
import { Message } from '../components/Message';

export function EngineBanner() {
  const health = useStore((s) => s.health);
  const bridge = useStore((s) => s.bridge);
  if (bridge === 'lost') {
    return (
      <div className="banner bad" role="alert" data-testid="banner">
        <Icon name="alert" />
        <div>
          <strong>Lost the connection to the Braid app.</strong> Reconnecting…
        </div>
      </div>
    );
  }
  if (health?.state === 'ready' && health.access === 'read') {
    return (
      <p className="note banner-note" role="note" data-testid="read-only">
        You can watch Braid but not change it: add your user to the <code>braid</code> group (then log in again).
      </p>
    );
  }
  if (!health || health.state === 'ready' || health.state === 'connecting') return null;
  const tone = health.state === 'starting' ? 'busy' : 'bad';
  return (
    <div className={`banner ${tone}`} role="alert" data-testid="banner" data-health={health.state}>
      <Icon name="alert" />
      <div>
        <strong>
          <Message text={health.message} />
        </strong>
        <span className="banner-sub"> Braid keeps trying and will pick up as soon as the engine answers.</span>
      </div>
    </div>
  );
}
