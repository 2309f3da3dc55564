import type { FastifyPluginAsync } from 'fastify';

/**
 * The OpenAPI document of the running gateway at /docs (the same as docs/openapi.json, which a
 * test keeps in step), for API clients and tools. Open: it describes the API, it holds no data.
 */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/docs', { config: { access: 'anyone' }, schema: { hide: true } }, async () => app.swagger());
};
