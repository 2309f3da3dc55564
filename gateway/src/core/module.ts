/**
 * A feature module. Start order is the order the composition root lists them; stop is reversed.
 * `optional`: not on the alarm path; when it fails to start, the gateway runs without it and
 * tries again (see startModules). Every other module is critical.
 */
export interface GatewayModule {
  readonly name: string;
  readonly optional?: boolean;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
