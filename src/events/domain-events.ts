import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';

/**
 * What happened in the hub, as ids and codes only (never identity): subscribers load what they
 * may see themselves, under their own permissions and row scope.
 */
export interface DomainEvents {
  incidentReported: { agencyId: string; incidentId: string; county: string };
  caseRouted: { caseId: string; agencyId: string };
  followUpDue: { caseId: string; agencyId: string; state: 'WINDOW_OPEN' | 'OVERDUE' };
  spikeAlert: { alertId: string; county: string; state: 'RAISED' | 'ENDED' };
}

export type DomainEventName = keyof DomainEvents;
export type DomainEvent = {
  [K in DomainEventName]: { name: K; payload: DomainEvents[K] };
}[DomainEventName];

/** Where raised events go: the hub's event bus (src/events/event-bus.ts). */
export type EventSink = (event: DomainEvent) => void;

// One sink per ORM (keyed by its Configuration, shared by every fork): two hubs in one process
// (the Redis test) must not hear each other's events in memory.
const sinks = new WeakMap<object, EventSink>();
const pending = new WeakMap<object, DomainEvent[]>();

/**
 * Raises an event once the current transaction commits (at once outside a transaction); a
 * rollback drops it. Without a hub around the ORM (CLI scripts) it goes nowhere.
 */
export function raiseAfterCommit<K extends DomainEventName>(
  em: EntityManager,
  name: K,
  payload: DomainEvents[K],
): void {
  const sink = sinks.get(em.config);
  if (!sink) return;
  const event = { name, payload } as DomainEvent;
  const trx = em.getTransactionContext<object>();
  if (!trx) {
    sink(event);
    return;
  }
  const root = rootTransaction(trx);
  const queue = pending.get(root) ?? [];
  queue.push(event);
  pending.set(root, queue);
}

/** Connects an ORM to a sink: queued events leave after the root transaction commits. */
export function attachDomainEvents(orm: MikroORM, sink: EventSink): () => void {
  sinks.set(orm.config, sink);
  const subscriber: EventSubscriber = {
    async afterTransactionCommit({ transaction }: TransactionEventArgs) {
      if (!transaction) return;
      const queue = pending.get(transaction as object);
      pending.delete(transaction as object);
      for (const event of queue ?? []) sink(event);
    },
    async afterTransactionRollback({ transaction }: TransactionEventArgs) {
      if (transaction) pending.delete(transaction as object);
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);
  return () => sinks.delete(orm.config);
}

/** A savepoint's parent transaction (knex keeps it under a private symbol of MikroORM). */
function rootTransaction(trx: object): object {
  let current = trx;
  for (;;) {
    const parentKey = Object.getOwnPropertySymbols(current).find(
      (s) => s.description === 'parentTransaction',
    );
    const parent = parentKey ? (current as Record<symbol, object>)[parentKey] : undefined;
    if (!parent) return current;
    current = parent;
  }
}
