// Builds the gateway for production: one ES module bundle of gateway/src/main.ts (with the edge
// package inlined) in dist/gateway/main.js, run by plain node. npm packages stay external: they
// load from node_modules as usual (native better-sqlite3, pino's worker transports).
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when the sources changed since the last build
//
// Staleness is a hash of the sources and the lockfile, not file times: a fresh clone or a
// checkout touches every file, and a hash still says whether anything changed.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const stampFile = join(out, '.build-hash');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function sourceHash() {
  const h = createHash('sha256');
  const inputs = [
    ...files(join(root, 'gateway/src')),
    ...files(join(root, 'gateway/sites')),
    ...files(join(root, 'gateway/console')),
    join(root, 'gateway/rules.example.yaml'),
    ...files(join(root, 'edge/src')),
    join(root, 'package-lock.json'),
    join(root, 'gateway/package.json'),
    fileURLToPath(import.meta.url),
  ].sort();
  for (const f of inputs) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest('hex');
}

const hash = sourceHash();
// The bundle itself too: with the stamp left and the bundle gone, a start would find nothing to run.
if (
  process.argv.includes('--if-stale') &&
  existsSync(join(out, 'gateway/main.js')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === hash
) {
  process.exit(0);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const gatewayPkg = JSON.parse(readFileSync(join(root, 'gateway/package.json'), 'utf8'));
const started = performance.now();
// Built beside and renamed into place, so a gateway starting meanwhile never reads half a file.
const tmp = join(out, `.build-${process.pid}`);
await build({
  // The outbox worker is a thread of its own, loaded from beside main.js (forwarding/outbox.ts).
  entryPoints: {
    main: join(root, 'gateway/src/main.ts'),
    'outbox-worker': join(root, 'gateway/src/forwarding/outbox-worker.ts'),
  },
  outdir: tmp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // The gateway workspace's own dependencies too (the HTTP API's fastify plugins).
  external: [pkg, gatewayPkg].flatMap((p) => Object.keys(p.dependencies ?? {})),
  logLevel: 'warning',
});
// app.ts finds the example site at ../sites/example.yaml from its own module: keep that true.
mkdirSync(join(out, 'sites'), { recursive: true });
cpSync(join(root, 'gateway/sites'), join(out, 'sites'), { recursive: true });
// rules/file.ts finds the example rules beside the sources, or (bundled) at ../rules.example.yaml.
cpSync(join(root, 'gateway/rules.example.yaml'), join(out, 'rules.example.yaml'));
// api/routes/console finds the console's files at ../console from the bundle.
cpSync(join(root, 'gateway/console'), join(out, 'console'), { recursive: true });
mkdirSync(join(out, 'gateway'), { recursive: true });
for (const f of ['outbox-worker.js.map', 'outbox-worker.js', 'main.js.map', 'main.js'])
  renameSync(join(tmp, f), join(out, 'gateway', f));
rmSync(tmp, { recursive: true, force: true });
writeFileSync(stampFile, hash);
console.log(`build: dist/gateway/main.js in ${Math.round(performance.now() - started)} ms`);
