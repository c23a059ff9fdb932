/**
 * relayEvents: a node's allow-listed events are delivered on that node and on every other node of the
 * network, tagged with where they come from; nothing outside the allow-list travels either way.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import type { EventBus, JsonValue, Logger } from '@tessera/plugin-sdk';
import { createLoopbackNetwork, relayEvents } from '../../src';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** The `hook` half of an event bus, over node's EventEmitter: the relay only listens. */
function localEvents(): Pick<EventBus, 'hook'> & { emit(event: string, payload: unknown): void } {
  const emitter = new EventEmitter();
  return {
    hook(event, listener) {
      const wrapped = (payload: unknown) => void listener(payload as never, event);
      emitter.on(event, wrapped);
      return () => void emitter.off(event, wrapped);
    },
    emit: (event, payload) => void emitter.emit(event, payload),
  };
}

interface Heard {
  event: string;
  payload: JsonValue;
  from: string;
}

describe('relayEvents', () => {
  it('delivers an allow-listed event on its node and on the others, tagged with its node', async () => {
    const network = createLoopbackNetwork();
    const nodes = ['a', 'b', 'c'].map((id) => {
      const bus = network.join(id);
      const local = localEvents();
      const heard: Heard[] = [];
      const stop = relayEvents({
        clusterBus: bus,
        local,
        events: ['auth:login'],
        deliver: (event, payload, from) => void heard.push({ event, payload, from }),
        log: quiet,
      });
      return { bus, local, heard, stop };
    });
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];

    a.local.emit('auth:login', { kuid: 'ada', strategy: 'local' });
    a.local.emit('auth:logout', { kuid: 'ada' });
    // A message sent after the first is delivered after it: once this one is heard, so was the first.
    await a.bus.publish('flush', null);

    const login = { event: 'auth:login', payload: { kuid: 'ada', strategy: 'local' }, from: 'a' };
    expect(a.heard).toEqual([login]);
    expect(b.heard).toEqual([login]);
    expect(c.heard).toEqual([login]);
  });

  it('ignores what another node sends outside the allow-list, and stops when told', async () => {
    const network = createLoopbackNetwork();
    const a = network.join('a');
    const b = network.join('b');
    const heard: Heard[] = [];
    const local = localEvents();
    const stop = relayEvents({
      clusterBus: b,
      local,
      events: ['auth:login'],
      deliver: (event, payload, from) => void heard.push({ event, payload, from }),
      log: quiet,
    });
    await a.publish('events', { event: 'kernel:shutdown', payload: {} });
    await a.publish('events', 'not an event');
    expect(heard).toEqual([]);
    stop();
    await a.publish('events', { event: 'auth:login', payload: {} });
    local.emit('auth:login', {});
    expect(heard).toEqual([]);
  });
});
