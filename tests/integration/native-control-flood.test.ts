// CONTROL frames go from the pump's reader thread to JS through a queue. A peer that sends
// them faster than the engine's JS thread takes them (here: while it is blocked) must end its
// own session, not grow the engine's memory without bound. Root: the fixture opens a TUN in a
// private network namespace (unshare -n), gone when it exits.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';

const FIXTURE = path.join(__dirname, 'fixtures', 'control-flood.js');

interface Result {
  written: number;
  controls: number;
  closed: { reason: string; message: string } | null;
  rssGrowthBytes: number;
}

function flood(frames: number, bodyBytes: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn('unshare', ['-n', process.execPath, FIXTURE, String(frames), String(bodyBytes)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error('control-flood fixture: time limit 30 s'));
    }, 30_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`control-flood fixture exited with ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Result);
    });
  });
}

test('a peer flooding large CONTROL frames while JS is busy ends its session', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (TUN in a network namespace)');
  // 1000 x 60 KB = 60 MB offered; at most 1 MiB may wait for JS
  const r = await flood(1000, 60_000);
  assert.ok(r.closed, `the session must end (got ${r.controls} CONTROL events, ${r.written} frames written, RSS +${r.rssGrowthBytes})`);
  assert.equal(r.closed.reason, 'bad-frame');
  assert.match(r.closed.message, /CONTROL frames faster than/);
  assert.ok(r.controls <= 20, `at most ~1 MiB of CONTROL data reaches JS, got ${r.controls} frames`);
  assert.ok(r.written < 1000, 'the peer could not write everything');
});

test('a flood of tiny CONTROL frames is bounded by count too', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (TUN in a network namespace)');
  const r = await flood(100_000, 0);
  assert.ok(r.closed, `the session must end (got ${r.controls} CONTROL events)`);
  assert.equal(r.closed.reason, 'bad-frame');
  assert.ok(r.controls <= 5000, `got ${r.controls} CONTROL events`);
});

test('CONTROL frames the engine keeps up with are all delivered', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (TUN in a network namespace)');
  const r = await flood(10, 1000);
  assert.equal(r.written, 10);
  assert.equal(r.controls, 10);
  assert.equal(r.closed, null);
});
