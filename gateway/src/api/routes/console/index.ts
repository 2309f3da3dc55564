import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../errors.js';

/**
 * The console's files: beside the sources (gateway/console) or, in the bundle, beside dist/gateway
 * (scripts/build.mjs copies them to dist/console).
 */
function consoleRoot(): string {
  const candidates = ['../../../../console/', '../console/'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`the console's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** preact, its hooks and htm in one ES module, as the htm package ships it: no import map needed (CSP). */
const vendorRoot = () => join(dirname(createRequire(import.meta.url).resolve('htm')), '..', 'preact');

/**
 * The staff console (docs/design/console.md, "Console"): static files, no build step, served to
 * anyone (the page asks for a login; the data behind it needs one). index.html at `/`, its
 * modules under `/console/`, preact with htm at `/console/vendor/htm-preact.mjs`.
 */
export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const root = consoleRoot();
  const vendor = vendorRoot();
  // serve: false, so each route declares its access like every other (the static file routes are ours).
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false, dotfiles: 'deny' });
  const open = { config: { access: 'anyone' as const }, schema: { hide: true } };
  app.get('/', open, (_req, reply) => reply.sendFile('index.html', root));
  app.get('/console/vendor/htm-preact.mjs', open, (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').sendFile('standalone.mjs', vendor),
  );
  // @fastify/send resolves the path inside `root` and refuses `..` and dot files, but answers
  // them as a bare "Forbidden" / "Bad Request": such a path names no console file, so say that.
  app.get<{ Params: { '*': string } }>('/console/*', open, (req, reply) => {
    const file = req.params['*'];
    if (file.includes('\0') || file.split('/').some((part) => part.startsWith('.')))
      throw new ApiError('not-found', `no console file ${JSON.stringify(file)}`);
    return reply.sendFile(file, root);
  });
};
