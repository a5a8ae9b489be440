import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageMeter, type LinkCap } from '../../../../electron/engine/stats/usage-meter';
import { UsageStore, type UsageState, type UsageStorePort } from '../../../../electron/engine/store/usage-store';

const ID = 'mac:02:00:00:00:00:01';
const local = (y: number, m: number, d: number, h = 0): number => new Date(y, m - 1, d, h).getTime();

class FakeClock {
  constructor(public t: number) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

class MemoryStore implements UsageStorePort {
  saves = 0;
  failWith: Error | undefined;
  constructor(public state: UsageState = { usage: {}, caps: {} }) {}
  load(): UsageState {
    return structuredClone(this.state);
  }
  save(state: UsageState): void {
    if (this.failWith) throw this.failWith;
    this.saves++;
    this.state = structuredClone(state);
  }
}

function meter(start = local(2026, 3, 10, 12), store: UsageStorePort = new MemoryStore()) {
  const clock = new FakeClock(start);
  const warnings: string[] = [];
  const m = new UsageMeter({ store, clock, warn: (w) => warnings.push(w) });
  return { m, clock, store, warnings };
}

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-meter-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'usage.json');
}

test('counts deltas of the interface counters; the first sample is a baseline', () => {
  const { m, clock } = meter();
  m.record(ID, 'wwan0', 1_000_000, 5_000_000);
  assert.deepEqual(m.usage(ID), {
    periodStart: local(2026, 3, 1),
    periodEnd: local(2026, 4, 1),
    txBytes: 0,
    rxBytes: 0,
    sessionTxBytes: 0,
    sessionRxBytes: 0,
  });
  clock.advance(1000);
  m.record(ID, 'wwan0', 1_000_500, 5_002_000);
  clock.advance(1000);
  m.record(ID, 'wwan0', 1_000_700, 5_002_000);
  const usage = m.usage(ID);
  assert.equal(usage.txBytes, 700);
  assert.equal(usage.rxBytes, 2000);
  assert.equal(usage.sessionTxBytes, 700);
  assert.equal(usage.sessionRxBytes, 2000);
  assert.equal(usage.cap, undefined);
  assert.equal(usage.capFraction, undefined);
  // an unknown link: zeros in the current period, and nothing created for it
  assert.equal(m.usage('other').txBytes, 0);
  assert.deepEqual(m.identities(), [ID]);
});

test('a counter that goes back (interface recreated) counts its new value, never a negative delta', () => {
  const { m } = meter();
  m.record(ID, 'usb0', 10_000, 10_000);
  m.record(ID, 'usb0', 12_000, 11_000); // +2000 / +1000
  m.record(ID, 'usb0', 300, 11_500); // tx restarted from 0 and is at 300; rx +500
  m.record(ID, 'usb0', 400, 11_500); // +100
  assert.equal(m.usage(ID).txBytes, 2400);
  assert.equal(m.usage(ID).rxBytes, 1500);
  // garbage is ignored and the next good sample is only a baseline
  m.record(ID, 'usb0', Number.NaN, 1);
  m.record(ID, 'usb0', -5, 1);
  m.record(ID, 'usb0', 1_000_000, 1_000_000);
  assert.equal(m.usage(ID).txBytes, 2400);
  m.record(ID, 'usb0', 1_000_010, 1_000_000);
  assert.equal(m.usage(ID).txBytes, 2410);
});

test('an interface name change for the same identity starts a new baseline', () => {
  const { m } = meter();
  m.record(ID, 'usb0', 1000, 1000);
  m.record(ID, 'usb0', 1100, 1000);
  m.record(ID, 'usb1', 900_000, 900_000); // another interface's counters: not a delta
  m.record(ID, 'usb1', 900_050, 900_000);
  assert.equal(m.usage(ID).txBytes, 150);
  m.forgetCounters(ID);
  m.record(ID, 'usb1', 5_000_000, 900_000);
  assert.equal(m.usage(ID).txBytes, 150);
});

test('rolls over to a new period at the billing day, local midnight', () => {
  const { m, clock } = meter(local(2026, 3, 4, 23));
  m.setCap(ID, { bytes: 1e9, billingDay: 5, action: 'off' });
  m.record(ID, 'wwan0', 0, 0);
  m.record(ID, 'wwan0', 4000, 6000);
  assert.equal(m.usage(ID).periodStart, local(2026, 2, 5));
  assert.equal(m.usage(ID).periodEnd, local(2026, 3, 5));
  clock.t = local(2026, 3, 5) - 1;
  m.record(ID, 'wwan0', 5000, 6000);
  assert.equal(m.usage(ID).txBytes, 5000);
  clock.t = local(2026, 3, 5);
  // usage() alone rolls over: the old period is over
  assert.deepEqual([m.usage(ID).periodStart, m.usage(ID).txBytes, m.usage(ID).rxBytes], [local(2026, 3, 5), 0, 0]);
  m.record(ID, 'wwan0', 5100, 6000);
  assert.equal(m.usage(ID).txBytes, 100);
  // the session counters are not billing periods
  assert.equal(m.usage(ID).sessionTxBytes, 5100);
  m.resetSession();
  assert.equal(m.usage(ID).sessionTxBytes, 0);
});

test('a clock set back does not reset the period; a billing day changed mid-period keeps the count', () => {
  const { m, clock } = meter(local(2026, 3, 10));
  m.record(ID, 'wwan0', 0, 0);
  m.record(ID, 'wwan0', 1000, 0);
  clock.t = local(2026, 2, 27); // NTP fixed a clock that was days ahead
  m.record(ID, 'wwan0', 1500, 0);
  assert.equal(m.usage(ID).txBytes, 1500);
  assert.equal(m.usage(ID).periodStart, local(2026, 3, 1));
  clock.t = local(2026, 3, 10);
  m.setCap(ID, { bytes: 1e6, billingDay: 8, action: 'off' });
  assert.equal(m.usage(ID).periodStart, local(2026, 3, 8));
  assert.equal(m.usage(ID).txBytes, 1500);
  m.setCap(ID, { bytes: 1e6, billingDay: 20, action: 'off' });
  assert.equal(m.usage(ID).periodStart, local(2026, 2, 20));
  assert.equal(m.usage(ID).txBytes, 1500);
  clock.t = local(2026, 3, 20);
  assert.equal(m.usage(ID).txBytes, 0);
});

test('cap marks fire once each per period: 75 %, 95 %, then reached with its action', () => {
  const { m, clock } = meter(local(2026, 3, 10));
  m.setCap(ID, { bytes: 1000, billingDay: 1, action: 'backup' });
  m.record(ID, 'wwan0', 0, 0);
  const at = (total: number) => {
    m.record(ID, 'wwan0', total, 0);
    return m.check(ID).map((e) => (e.kind === 'cap-warning' ? `warning ${e.threshold}` : `reached ${e.action}`));
  };
  assert.deepEqual(at(700), []);
  assert.deepEqual(at(750), ['warning 0.75']);
  assert.deepEqual(at(800), []);
  assert.deepEqual(m.check(ID), []);
  assert.deepEqual(at(949), []);
  assert.equal(m.isCapped(ID), false);
  assert.deepEqual(at(950), ['warning 0.95']);
  assert.deepEqual(at(999), []);
  assert.deepEqual(at(1000), ['reached backup']);
  assert.equal(m.isCapped(ID), true);
  assert.deepEqual(at(5000), []);
  assert.deepEqual(m.check(ID), []);
  assert.equal(m.usage(ID).capFraction, 5);

  // the full event, for the engine's message
  clock.t = local(2026, 4, 1);
  assert.equal(m.isCapped(ID), false);
  m.record(ID, 'wwan0', 6000, 0);
  const [reached] = m.check(ID);
  assert.deepEqual(reached, {
    kind: 'cap-reached',
    action: 'backup',
    identity: ID,
    link: 'wwan0',
    usedBytes: 1000,
    cap: { bytes: 1000, billingDay: 1, action: 'backup' },
    periodStart: local(2026, 4, 1),
    periodEnd: local(2026, 5, 1),
  });
  assert.equal(m.isCapped(ID), true);
});

test('crossing several marks at once reports only the highest', () => {
  const { m } = meter();
  m.setCap(ID, { bytes: 1000, billingDay: 1, action: 'off' });
  m.record(ID, 'wwan0', 0, 0);
  m.record(ID, 'wwan0', 480, 480); // both directions count
  assert.deepEqual(m.check(ID).map((e) => e.kind === 'cap-warning' && e.threshold), [0.95]);
  m.record(ID, 'wwan0', 480, 10_000);
  assert.deepEqual(m.check(ID).map((e) => e.kind), ['cap-reached']);
  assert.deepEqual(m.check(ID), []);
});

test('raising or removing a cap re-arms the marks it moved above the usage', () => {
  const { m } = meter();
  m.setCap(ID, { bytes: 1000, billingDay: 1, action: 'off' });
  m.record(ID, 'wwan0', 0, 0);
  m.record(ID, 'wwan0', 1000, 0);
  assert.equal(m.check(ID).length, 1);
  m.setCap(ID, { bytes: 2000, billingDay: 1, action: 'off' });
  assert.equal(m.isCapped(ID), false);
  assert.deepEqual(m.check(ID), []); // 50 %: nothing to say
  m.record(ID, 'wwan0', 1600, 0);
  assert.deepEqual(m.check(ID).map((e) => e.kind === 'cap-warning' && e.threshold), [0.75]);
  m.setCap(ID, null);
  assert.deepEqual(m.check(ID), []);
  assert.equal(m.isCapped(ID), false);
  assert.equal(m.usage(ID).cap, undefined);
  // a lower cap fires what is crossed at once
  m.setCap(ID, { bytes: 1500, billingDay: 1, action: 'off' });
  assert.deepEqual(m.check(ID).map((e) => e.kind), ['cap-reached']);
});

test('config caps apply until a run-time cap (even a removal) overrides them', () => {
  const store = new MemoryStore();
  const { m } = meter(undefined, store);
  const config: LinkCap = { bytes: 5e9, billingDay: 3, action: 'backup' };
  m.setDefaultCap(ID, config);
  assert.deepEqual(m.cap(ID), config);
  assert.equal(store.saves, 0); // config caps are not persisted
  m.setCap(ID, null);
  assert.equal(m.cap(ID), undefined);
  assert.deepEqual(store.state.caps, { [ID]: null });
  m.setCap(ID, { bytes: 1e9, billingDay: 9, action: 'off' });
  assert.deepEqual(m.cap(ID), { bytes: 1e9, billingDay: 9, action: 'off' });
  assert.deepEqual(m.usage(ID).cap, { bytes: 1e9, billingDay: 9, action: 'off' });
  assert.throws(() => m.setCap(ID, { bytes: 0, billingDay: 1, action: 'off' }), /above 0/);
  assert.throws(() => m.setCap(ID, { bytes: 1.5, billingDay: 1, action: 'off' }), /whole number of bytes/);
  assert.throws(() => m.setCap(ID, { bytes: 10, billingDay: 29, action: 'off' }), /billing day/);
  assert.throws(() => m.setCap(ID, { bytes: 10, billingDay: 1, action: 'slow' as 'off' }), /off or backup/);
  assert.throws(() => m.setDefaultCap(ID, { bytes: -1, billingDay: 1, action: 'off' }), /above 0/);
});

test('setting the same config cap every second writes nothing', () => {
  const store = new MemoryStore();
  const { m, clock } = meter(undefined, store);
  m.record(ID, 'wwan0', 0, 0);
  m.flush();
  const saves = store.saves;
  for (let i = 0; i < 60; i++) {
    clock.advance(1000);
    m.setDefaultCap(ID, { bytes: 5e9, billingDay: 1, action: 'off' });
    m.record(ID, 'wwan0', 0, 0);
    m.check(ID);
  }
  assert.equal(store.saves, saves, 'idle link, unchanged cap: no writes');
  m.setDefaultCap(ID, { bytes: 5e9, billingDay: 7, action: 'off' }); // moves the period: saved with the next write
  clock.advance(10_000);
  m.record(ID, 'wwan0', 0, 0);
  assert.equal(store.saves, saves + 1);
  assert.equal(store.state.usage[ID]?.billingDay, 7);
});

test('persists at most every 10 s and on flush(); a new meter on the same file carries on', () => {
  const file = tmpFile();
  const start = local(2026, 3, 10);
  const clock = new FakeClock(start);
  const m = new UsageMeter({ store: new UsageStore(file), clock });
  m.record(ID, 'wwan0', 100, 100);
  for (let i = 1; i <= 9; i++) {
    clock.advance(1000);
    m.record(ID, 'wwan0', 100 + i * 1000, 100);
  }
  assert.equal(fs.existsSync(file), false, 'nothing written within 10 s');
  clock.advance(1000);
  m.record(ID, 'wwan0', 10_100, 100);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).usage[ID].txBytes, 10_000);
  clock.advance(1000);
  m.record(ID, 'wwan0', 11_100, 100);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).usage[ID].txBytes, 10_000, 'next write only 10 s later');
  m.setCap(ID, { bytes: 12_000, billingDay: 1, action: 'off' });
  m.record(ID, 'wwan0', 11_200, 100);
  assert.deepEqual(m.check(ID).map((e) => e.kind === 'cap-warning' && e.threshold), [0.75]);
  m.flush();

  // restart: usage, cap and the marks already given survive; the counters are a new baseline
  const again = new UsageMeter({ store: new UsageStore(file), clock });
  assert.equal(again.usage(ID).txBytes, 11_100);
  assert.equal(again.usage(ID).sessionTxBytes, 0);
  assert.deepEqual(again.cap(ID), { bytes: 12_000, billingDay: 1, action: 'off' });
  assert.deepEqual(again.check(ID), []);
  again.record(ID, 'wwan0', 50_000, 100);
  again.record(ID, 'wwan0', 50_500, 100);
  assert.equal(again.usage(ID).txBytes, 11_600);
  assert.deepEqual(again.check(ID).map((e) => e.kind === 'cap-warning' && e.threshold), [0.95]);
  // a restart in the next period starts from zero
  clock.t = local(2026, 4, 2);
  again.flush();
  assert.equal(new UsageMeter({ store: new UsageStore(file), clock }).usage(ID).txBytes, 0);
});

test('links not seen in a period that has ended are dropped from the file', () => {
  const store = new MemoryStore();
  const { m, clock } = meter(local(2026, 3, 10), store);
  m.record('gone', 'usb0', 0, 0);
  m.record('gone', 'usb0', 10, 10);
  m.record(ID, 'wwan0', 0, 0);
  m.record(ID, 'wwan0', 10, 10);
  m.flush();
  assert.deepEqual(Object.keys(store.state.usage).sort(), ['gone', ID].sort());
  m.forgetCounters('gone');
  clock.t = local(2026, 4, 3);
  m.record(ID, 'wwan0', 20, 20);
  m.flush();
  assert.deepEqual(Object.keys(store.state.usage), [ID]);
});

test('a failing save is reported once, counting goes on, and it is saved once possible', () => {
  const store = new MemoryStore();
  const { m, clock, warnings } = meter(undefined, store);
  store.failWith = new Error('ENOSPC: no space left on device');
  m.record(ID, 'wwan0', 0, 0);
  for (let i = 1; i <= 35; i++) {
    clock.advance(1000);
    m.record(ID, 'wwan0', i, 0);
  }
  assert.deepEqual(warnings, ['cannot save usage counters: ENOSPC: no space left on device']);
  store.failWith = undefined;
  clock.advance(10_000);
  m.record(ID, 'wwan0', 100, 0);
  assert.equal(store.state.usage[ID]?.txBytes, 100);
  assert.equal(warnings.length, 2);
  assert.match(warnings[1]!, /saved again/);
  assert.doesNotThrow(() => {
    store.failWith = new Error('EROFS');
    m.setCap(ID, { bytes: 10, billingDay: 1, action: 'off' });
  });
});
