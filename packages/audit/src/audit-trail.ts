/**
 * The audit trail: the persisted twin of the `%auth/events` channel. Every security-relevant event (see
 * audit-event.ts) is stored in the kernel's namespace, which no plugin reaches, in the `audit_events`
 * collection; events older than `retention` are deleted at start and then periodically. Administrators search
 * them with `security:searchAuditEvents`, in the query model of the other searches.
 *
 * Recording never delays nor fails what it records: events are written after the fact (bus hooks fire after
 * the state change committed), and a write that fails is logged, with the events it held, and dropped.
 *
 * Events are written behind, in batches: those recorded within one turn of the event loop go to the store in
 * one `mCreate` (one transaction on SQLite and PostgreSQL). A revocation of a user's 1,000 tokens emits 1,000
 * `token:revoked` events in one turn, one per token (each names its session, as `%auth/events` does); written
 * one transaction each they cost more than the revocation itself. The content of the trail is unchanged.
 */
import type { KernelExtension, KernelExtensionContext } from '@tessera/kernel';
import type { DocumentCollection, Unsubscribe } from '@tessera/plugin-sdk';
import { fromBusEvent, fromRequest, RECORDED_BUS_EVENTS, type AuditEvent } from './audit-event';
import { searchAuditEventsAction } from './search-audit-events';

export const AUDIT_COLLECTION = 'audit_events';

export interface AuditTrailConfig {
  readonly enabled: boolean;
  /** Milliseconds an event is kept; 0 keeps every event. */
  readonly retention: number;
}

export interface AuditTrail extends KernelExtension {
  /** Deletes the events older than the retention now; resolves with how many. */
  prune(): Promise<number>;
  /** Resolves once every event recorded so far is written (for an orderly stop, and for tests). */
  flush(): Promise<void>;
}

/** The most events one write holds: a longer burst is written in several, so no transaction grows unbounded. */
const MAX_BATCH = 5_000;

/** The most often retention is applied, and the least: an hour, or the retention itself when shorter. */
const PRUNE_INTERVAL = 3_600_000;

export function createAuditTrail(config: AuditTrailConfig): AuditTrail {
  let collection: DocumentCollection<AuditEvent> | null = null;
  let now: () => number = Date.now;
  const pending = new Set<Promise<unknown>>();
  /** Writes what is waiting to be written now, rather than at the end of this turn of the event loop. */
  let writeWaiting: () => void = () => {};

  const settle = async () => {
    writeWaiting();
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  const prune = async (): Promise<number> => {
    if (collection === null || config.retention === 0) return 0;
    return collection.deleteByQuery({ query: { range: { at: { lt: now() - config.retention } } } });
  };

  return {
    name: 'audit',
    prune,
    flush: settle,

    async start(context: KernelExtensionContext) {
      // The action exists even when recording is off, so that searching an older trail stays possible.
      context.registry.extend('security', { searchAuditEvents: searchAuditEventsAction(() => collection) });
      collection = await context.storage.collection<AuditEvent>(AUDIT_COLLECTION, {
        indexed: ['event', 'at', 'kuid', 'author'],
      });
      if (!config.enabled) return async () => {};
      now = context.now;
      const store = collection;
      const { log } = context;
      let waiting: AuditEvent[] = [];
      let turnEnd: NodeJS.Immediate | null = null;
      writeWaiting = () => {
        if (turnEnd !== null) clearImmediate(turnEnd);
        turnEnd = null;
        while (waiting.length > 0) {
          const batch = waiting.slice(0, MAX_BATCH);
          waiting = waiting.slice(MAX_BATCH);
          const write = store.mCreate(batch.map((event) => ({ _source: event }))).then(
            () => undefined,
            (error: unknown) => {
              // Lost from the trail, not from sight: the log holds them (they carry no secret, see audit-event.ts).
              log.warn('audit events could not be stored', { count: batch.length, events: batch, error });
            },
          );
          pending.add(write);
          void write.finally(() => pending.delete(write));
        }
      };
      const record = (events: readonly AuditEvent[]) => {
        waiting.push(...events);
        turnEnd ??= setImmediate(writeWaiting);
      };
      const unhooks: Unsubscribe[] = [
        ...RECORDED_BUS_EVENTS.map((event) =>
          context.bus.hook(event, (payload) => record([fromBusEvent(event, payload, now())])),
        ),
        context.bus.hook('request:onSuccess', (request) => record(fromRequest(request, now()))),
      ];
      const prunePeriodically = () =>
        prune().catch((error: unknown) => log.warn('the audit trail could not be pruned', { error }));
      await prunePeriodically();
      const timer =
        config.retention === 0
          ? null
          : setInterval(() => void prunePeriodically(), Math.min(PRUNE_INTERVAL, config.retention));
      timer?.unref();
      return async () => {
        if (timer) clearInterval(timer);
        for (const unhook of unhooks) unhook();
        await settle();
      };
    },
  };
}
