import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IntentStore } from '../../../../electron/engine/store/intent-store';

test('intent survives a restart and a broken file falls back to defaults', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-intent-'));
  const file = path.join(dir, 'state', 'client-state.json');
  const store = new IntentStore(file);
  assert.deepEqual(store.load(), { target: 'connected', linkModes: {} });
  store.save({ target: 'disconnected', linkModes: { eth0: 'backup' } });
  assert.deepEqual(new IntentStore(file).load(), { target: 'disconnected', linkModes: { eth0: 'backup' } });
  fs.writeFileSync(file, '{"target": "sideways"');
  assert.deepEqual(new IntentStore(file).load(), { target: 'connected', linkModes: {} });
  fs.rmSync(dir, { recursive: true });
});
