/**
 * The kernel the suite drives: the plugin under test (after `otherPlugins`), a recording logger and a store
 * that notes every write, started once for the describe block. Login throttling is lifted: the suite logs in
 * and fails on purpose many times from one address.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { DeepPartial, PluginSource, TesseraConfig } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { createRecordingLogger, type LogLine } from '../../recording-logger';
import { recordStoreWrites, type StoreWrite } from '../../recording-store';
import type { StrategyConformanceOptions, StrategyLoginAttempt } from '../../strategy-conformance';
import { startTestKernel, type TestKernel } from '../../test-kernel';
import { ApiClient, type ApiAnswer } from './api-client';

export interface ConformanceKernel {
  readonly kernel: TestKernel;
  readonly api: ApiClient;
  readonly logs: LogLine[];
  readonly writes: StoreWrite[];
  /** The manifest name of the plugin under test: its namespace is `plugin:<name>`. */
  readonly pluginName: string;
  /** The manifest names of `otherPlugins`. */
  readonly otherPluginNames: readonly string[];
  /** The kuid of the suite's `n`-th user. */
  readonly kuidOf: (n: number) => string;
  /** Creates user `n`, with `credentials(n)` for the strategy unless `withCredentials` is false. */
  readonly createUser: (n: number, withCredentials?: boolean) => Promise<ApiAnswer>;
  readonly login: (attempt: StrategyLoginAttempt) => Promise<ApiAnswer>;
  /** A token of user `n`, from an API key: for strategies the suite cannot log in with. */
  readonly tokenOf: (n: number) => Promise<string>;
}

/** The name in the plugin's manifest. */
export function pluginNameOf(source: PluginSource): string {
  if ('manifest' in source) return source.manifest.name;
  const manifest = JSON.parse(readFileSync(join(source.dir, 'manifest.json'), 'utf8')) as { name?: unknown };
  if (typeof manifest.name !== 'string') throw new Error(`${source.dir}/manifest.json has no name`);
  return manifest.name;
}

/** Config overrides with the suite's own: no login throttle. */
export function conformanceOverrides(options: StrategyConformanceOptions): DeepPartial<TesseraConfig> {
  const overrides = options.overrides ?? {};
  return {
    ...overrides,
    security: {
      ...overrides.security,
      login: { ...overrides.security?.login, attemptsPerAddress: 0, attemptsPerUsername: 0 },
    },
  };
}

export function useConformanceKernel(options: StrategyConformanceOptions): () => ConformanceKernel {
  let current: ConformanceKernel | undefined;
  const { strategy } = options;

  beforeAll(async () => {
    const logs: LogLine[] = [];
    const writes: StoreWrite[] = [];
    const kernel = await startTestKernel({
      plugins: [...(options.otherPlugins ?? []), options.plugin],
      overrides: conformanceOverrides(options),
      log: createRecordingLogger(logs),
      wrapStore: (adapter) => recordStoreWrites(adapter, writes),
    });
    const api = new ApiClient(kernel.url);
    const kuidOf = (n: number) => `conformance-user-${n}`;
    current = {
      kernel,
      api,
      logs,
      writes,
      pluginName: pluginNameOf(options.plugin),
      otherPluginNames: (options.otherPlugins ?? []).map(pluginNameOf),
      kuidOf,
      createUser: (n, withCredentials = true) =>
        api.query({
          controller: 'security',
          action: 'createUser',
          _id: kuidOf(n),
          body: {
            content: { profileIds: ['default'] },
            ...(withCredentials ? { credentials: { [strategy]: options.credentials(n) } } : {}),
          },
        }),
      login: (attempt) =>
        api.query({
          ...attempt.args,
          controller: 'auth',
          action: 'login',
          strategy,
          body: attempt.body ?? {},
        }),
      tokenOf: async (n) => {
        const key = (await api.ok({
          controller: 'security',
          action: 'createApiKey',
          userId: kuidOf(n),
          expiresIn: '10m',
          body: { description: 'strategy conformance' } satisfies JsonObject,
        })) as { _source: { token: string } };
        return key._source.token;
      },
    };
  });

  afterAll(async () => {
    await current?.kernel.stop();
  });

  return () => {
    if (current === undefined) throw new Error('the conformance kernel is not started');
    return current;
  };
}
