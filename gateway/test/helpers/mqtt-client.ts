import { type ChannelKey, topicFor } from '@careedge/edge';
import { connectAsync, type MqttClient } from 'mqtt';

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * A real MQTT.js client for tests, with an inbox: `next()` resolves on the first message that
 * matches (already received or still to come). The timeout only turns a missing message into a
 * clear failure; no test waits on time passing.
 */
export class TestClient {
  private readonly inbox: Received[] = [];
  private waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  private seq = 0;

  private constructor(
    readonly client: MqttClient,
    readonly siteId: string,
    readonly id: string,
  ) {
    client.on('message', (topic, buf) => {
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(buf.toString());
      } catch {
        payload = { raw: buf.toString() };
      }
      const m = { topic, payload };
      const w = this.waiters.find((x) => x.match(m));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      } else this.inbox.push(m);
    });
  }

  /**
   * With `tls`: MQTT over TLS to 127.0.0.1, trusting only `ca` (the gateway's certificate pinned)
   * and checking it names `servername` (default localhost).
   */
  static async connect(
    port: number,
    siteId: string,
    id: string,
    password: string,
    tls?: { ca: string; servername?: string },
  ): Promise<TestClient> {
    const client = await connectAsync(`${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`, {
      username: id,
      password,
      reconnectPeriod: 0,
      clientId: `${id}-test-${Math.random().toString(16).slice(2)}`, // bound to the login
      ...(tls ? { ca: tls.ca, servername: tls.servername ?? 'localhost', rejectUnauthorized: true } : {}),
    });
    return new TestClient(client, siteId, id);
  }

  async listen(...channels: ChannelKey[]): Promise<void> {
    const granted = await this.client.subscribeAsync(
      channels.map((c) => topicFor(c, this.siteId, this.id)),
      { qos: 1 },
    );
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length) throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
  }

  /** Publishes on one of this client's own channels; seq and ts are filled in unless given. */
  async send(channel: ChannelKey, body: Record<string, unknown>, opts: { ts?: number; seq?: number } = {}) {
    const message = { seq: opts.seq ?? this.seq++, ts: opts.ts ?? Date.now(), ...body };
    await this.client.publishAsync(topicFor(channel, this.siteId, this.id), JSON.stringify(message), {
      qos: 1,
    });
    return message;
  }

  async sendRaw(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  next(match: (m: Received) => boolean = () => true, timeoutMs = 5000): Promise<Received> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `${this.id}: no matching message within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`,
          ),
        );
      }, timeoutMs);
      const done = (m: Received) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Messages received so far that nobody waited for (and removes them). */
  drain(): Received[] {
    return this.inbox.splice(0);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export const onTopic =
  (leaf: string, fields: Record<string, unknown> = {}) =>
  (m: Received) =>
    m.topic.endsWith(`/${leaf}`) && Object.entries(fields).every(([k, v]) => m.payload[k] === v);
