import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { shared } from './shared.js';

/**
 * Security headers on every answer (helmet). The console is served from this origin with no
 * inline script or style, so the policy allows only this origin; no page may frame it
 * (clickjacking a "resolve" button), browsers may not guess content types, and no address leaves
 * in a Referer (alert and resident ids are in the paths).
 */
export const securityHeaders = shared(async (app: FastifyInstance) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    noSniff: true,
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS belongs to the HTTPS listener (listen.ts); on a plain loopback port it would be wrong.
    strictTransportSecurity: false,
  });
});
