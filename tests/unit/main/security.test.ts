import test from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, isAppUrl, isTrustedSender, secureWebPreferences } from '../../../electron/main/windows/security';

test('windows get isolated, sandboxed, Node-free preferences', () => {
  const p = secureWebPreferences('/app/dist/preload/preload.js');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.webviewTag, false);
  assert.equal(p.allowRunningInsecureContent, false);
});

test('navigation stays on the app page', () => {
  const index = appUrl('/usr/lib/braid/app.asar/dist/renderer/index.html');
  assert.equal(isAppUrl(index, index), true);
  assert.equal(isAppUrl(`${index}#settings`, index), true);
  assert.equal(isAppUrl('https://evil.example/', index), false);
  assert.equal(isAppUrl('file:///etc/passwd', index), false);
  assert.equal(isAppUrl('not a url', index), false);
});

test('IPC senders: only the main frame of our window showing our page', () => {
  const index = appUrl('/app/dist/renderer/index.html');
  const ids = new Set([7]);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: index, isMainFrame: true }, ids, index), true);
  assert.equal(isTrustedSender({ webContentsId: 8, frameUrl: index, isMainFrame: true }, ids, index), false);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: index, isMainFrame: false }, ids, index), false);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: 'https://evil.example/', isMainFrame: true }, ids, index), false);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: undefined, isMainFrame: true }, ids, index), false);
});
