/**
 * The registry of plugins' own errors. Each plugin that declares errors holds one subdomain of the plugin domain
 * (0x04) for as long as it runs, so two plugins' codes never collide and none collides with the kernel's
 * `plugin.*` errors. A declaration that breaks a rule stops the boot with a message naming the plugin and the rule.
 */
import {
  PLUGIN_ERROR_SUBDOMAINS,
  tesseraError,
  type PluginErrors,
  type TesseraError,
} from '@tessera/plugin-sdk';

const ERROR_NAME = /^[a-z][a-z0-9_]*$/;

export interface RegisteredPluginErrors {
  readonly plugin: string;
  readonly subdomain: number;
  readonly errors: readonly { id: string; code: number; status: number; message: string }[];
}

export interface PluginErrorRegistry {
  /** Checks and registers `errors` for `plugin`; throws `plugin.assert.invalid_definition` when a rule is broken. */
  register(plugin: string, errors: unknown): void;
  release(plugin: string): void;
  list(): RegisteredPluginErrors[];
}

export function createPluginErrorRegistry(): PluginErrorRegistry {
  const bySubdomain = new Map<number, RegisteredPluginErrors>();
  return {
    register(plugin, errors) {
      if (errors === undefined) return;
      const checked = check(plugin, errors);
      const holder = bySubdomain.get(checked.subdomain);
      if (holder) {
        throw invalid(
          plugin,
          `error subdomain ${hex(checked.subdomain)} is already held by "${holder.plugin}"`,
        );
      }
      bySubdomain.set(checked.subdomain, checked);
    },
    release(plugin) {
      for (const [subdomain, held] of bySubdomain) if (held.plugin === plugin) bySubdomain.delete(subdomain);
    },
    list() {
      return [...bySubdomain.values()];
    },
  };
}

function check(plugin: string, raw: unknown): RegisteredPluginErrors {
  const {
    plugin: owner,
    subdomain,
    specs,
  } = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<PluginErrors>;
  if (owner !== plugin) {
    throw invalid(
      plugin,
      `"errors" must come from definePluginErrors("${plugin}", ...); got ${String(owner)}`,
    );
  }
  const { min, max } = PLUGIN_ERROR_SUBDOMAINS;
  if (typeof subdomain !== 'number' || !Number.isInteger(subdomain) || subdomain < min || subdomain > max) {
    throw invalid(plugin, `error subdomain must be an integer from ${hex(min)} to ${hex(max)}`);
  }
  const codes = new Set<number>();
  const errors: { id: string; code: number; status: number; message: string }[] = [];
  for (const [name, spec] of Object.entries(specs ?? {})) {
    if (!ERROR_NAME.test(name))
      throw invalid(plugin, `error name "${name}" must match ${String(ERROR_NAME)}`);
    const { code, status, message } = spec;
    if (!Number.isInteger(code) || code < 1 || code > 0xffff || codes.has(code)) {
      throw invalid(plugin, `error "${name}" needs a code from 1 to 0xffff that no other of its errors has`);
    }
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw invalid(plugin, `error "${name}" needs an HTTP status from 400 to 599`);
    }
    if (typeof message !== 'string' || message === '')
      throw invalid(plugin, `error "${name}" needs a message`);
    codes.add(code);
    errors.push({
      id: `plugin.${plugin}.${name}`,
      code: ((0x04 << 24) | (subdomain << 16) | code) >>> 0,
      status,
      message,
    });
  }
  return { plugin, subdomain, errors };
}

function invalid(plugin: string, reason: string): TesseraError {
  return tesseraError('plugin.assert.invalid_definition', plugin, reason);
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
