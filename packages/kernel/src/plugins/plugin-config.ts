/**
 * A plugin's configuration as its setup receives it. `plugins.<name>` is checked against the plugin's
 * `configSchema` (any Standard Schema) before setup; what the schema returns (defaults filled in, values
 * converted) is deep-frozen and becomes `ctx.config`. A plugin without a schema gets a frozen copy of what was
 * configured. The first issue stops the boot with the error the kernel's own configuration uses, naming the
 * plugin's key: `Invalid configuration "plugins.auth-local.bcryptCost": expected an integer from 4 to 15, got 3`.
 */
import { tesseraError, type ConfigSchema, type DeepReadonly } from '@tessera/plugin-sdk';
import { configError } from '../config/config-error';
import { deepFreeze } from '../internal/deep-freeze';

/**
 * Checks `configured` (`plugins.<name>`, undefined when absent) with `schema` and resolves to the deep-frozen
 * result; rejects with `core.config.invalid_value` or `core.config.unknown_key`. Without a schema, as
 * `copyPluginConfig`.
 */
export async function resolvePluginConfig<Config>(
  name: string,
  schema: ConfigSchema<unknown, Config> | undefined,
  configured: unknown,
): Promise<DeepReadonly<Config>> {
  if (schema === undefined) return copyPluginConfig(name, configured) as DeepReadonly<Config>;
  // A copy: the schema may hand back parts of its input, which are the caller's and must not get frozen.
  const result = await schema['~standard'].validate(structuredClone(configured ?? {}));
  if (result.issues !== undefined) throw configError(`plugins.${name}`, result.issues[0]);
  return deepFreeze(result.value) as DeepReadonly<Config>;
}

/** The configuration of a plugin that declares no schema: a deep-frozen copy of its section, which must be an object. */
export function copyPluginConfig(name: string, configured: unknown): DeepReadonly<Record<string, unknown>> {
  const copy = structuredClone(configured ?? {});
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy))
    throw tesseraError(
      'core.config.invalid_value',
      `plugins.${name}`,
      `expected an object, got ${show(copy)}`,
    );
  return deepFreeze(copy) as DeepReadonly<Record<string, unknown>>;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
