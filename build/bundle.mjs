// Bundles the renderer (React app -> dist/renderer/{index.html,app.js,app.css}) and the
// preload (-> dist/preload/preload.js: a sandboxed preload cannot require local files, so it
// must be one file that requires only 'electron'). Run by `npm run build` after tsc.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (...p) => path.join(root, 'dist', ...p);
const dev = process.argv.includes('--dev');

// tsc also writes dist/renderer/** (the pure store modules the unit tests import): replace only
// this bundler's own files
for (const f of ['index.html', 'app.js', 'app.css', 'app.js.map']) fs.rmSync(out('renderer', f), { force: true });
fs.mkdirSync(out('renderer'), { recursive: true });

const renderer = await build({
  entryPoints: { app: path.join(root, 'renderer', 'main.tsx') },
  outdir: out('renderer'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'renderer', 'index.html'), out('renderer', 'index.html'));

const preload = await build({
  entryPoints: { preload: path.join(root, 'electron', 'preload', 'index.ts') },
  outdir: out('preload'),
  bundle: true,
  format: 'cjs',
  platform: 'browser',
  target: ['chrome120'],
  external: ['electron'],
  minify: false,
  metafile: true,
  logLevel: 'warning',
});

const size = (meta) =>
  Object.entries(meta.outputs)
    .map(([file, o]) => `${path.relative(root, file)} ${(o.bytes / 1024).toFixed(1)} kB`)
    .join(', ');
console.log(`bundled ${size(renderer.metafile)}; ${size(preload.metafile)}`);
