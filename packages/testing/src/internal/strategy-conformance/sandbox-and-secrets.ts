/**
 * Conformance, once the other checks have run on the shared kernel: everything the plugin stored went to its
 * own namespace, no secret was stored where it must not be, and no answer or log line the suite saw holds one.
 */
import { describe, expect, it } from '@jest/globals';
import type { StrategyConformanceOptions } from '../../strategy-conformance';
import type { ConformanceKernel } from './conformance-kernel';

/** The suite's users are numbered from 1 up to this. */
const USERS = 20;

export function describeSandboxAndSecrets(
  options: StrategyConformanceOptions,
  use: () => ConformanceKernel,
): void {
  const allSecrets = (): string[] => {
    const secrets = new Set<string>();
    for (let n = 1; n <= USERS; n += 1) for (const secret of options.secrets(n)) secrets.add(secret);
    return [...secrets].filter((secret) => secret !== '');
  };

  describe('storage and secrets', () => {
    it('writes only to the kernel namespace and its own, plugin:<name>', () => {
      const { writes, pluginName, otherPluginNames } = use();
      const own = `plugin:${pluginName}`;
      // Another plugin reaches only its own namespace: what is written there, it wrote.
      const allowed = new Set(['kernel', own, ...otherPluginNames.map((name) => `plugin:${name}`)]);
      const namespaces = [...new Set(writes.map((write) => write.namespace))].sort();
      expect(namespaces.filter((namespace) => !allowed.has(namespace))).toEqual([]);
      // The strategy stored its credentials somewhere: in its own namespace.
      expect(writes.some((write) => write.namespace === own && write.operation !== 'ensureCollection')).toBe(
        true,
      );
    });

    it(`stores no secret in the kernel's namespace${options.secretsAtRest ? '' : ' nor anywhere else'}`, () => {
      const { writes } = use();
      const secrets = allSecrets();
      const leaks = writes
        .filter((write) => write.source !== undefined)
        .filter((write) => write.namespace === 'kernel' || !options.secretsAtRest)
        .flatMap((write) => {
          const json = JSON.stringify(write.source);
          return secrets
            .filter((secret) => json.includes(secret))
            .map((secret) => `${write.namespace}/${write.collection} holds "${secret}"`);
        });
      expect(leaks).toEqual([]);
    });

    it('shows no secret in any answer or log line', () => {
      const { api, logs } = use();
      const secrets = allSecrets();
      expect(secrets.length).toBeGreaterThan(0);
      expect(api.seen.length).toBeGreaterThan(0);
      const leaks = [
        ...api.seen.map((text) => ({ where: 'an answer', text })),
        ...logs.map((line) => ({ where: `a log line (${line.message})`, text: textOf(line) })),
      ].flatMap(({ where, text }) =>
        secrets
          .filter((secret) => text.includes(secret))
          .map((secret) => `${where} holds "${secret}": ${text}`),
      );
      expect(leaks).toEqual([]);
    });
  });
}

/** Everything a log line carries, errors (message, stack, cause, own fields) included. */
function textOf(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  const parts = Object.entries(value).map(([key, inner]) => `${key}=${textOf(inner, seen)}`);
  if (value instanceof Error)
    parts.push(value.message, value.stack ?? '', textOf((value as { cause?: unknown }).cause, seen));
  return parts.join(' ');
}
