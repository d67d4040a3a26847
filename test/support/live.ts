import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestHub } from './hub';

export interface LiveClient {
  client: Client;
  /** Payloads received so far, in order. */
  received: Array<{ data?: Record<string, unknown> | null; errors?: unknown[] }>;
  /** Resolves with the close code when the server closes or refuses the socket. */
  closed: Promise<number>;
  dispose(): Promise<void>;
}

/** A graphql-ws client of a hub: the credential goes in connection_init, as for a real client. */
export function connectLive(hub: Pick<TestHub, 'url'>, credential?: string): LiveClient {
  let onClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: hub.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: credential ? { authorization: `Bearer ${credential}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  return {
    client,
    received: [],
    closed,
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** Subscribes and records every payload; errors of the operation are recorded too. */
export function subscribe(live: LiveClient, query: string): void {
  live.client.subscribe(
    { query },
    {
      next: (value) => live.received.push(value as LiveClient['received'][number]),
      error: (error) => live.received.push({ errors: [error] }),
      complete: () => {},
    },
  );
}

/** Reads one sample of a hub's /metrics (no METRICS_TOKEN in tests). */
export async function metricValue(hub: Pick<TestHub, 'url'>, name: string): Promise<number> {
  const text = await (await fetch(hub.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/**
 * Polls until `check` holds (events cross processes and Redis: no fixed sleeps). The deadline is
 * generous so a loaded machine does not fail a test; a broken delivery still fails it.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until the hub has exactly `n` subscriptions listening, so no event is raised before them.
 * Exactly: a subscription of an earlier test still being torn down must not be taken for a new
 * one (the new one would miss the event raised meanwhile).
 */
export const listening = (hub: Pick<TestHub, 'url'>, n: number) =>
  waitFor(async () => (await metricValue(hub, 'hub_subscriptions_active')) === n);

/** Closes the clients, then waits until the hub has let go of their subscriptions. */
export async function disposeAll(hub: Pick<TestHub, 'url'>, clients: LiveClient[]): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await listening(hub, 0);
}
