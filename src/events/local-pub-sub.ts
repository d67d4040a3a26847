import type { PubSub } from 'type-graphql';

type Listener = (payload: unknown) => void;

/**
 * The smallest PubSub type-graphql needs: each subscription is an async iterator with its own
 * queue, removed from the topic when the client unsubscribes or the socket closes.
 */
export class LocalPubSub implements PubSub {
  private readonly topics = new Map<string, Set<Listener>>();

  publish(topic: string, payload: unknown): void {
    for (const listener of this.topics.get(topic) ?? []) listener(payload);
  }

  /** Live subscriptions, all topics together. */
  get size(): number {
    let n = 0;
    for (const listeners of this.topics.values()) n += listeners.size;
    return n;
  }

  subscribe(topic: string): AsyncIterableIterator<unknown> {
    const queue: unknown[] = [];
    const waiting: Array<(result: IteratorResult<unknown>) => void> = [];
    const listeners = this.topics.get(topic) ?? new Set<Listener>();
    this.topics.set(topic, listeners);
    let done = false;
    const listener: Listener = (payload) => {
      const next = waiting.shift();
      if (next) next({ value: payload, done: false });
      else queue.push(payload);
    };
    listeners.add(listener);
    const finish = (): Promise<IteratorResult<unknown>> => {
      done = true;
      listeners.delete(listener);
      if (listeners.size === 0) this.topics.delete(topic);
      for (const next of waiting.splice(0)) next({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift(), done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: finish,
      throw: async (error: unknown) => {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
