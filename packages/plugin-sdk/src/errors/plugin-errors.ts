/**
 * A plugin's own errors. A plugin declares them once, with `definePluginErrors`, and hands the result to
 * `definePlugin({ errors })`: the kernel checks and registers them at boot (a subdomain no other plugin holds,
 * codes unique within it). Their ids are `plugin.<plugin>.<error>` and their codes are Kuzzle's plugin domain
 * (0x04) with the plugin's own subdomain: `0x04 << 24 | subdomain << 16 | code`, as Kuzzle numbers the errors of
 * a plugin's manifest. The kernel's catalog never lists them.
 */
import { TesseraError } from './tessera-error';

/** The subdomains a plugin may claim: below 0x90 are the kernel's own `plugin.*` errors (Kuzzle's and ours). */
export const PLUGIN_ERROR_SUBDOMAINS = { min: 0x90, max: 0xff } as const;

export interface PluginErrorSpec {
  /** 1 to 0xffff, unique within the plugin. */
  readonly code: number;
  /** The HTTP status the error answers with (400 to 599). */
  readonly status: number;
  /** Message template; each `%s` takes the next placeholder value. */
  readonly message: string;
  readonly description?: string;
}

export interface PluginErrors<Name extends string = string> {
  readonly plugin: string;
  readonly subdomain: number;
  readonly specs: Readonly<Record<Name, PluginErrorSpec>>;
  /** The error `plugin.<plugin>.<name>` with its placeholders filled by `props`, in order. */
  create(name: Name, ...props: unknown[]): TesseraError;
  /** Same as `create`, with the original error kept as `cause` and extra JSON fields (`details`). */
  wrap(
    name: Name,
    props: readonly unknown[],
    options: { cause?: unknown; details?: Record<string, unknown> },
  ): TesseraError;
}

/** Declares the errors of the plugin named `plugin` (its manifest name), under `subdomain`. */
export function definePluginErrors<const Specs extends Record<string, PluginErrorSpec>>(
  plugin: string,
  subdomain: number,
  specs: Specs,
): PluginErrors<keyof Specs & string> {
  type Name = keyof Specs & string;
  const resolve = (name: Name) => {
    const spec = specs[name] as PluginErrorSpec;
    return {
      id: `plugin.${plugin}.${name}`,
      code: ((0x04 << 24) | (subdomain << 16) | spec.code) >>> 0,
      status: spec.status,
      message: spec.message,
    };
  };
  return Object.freeze({
    plugin,
    subdomain,
    specs: Object.freeze({ ...specs }),
    create: (name: Name, ...props: unknown[]) => new TesseraError(resolve(name), props),
    wrap: (
      name: Name,
      props: readonly unknown[],
      options: { cause?: unknown; details?: Record<string, unknown> },
    ) => new TesseraError(resolve(name), props, options),
  });
}
