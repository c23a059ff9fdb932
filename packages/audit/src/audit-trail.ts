/**
 * The audit trail: the persisted twin of the `%auth/events` channel. Every security-relevant event (see
 * audit-event.ts) is stored in the kernel's namespace, which no plugin reaches, in the `audit_events`
 * collection; events older than `retention` are deleted at start and then periodically. Administrators search
 * them with `security:searchAuditEvents`, in the query model of the other searches.
 *
 * Recording never delays nor fails what it records: events are written after the fact (bus hooks fire after
 * the state change committed), and a write that fails is logged and dropped.
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

/** The most often retention is applied, and the least: an hour, or the retention itself when shorter. */
const PRUNE_INTERVAL = 3_600_000;

export function createAuditTrail(config: AuditTrailConfig): AuditTrail {
  let collection: DocumentCollection<AuditEvent> | null = null;
  let now: () => number = Date.now;
  const pending = new Set<Promise<unknown>>();

  const prune = async (): Promise<number> => {
    if (collection === null || config.retention === 0) return 0;
    return collection.deleteByQuery({ query: { range: { at: { lt: now() - config.retention } } } });
  };

  return {
    name: 'audit',
    prune,
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

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
      const record = (events: readonly AuditEvent[]) => {
        for (const event of events) {
          const write = store.create(event).catch((error: unknown) => {
            log.warn('an audit event could not be stored', { event: event.event, error });
          });
          pending.add(write);
          void write.finally(() => pending.delete(write));
        }
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
        while (pending.size > 0) await Promise.allSettled([...pending]);
      };
    },
  };
}
