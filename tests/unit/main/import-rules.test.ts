// The architecture's import rules, checked on the sources (a lint rule that cannot be skipped).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..'); // dist/tests/unit/main -> repo

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

/** runtime (non type-only) module specifiers imported by a file */
function imports(file: string): { spec: string; typeOnly: boolean; names: string }[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: { spec: string; typeOnly: boolean; names: string }[] = [];
  for (const m of text.matchAll(/^\s*import\s+(type\s+)?([^'"]*?)\s*(?:from\s*)?['"]([^'"]+)['"]/gm)) {
    out.push({ typeOnly: Boolean(m[1]), names: m[2] ?? '', spec: m[3]! });
  }
  for (const m of text.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false, names: '' });
  return out;
}

const rel = (f: string) => path.relative(ROOT, f);

test('exactly one file imports ipcMain and one imports ipcRenderer', () => {
  const all = [...sources('electron'), ...sources('renderer')];
  const using = (name: string) => all.filter((f) => imports(f).some((i) => i.spec === 'electron' && new RegExp(`\\b${name}\\b`).test(i.names))).map(rel);
  assert.deepEqual(using('ipcMain'), ['electron/main/ipc/electron-ipc.ts']);
  assert.deepEqual(using('ipcRenderer'), ['electron/preload/index.ts']);
});

test('only electron/main and electron/preload import electron', () => {
  for (const f of [...sources('electron'), ...sources('renderer')]) {
    const r = rel(f);
    if (r.startsWith('electron/main/') || r.startsWith('electron/preload/')) continue;
    assert.ok(!imports(f).some((i) => i.spec === 'electron' && !i.typeOnly), `${r} imports electron`);
  }
});

test('the renderer imports only electron/shared and browser packages, never Node', () => {
  const allowedPackages = new Set(['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'zustand', 'uplot']);
  for (const f of sources('renderer')) {
    for (const i of imports(f)) {
      if (i.spec.startsWith('.')) {
        const target = path.resolve(path.dirname(f), i.spec);
        const r = rel(target);
        assert.ok(r.startsWith('renderer/') || r.startsWith('electron/shared/'), `${rel(f)} imports ${i.spec}`);
        if (r.startsWith('electron/shared/ipc-schema')) assert.ok(i.typeOnly, `${rel(f)} must import ipc-schema as types only (zod stays out of the renderer)`);
      } else if (!i.spec.endsWith('.css')) {
        assert.ok(allowedPackages.has(i.spec), `${rel(f)} imports ${i.spec}`);
      }
    }
  }
});

test('the preload imports only electron and zod-free shared modules', () => {
  for (const f of sources('electron/preload')) {
    for (const i of imports(f)) {
      if (i.spec === 'electron' || i.typeOnly) continue;
      const r = rel(path.resolve(path.dirname(f), i.spec));
      assert.ok(['electron/shared/api-builder', 'electron/shared/ipc-channels'].includes(r), `${rel(f)} imports ${i.spec}`);
    }
  }
});

test('the engine never imports electron, electron/main or the renderer', () => {
  for (const f of sources('electron/engine')) {
    for (const i of imports(f)) {
      assert.notEqual(i.spec, 'electron', `${rel(f)} imports electron`);
      if (i.spec.startsWith('.')) {
        const r = rel(path.resolve(path.dirname(f), i.spec));
        assert.ok(!r.startsWith('electron/main') && !r.startsWith('renderer'), `${rel(f)} imports ${i.spec}`);
      }
    }
  }
});
