import type { FastifyPluginAsync } from 'fastify';

/**
 * A plugin whose hooks and decorators reach the whole app, not only its own encapsulated context
 * (what fastify-plugin does, by the `skip-override` symbol fastify documents for it): the
 * security headers and the access guard apply to every route registered after them.
 */
export function shared<O extends Record<string, unknown>>(
  plugin: FastifyPluginAsync<O>,
): FastifyPluginAsync<O> {
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}
