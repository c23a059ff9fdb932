/**
 * A plugin's configuration as its setup receives it. `plugins.<name>` is checked against the plugin's
 * `configSchema` (any Standard Schema) before setup; what the schema returns (defaults filled in, values
 * converted) is deep-frozen and becomes `ctx.config`. A plugin without a schema gets a frozen copy of what was
 * configured. The first issue stops the boot with the error the kernel's own configuration uses, naming the
 * plugin's key: `Invalid configuration "plugins.auth-local.bcryptCost": expected an integer from 4 to 15, got 3`.
 */
import {
  tesseraError,
  type ConfigIssue,
  type ConfigIssuePathSegment,
  type ConfigSchema,
  type DeepReadonly,
  type TesseraError,
} from '@tessera/plugin-sdk';
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

function configError(root: string, reported: ConfigIssue | undefined): TesseraError {
  if (reported === undefined) return tesseraError('core.config.invalid_value', root, 'refused by its schema');
  const issue = innermost(reported);
  const at = keyPath(root, issue.path ?? []);
  // zod reports unknown keys of a strict object on the object, naming them in `keys`: name the key itself.
  const { code, keys } = issue as { code?: unknown; keys?: unknown };
  if (code === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0)
    return tesseraError('core.config.unknown_key', keyPath(at, [keys[0] as PropertyKey]));
  return tesseraError('core.config.invalid_value', at, issue.message);
}

/**
 * zod reports a value that no member of a union accepts as one issue holding each member's issues (`errors`).
 * When exactly one member got past the value's type (its issues lie deeper), that is the one the author meant:
 * its first issue names the key better (`appliesTo.users` rather than `appliesTo`).
 */
function innermost(issue: ConfigIssue): ConfigIssue {
  const { code, errors } = issue as { code?: unknown; errors?: unknown };
  if (code !== 'invalid_union' || !Array.isArray(errors)) return issue;
  const deeper = (errors as ConfigIssue[][]).filter((member) =>
    member.some((inner) => (inner.path?.length ?? 0) > 0),
  );
  const inner = deeper.length === 1 ? deeper[0]?.[0] : undefined;
  if (inner === undefined) return issue;
  return innermost({ ...inner, path: [...(issue.path ?? []), ...(inner.path ?? [])] });
}

/** `plugins.auth-local` + `['passwordPolicies', 0, 'appliesTo']` -> `plugins.auth-local.passwordPolicies[0].appliesTo` */
function keyPath(root: string, path: readonly ConfigIssuePathSegment[]): string {
  return path.reduce<string>((at, segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? `${at}[${key}]` : `${at}.${String(key)}`;
  }, root);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
