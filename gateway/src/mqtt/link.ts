import { type ChannelKey, type GatewayState, topicFor } from '@careedge/edge';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

export interface LinkOptions {
  url: string;
  username: string;
  password: string;
  siteId: string;
  clock: Clock;
  log: Logger;
  version?: string;
  persistentSession: boolean;
}

/**
 * The gateway's own MQTT client, the same whether the broker is embedded or external. It owns
 * the retained gateway state topic: `online` on connect, `offline` as its last will, so devices
 * and handsets can show when the gateway is unreachable.
 */
export class MqttLink {
  private constructor(
    private readonly client: MqttClient,
    private readonly opts: LinkOptions,
  ) {}

  static async connect(opts: LinkOptions): Promise<MqttLink> {
    const stateTopic = topicFor('gatewayState', opts.siteId);
    const offline: GatewayState = { ts: opts.clock.now(), state: 'offline', version: opts.version };
    const client = await connectAsync(opts.url, {
      username: opts.username,
      password: opts.password,
      clientId: `careedge-gateway-${opts.siteId}`,
      // With an external broker, a persistent session keeps QoS 1 messages for the gateway while it
      // reconnects. The embedded broker's sessions live in this process and die with it, so there
      // it would only cost a session-store write for every message.
      clean: !opts.persistentSession,
      reconnectPeriod: 1000,
      will: { topic: stateTopic, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    const link = new MqttLink(client, opts);
    client.on('error', (err) => opts.log.error({ err }, 'MQTT client error'));
    client.on('offline', () => opts.log.warn('MQTT connection lost; reconnecting'));
    const onConnect = () => {
      // Same reason as the broker's noDelay: small alarm packets must not wait for Nagle.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      link.announce();
    };
    client.on('connect', onConnect);
    onConnect();
    return link;
  }

  private announce(): void {
    const online: GatewayState = { ts: this.opts.clock.now(), state: 'online', version: this.opts.version };
    this.publish('gatewayState', '', online, true);
  }

  async subscribe(filters: string[]): Promise<void> {
    const granted = await this.client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0)
      throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
  }

  onMessage(handler: (topic: string, payload: Buffer) => void): void {
    this.client.on('message', handler);
  }

  /** Publishes a protocol message; QoS and retain come from the channel catalogue by default. */
  publish(channel: ChannelKey, id: string, message: object, retain = false): void {
    const topic = topicFor(channel, this.opts.siteId, channel === 'gatewayState' ? undefined : id);
    this.client.publish(topic, JSON.stringify(message), { qos: 1, retain }, (err) => {
      if (err) this.opts.log.error({ err, topic }, 'MQTT publish failed');
    });
  }

  async close(): Promise<void> {
    const offline: GatewayState = { ts: this.opts.clock.now(), state: 'offline', version: this.opts.version };
    await this.client
      .publishAsync(topicFor('gatewayState', this.opts.siteId), JSON.stringify(offline), {
        qos: 1,
        retain: true,
      })
      .catch(() => undefined);
    await this.client.endAsync();
  }
}
