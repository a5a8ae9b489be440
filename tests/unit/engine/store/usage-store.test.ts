import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { USAGE_FILE, UsageStore, type UsageState } from '../../../../electron/engine/store/usage-store';

function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-usage-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const STATE: UsageState = {
  usage: {
    'mac:02:00:00:00:00:01': { periodStart: 1_767_225_600_000, billingDay: 1, txBytes: 10, rxBytes: 20, name: 'wwan0', updatedAt: 1_767_225_700_000, notices: ['warning-75'] },
  },
  caps: { 'mac:02:00:00:00:00:01': { bytes: 10e9, billingDay: 5, action: 'backup' }, 'nm:phone': null },
};

test('saves and loads usage and caps, in the state dir, atomically', () => {
  const dir = path.join(tmpdir(), 'state'); // created on first save
  const store = UsageStore.inDir(dir);
  assert.equal(store.file, path.join(dir, USAGE_FILE));
  assert.deepEqual(store.load(), { usage: {}, caps: {} });
  store.save(STATE);
  assert.deepEqual(fs.readdirSync(dir), [USAGE_FILE]); // no temp file left
  assert.equal(fs.statSync(store.file!).mode & 0o777, 0o644);
  assert.deepEqual(UsageStore.inDir(dir).load(), STATE);
  assert.equal(JSON.parse(fs.readFileSync(store.file!, 'utf8')).version, 1);
});

test('a broken file is ignored with a warning, never thrown', () => {
  const dir = tmpdir();
  const file = path.join(dir, USAGE_FILE);
  const warnings: string[] = [];
  const store = new UsageStore(file, (m) => warnings.push(m));
  for (const text of ['{"usage": {', '[]', 'null', '{"version": 7, "usage": {}}', '']) {
    fs.writeFileSync(file, text);
    assert.deepEqual(store.load(), { usage: {}, caps: {} }, text);
  }
  assert.equal(warnings.length, 5);
  assert.match(warnings[0]!, /^ignoring unreadable usage file .*usage\.json: /);
  assert.match(warnings[1]!, /not a version 1 usage file/);
  fs.mkdirSync(path.join(dir, 'adir'));
  assert.deepEqual(new UsageStore(path.join(dir, 'adir'), (m) => warnings.push(m)).load(), { usage: {}, caps: {} });
  assert.match(warnings.at(-1)!, /EISDIR/);
});

test('a broken entry costs only that entry', () => {
  const file = path.join(tmpdir(), USAGE_FILE);
  const good = STATE.usage['mac:02:00:00:00:00:01'];
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      usage: { good, negative: { ...good, txBytes: -1 }, text: 'x', ['__proto__']: good },
      caps: { ok: { bytes: 5, billingDay: 28, action: 'off' }, removed: null, day: { bytes: 5, billingDay: 31, action: 'off' }, act: { bytes: 5, billingDay: 1, action: 'throttle' } },
    }),
  );
  const warnings: string[] = [];
  const state = new UsageStore(file, (m) => warnings.push(m)).load();
  assert.deepEqual(Object.keys(state.usage), ['good']);
  assert.equal(Object.getPrototypeOf(state.usage), Object.prototype);
  assert.deepEqual(state.caps, { ok: { bytes: 5, billingDay: 28, action: 'off' }, removed: null });
  assert.deepEqual(
    warnings.map((w) => w.replace(/ in .*usage\.json:.*/, '')),
    ['ignoring the usage of negative', 'ignoring the usage of text', 'ignoring the cap of day', 'ignoring the cap of act'],
  );
});

test('a failed save throws and leaves the old file and no temp file', () => {
  const dir = tmpdir();
  const store = UsageStore.inDir(dir);
  store.save(STATE);
  fs.mkdirSync(`${store.file}.${process.pid}.tmp`); // the temp path cannot be opened as a file
  assert.throws(() => store.save({ usage: {}, caps: {} }), /EISDIR/);
  assert.deepEqual(store.load(), STATE);
  fs.rmdirSync(`${store.file}.${process.pid}.tmp`);
  // no file: nothing kept, nothing thrown
  const none = new UsageStore(undefined);
  none.save(STATE);
  assert.deepEqual(none.load(), { usage: {}, caps: {} });
});
