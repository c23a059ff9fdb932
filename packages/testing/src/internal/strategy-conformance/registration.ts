/**
 * Conformance: the kernel checks the strategy's definition when the plugin registers it, so a malformed one
 * stops the boot with an error naming the strategy and what is wrong, rather than failing at the first login.
 * Each check boots the plugin with its own definition broken in one way, and one impostor plugin tries to take
 * the strategy over.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { PluginSource } from '@tessera/kernel';
import {
  definePlugin,
  type PluginDefinition,
  type PluginManifest,
  type StrategyDefinition,
} from '@tessera/plugin-sdk';
import type { StrategyConformanceOptions } from '../../strategy-conformance';
import { startTestKernel } from '../../test-kernel';
import { conformanceOverrides } from './conformance-kernel';

type Breakage = (definition: StrategyDefinition) => { name?: string; definition: unknown };

const REQUIRED = ['verify', 'exists', 'validate', 'create', 'update', 'delete'] as const;

const BREAKAGES: readonly (readonly [string, Breakage, RegExp])[] = [
  ...REQUIRED.map(
    (method) =>
      [
        `without "${method}"`,
        (definition: StrategyDefinition) => ({
          definition: { ...definition, methods: { ...definition.methods, [method]: undefined } },
        }),
        new RegExp(`the method "${method}" is required`),
      ] as const,
  ),
  [
    'whose authenticator is not a constructor',
    (definition) => ({ definition: { ...definition, authenticator: 'passport-local' } }),
    /"authenticator" must be a passport strategy constructor/,
  ],
  [
    'whose authenticator builds no passport strategy',
    (definition) => ({ definition: { ...definition, authenticator: class NotAStrategy {} } }),
    /"authenticator" must build a passport strategy/,
  ],
  [
    'whose "methods" is missing',
    (definition) => ({ definition: { ...definition, methods: undefined } }),
    /"methods" must be an object/,
  ],
  [
    'whose "fields" are not strings',
    (definition) => ({ definition: { ...definition, fields: [42] } }),
    /"fields" must be an array of strings/,
  ],
  [
    'whose optional "getInfo" is not a function',
    (definition) => ({ definition: { ...definition, methods: { ...definition.methods, getInfo: 'info' } } }),
    /"getInfo" must be a function when given/,
  ],
  [
    'under a name that is not lower-case',
    (definition) => ({ name: 'Not A Name', definition }),
    /the name must match/,
  ],
];

export function describeRegistration(options: StrategyConformanceOptions): void {
  describe('registration', () => {
    it.each(BREAKAGES.map(([label, breakage, reason]) => ({ label, breakage, reason })))(
      'refuses the definition $label at boot, naming the strategy',
      async ({ breakage, reason }) => {
        const { manifest, definition } = loadPlugin(options.plugin);
        const broken = definePlugin({
          // The plugin's own schema still makes its ctx.config.
          configSchema: definition.configSchema,
          setup: (ctx) =>
            definition.setup({
              ...ctx,
              strategies: {
                register: (name, registered) => {
                  if (name !== options.strategy) return ctx.strategies.register(name, registered);
                  const changed = breakage(registered);
                  ctx.strategies.register(changed.name ?? name, changed.definition as StrategyDefinition);
                },
                unregister: (name) => ctx.strategies.unregister(name),
              },
            }),
          teardown: () => definition.teardown?.(),
        });
        const failure = await bootFailure(options, { manifest, definition: broken });
        const name = breakage({} as StrategyDefinition).name ?? options.strategy;
        expect(failure).toMatchObject({ id: 'plugin.runtime.failed_init', status: 500 });
        expect(failure?.message).toContain(`Strategy "${name}": `);
        expect(failure?.message).toMatch(reason);
      },
    );

    it('refuses another plugin registering a strategy of the same name', async () => {
      const { definition } = loadPlugin(options.plugin);
      let registered: StrategyDefinition | undefined;
      const impostor = definePlugin({
        setup(ctx) {
          if (registered === undefined) throw new Error(`no strategy "${options.strategy}" was registered`);
          ctx.strategies.register(options.strategy, registered);
        },
      });
      const spy = definePlugin({
        configSchema: definition.configSchema,
        setup: (ctx) =>
          definition.setup({
            ...ctx,
            strategies: {
              register: (name, strategy) => {
                if (name === options.strategy) registered = strategy;
                ctx.strategies.register(name, strategy);
              },
              unregister: (name) => ctx.strategies.unregister(name),
            },
          }),
        teardown: () => definition.teardown?.(),
      });
      const { manifest } = loadPlugin(options.plugin);
      const failure = await bootFailure(
        options,
        { manifest, definition: spy },
        { manifest: { ...manifest, name: 'conformance-impostor', main: 'index.js' }, definition: impostor },
      );
      expect(failure).toMatchObject({ id: 'plugin.runtime.failed_init' });
      expect(failure?.message).toContain('conformance-impostor');
      expect(failure?.message).toContain(
        `Cannot remove strategy ${options.strategy}: owned by another plugin.`,
      );
    });
  });
}

/** The plugin's manifest and definition, loaded the way the kernel loads a plugin folder. */
function loadPlugin(source: PluginSource): { manifest: PluginManifest; definition: PluginDefinition } {
  if ('manifest' in source) return source;
  const manifest = JSON.parse(readFileSync(join(source.dir, 'manifest.json'), 'utf8')) as PluginManifest;
  // A plugin folder's entry module is CommonJS, at a path known only at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(resolve(source.dir, manifest.main)) as Record<string, unknown>;
  const definition = [exported.default, exported, exported.plugin].find(
    (candidate): candidate is PluginDefinition =>
      typeof (candidate as Partial<PluginDefinition> | undefined)?.setup === 'function',
  );
  if (definition === undefined) throw new Error(`${source.dir} exports no plugin definition`);
  return { manifest, definition };
}

/** The error the boot failed with, or null when it started (then it is stopped at once). */
async function bootFailure(
  options: StrategyConformanceOptions,
  ...plugins: PluginSource[]
): Promise<{ id?: unknown; status?: unknown; message: string } | null> {
  try {
    const kernel = await startTestKernel({
      plugins: [...(options.otherPlugins ?? []), ...plugins],
      overrides: conformanceOverrides(options),
    });
    await kernel.stop();
    return null;
  } catch (error) {
    return error as { id?: unknown; message: string };
  }
}
