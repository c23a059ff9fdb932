/**
 * A plugin's declared configuration: the kernel checks `plugins.<name>` with the plugin's `configSchema` (any
 * Standard Schema) before setup, refuses the boot naming the plugin's key, and hands the plugin what the schema
 * returned, deep-frozen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  definePlugin,
  expected,
  isTesseraError,
  parseDuration,
  type ConfigSchema,
  type PluginDefinition,
  type TesseraError,
} from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { createRecordingLogger } from '@tessera/testing';
import {
  ActionRegistry,
  StrategyRegistry,
  createEventBus,
  createPluginManager,
  resolvePluginConfig,
  type StoreAdapter,
} from '@tessera/kernel';
import { z } from 'zod';

let workdir: string;
let adapter: StoreAdapter;

beforeEach(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'tessera-plugin-config-'));
  adapter = createSqliteStore({ path: path.join(workdir, 'store.db') });
  await adapter.open();
});

afterEach(async () => {
  await adapter.close();
  await rm(workdir, { recursive: true, force: true });
});

/** Loads one plugin named `greeter` with `config` as `plugins.greeter`. */
async function boot(definition: PluginDefinition, config?: unknown): Promise<void> {
  const manager = createPluginManager({
    adapter,
    bus: createEventBus(createRecordingLogger([])),
    log: createRecordingLogger([]),
    pluginConfig: config === undefined ? {} : { greeter: config },
    kernelVersion: '0.1.0',
    setupTimeout: 1000,
    runTimeout: 1000,
    strategies: new StrategyRegistry(),
    registry: new ActionRegistry(),
    identity: () => Promise.resolve(null),
    createUser: () => Promise.reject(new Error('no users here')),
    credentialsCreated: () => Promise.resolve(),
    credentialsChanged: () => Promise.resolve(),
  });
  await manager.load([
    { manifest: { name: 'greeter', version: '1.0.0', kernel: '>=0.1.0 <1', main: 'index.js' }, definition },
  ]);
}

async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isTesseraError(error)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return error;
}

const greeterSchema = z.strictObject({
  greeting: z
    .strictObject({
      text: z.string({ error: expected('a string') }).default('hello'),
      maxLength: z
        .int({ error: expected('an integer of at least 1') })
        .min(1)
        .default(80),
    })
    .prefault({}),
  pause: z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms !== undefined && ms >= 0) return ms;
      ctx.addIssue({ code: 'custom', message: expected('a duration')({ input: value }) });
      return z.NEVER;
    })
    .default(1000),
  audience: z
    .union([
      z.literal('everyone'),
      z.strictObject({ users: z.array(z.string(), { error: expected('an array of kuids') }) }),
    ])
    .default('everyone'),
});

/** A greeter that keeps the config it was given, and whether its setup ran. */
function greeter() {
  const seen: { config?: unknown; setUp: boolean } = { setUp: false };
  const definition = definePlugin({
    configSchema: greeterSchema,
    setup(ctx) {
      // Typed by the schema: a wrong key here would not compile.
      seen.config = { text: ctx.config.greeting.text, pause: ctx.config.pause, all: ctx.config };
      seen.setUp = true;
    },
  });
  return { definition, seen };
}

describe('a plugin with a configSchema', () => {
  it('gets what the schema returned as ctx.config: defaults filled in, values converted, deep-frozen', async () => {
    const configured = { greeting: { text: 'hi' }, pause: '5s' };
    const { definition, seen } = greeter();
    await boot(definition, configured);

    const { all } = seen.config as { all: Record<string, Record<string, unknown>> };
    expect(seen.config).toMatchObject({ text: 'hi', pause: 5000 });
    expect(all).toEqual({ greeting: { text: 'hi', maxLength: 80 }, pause: 5000, audience: 'everyone' });
    expect(Object.isFrozen(all)).toBe(true);
    expect(Object.isFrozen(all.greeting)).toBe(true);
    expect(Object.isFrozen(configured.greeting)).toBe(false);
  });

  it('gets every default when the server config has no section for it', async () => {
    const { definition, seen } = greeter();
    await boot(definition);

    expect((seen.config as { all: unknown }).all).toEqual({
      greeting: { text: 'hello', maxLength: 80 },
      pause: 1000,
      audience: 'everyone',
    });
  });

  it.each([
    [
      { greeting: { maxLength: 0 } },
      'plugins.greeter.greeting.maxLength',
      'expected an integer of at least 1, got 0',
    ],
    [{ greeting: { text: 7 } }, 'plugins.greeter.greeting.text', 'expected a string, got 7'],
    [{ pause: 'a while' }, 'plugins.greeter.pause', 'expected a duration, got "a while"'],
    [{ greeting: 'hi' }, 'plugins.greeter.greeting', 'expected object'],
    // The member of the union that got past the value's type says what is wrong, and where.
    [
      { audience: { users: 'ada' } },
      'plugins.greeter.audience.users',
      'expected an array of kuids, got "ada"',
    ],
  ])('refuses %j before setup, naming the plugin and the key', async (config, key, message) => {
    const { definition, seen } = greeter();
    const error = await failure(boot(definition, config));

    expect(error.id).toBe('core.config.invalid_value');
    expect(error.props).toEqual([key, expect.stringContaining(message)]);
    expect(error.message).toContain(`Invalid configuration "${key}": `);
    expect(seen.setUp).toBe(false);
  });

  it('refuses an unknown key, naming it', async () => {
    const { definition, seen } = greeter();
    const error = await failure(boot(definition, { greeting: { colour: 'blue' } }));

    expect(error).toMatchObject({
      id: 'core.config.unknown_key',
      message: 'Unknown configuration key "plugins.greeter.greeting.colour".',
    });
    expect(seen.setUp).toBe(false);
  });
});

describe('a configSchema from another library', () => {
  /** A Standard Schema written by hand, as valibot or arktype would hand one over: it validates asynchronously. */
  const portsSchema: ConfigSchema<unknown, { ports: number[] }> = {
    '~standard': {
      version: 1,
      vendor: 'handmade',
      validate: (value) => {
        const ports = (value as { ports?: unknown }).ports ?? [];
        const bad = Array.isArray(ports) ? ports.findIndex((port) => !Number.isInteger(port)) : -1;
        return Promise.resolve(
          bad === -1
            ? { value: { ports: ports as number[] } }
            : { issues: [{ message: 'must be a port number', path: [{ key: 'ports' }, bad] }] },
        );
      },
    },
  };

  it('is run the same way, its message kept and its path named', async () => {
    let config: unknown;
    await boot(
      definePlugin({
        configSchema: portsSchema,
        setup(ctx) {
          config = ctx.config;
        },
      }),
      { ports: [80] },
    );
    expect(config).toEqual({ ports: [80] });

    const error = await failure(resolvePluginConfig('greeter', portsSchema, { ports: [80, 'http'] }));
    expect(error.props).toEqual(['plugins.greeter.ports[1]', 'must be a port number']);
  });
});

describe('a plugin without a configSchema', () => {
  it('gets a frozen copy of its section as configured, and a section that is not an object is refused', async () => {
    const configured = { anything: ['goes'] };
    const config = await resolvePluginConfig('greeter', undefined, configured);
    expect(config).toEqual(configured);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(configured)).toBe(false);

    const error = await failure(resolvePluginConfig('greeter', undefined, 'on'));
    expect(error.props).toEqual(['plugins.greeter', 'expected an object, got "on"']);
  });
});
