/**
 * The access log, opt-in (`log.accessLog`): one `info` line per API request once answered, with its request id,
 * who made it (the kuid), what it asked (controller and action), how (protocol, client address) and how it
 * ended (status, error id, milliseconds). Never a body, an argument or a token.
 */
import type { ApiRequest, EventBus, Logger, Unsubscribe } from '@tessera/plugin-sdk';
import { requestLog } from './request-log';

export function attachAccessLog(
  bus: EventBus,
  log: Logger,
  clock: () => number = () => performance.now(),
): Unsubscribe {
  const started = new WeakMap<ApiRequest, number>();
  const unhooks = [
    bus.hook('request:beforeExecution', (request) => {
      started.set(request, clock());
    }),
    bus.hook('request:afterExecution', (request) => {
      const start = started.get(request);
      started.delete(request);
      requestLog(log, request).info('request', {
        controller: request.input.controller,
        action: request.input.action,
        protocol: request.connection.protocol,
        ip: request.connection.address,
        status: request.status,
        ...(request.error === null ? {} : { error: request.error.id }),
        ...(start === undefined ? {} : { ms: Math.round((clock() - start) * 10) / 10 }),
      });
    }),
  ];
  return () => {
    for (const unhook of unhooks) unhook();
  };
}
