import { Type } from '@sinclair/typebox';

/**
 * The gateway's one TLS certificate, used by HTTPS and MQTT over TLS alike (gateway/src/core/tls.ts):
 * the centre's own, or one generated on first start.
 */
export const TlsSettings = Type.Object(
  {
    certFile: Type.String({
      default: '',
      description:
        "PEM file of the gateway's certificate (the centre's own; intermediate certificates after it). Empty, with keyFile empty: a self-signed certificate generated on first start into <dataDir>/tls/ and reused after; its SHA-256 fingerprint is logged at start and shown on /healthz.",
    }),
    keyFile: Type.String({
      default: '',
      description: 'PEM file of the private key of certFile (unencrypted; readable by the gateway only).',
    }),
    selfSignedNames: Type.String({
      default: '',
      description:
        "Host names and IP addresses devices and phones reach the gateway by, comma-separated, added to the self-signed certificate (it always names this machine's host name, <host name>.local, localhost and the addresses it has at generation). A name missing from it renews the certificate with the same key.",
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The certificate of the HTTPS and MQTT-over-TLS listeners (http.tls, mqtt.tls).',
  },
);

const listener = (port: number, name: string, purpose: string) =>
  Type.Object(
    {
      enabled: Type.Boolean({
        default: false,
        description: `Open the ${name} listener (${purpose}), with the certificate of the tls section.`,
      }),
      host: Type.String({ default: '0.0.0.0', description: `${name} listen address.` }),
      port: Type.Integer({
        minimum: 0,
        maximum: 65_535,
        default: port,
        description: `${name} port (0 = any free port).`,
      }),
    },
    { additionalProperties: false, default: {} },
  );

/** The HTTPS listener of the API and console, beside the plain one on loopback. */
export const HttpTlsSettings = listener(8443, 'HTTPS', 'the API and the console, for the site network');

/** The MQTT-over-TLS listener of the embedded broker, beside the plain one. */
export const MqttTlsSettings = listener(8883, 'MQTT-over-TLS', 'devices and handsets');

/** Whether a listen address is reachable from this machine only. */
export const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(host);

/** The TLS rules between settings that the schema cannot state, as `path: message` lines. */
export function tlsProblems(c: {
  http: { host: string };
  tls: { certFile: string; keyFile: string };
}): string[] {
  const problems: string[] = [];
  // With logins on the API, plain HTTP on the network would carry passwords and session cookies
  // in the clear over the centre's Wi-Fi.
  if (!isLoopbackHost(c.http.host))
    problems.push(
      `http.host: plain HTTP may listen on a loopback address only (127.0.0.1, ::1, localhost), not ${c.http.host || '(all addresses)'}: passwords and session cookies would cross the network unencrypted. For the site network enable HTTPS (http.tls.enabled, on http.tls.host and http.tls.port)`,
    );
  if (c.tls.certFile && !c.tls.keyFile) problems.push('tls.keyFile: is required with tls.certFile');
  if (c.tls.keyFile && !c.tls.certFile) problems.push('tls.certFile: is required with tls.keyFile');
  return problems;
}
