import mqtt, { type MqttClient } from 'mqtt';

export interface Observed {
  topic: string;
  payload: Buffer;
  retain: boolean;
  json: Record<string, unknown>;
}

/**
 * A plain MQTT client standing in for the gateway: records what arrives on `filter` and lets a
 * test wait for a message matching a predicate (event-driven, no sleeping).
 */
export class Observer {
  readonly messages: Observed[] = [];
  private waiters: { match: (m: Observed) => boolean; resolve: (m: Observed) => void }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString());
      } catch {}
      const m = { topic, payload, retain: packet.retain, json };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static async start(url: string, filter: string | string[]): Promise<Observer> {
    const client = await mqtt.connectAsync(url, {
      clientId: `observer-${Math.random()}`,
      reconnectPeriod: 0,
    });
    const observer = new Observer(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return observer;
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (m: Observed) => boolean, what = 'a matching message', timeoutMs = 5000): Promise<Observed> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Waits until `n` messages matching have arrived, and returns the first `n` in order. */
  async waitForCount(
    match: (m: Observed) => boolean,
    n: number,
    what = `${n} messages`,
  ): Promise<Observed[]> {
    const matching = () => this.messages.filter(match);
    await this.waitFor(() => matching().length >= n, what);
    return matching().slice(0, n);
  }

  publish(topic: string, message: unknown): Promise<unknown> {
    return this.client.publishAsync(topic, JSON.stringify(message), { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
