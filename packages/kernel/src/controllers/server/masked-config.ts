/**
 * The configuration as `server:getConfig` shows it: every value, but no secret. A string under a secret-named
 * key (the names the logs redact: `secret`, `clientSecret`, `password`...) becomes "[redacted]", and so does
 * the password of a URL anywhere (`postgres://user:…@host/db`). Kuzzle drops its whole `security` section
 * instead; Tessera keeps the settings an operator checks (lifetimes, limits) and hides only the secrets.
 */
import { isSecretName } from '../../logging';

const REDACTED = '[redacted]';

export function maskedConfig(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return isSecretName(key) ? REDACTED : withoutUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => maskedConfig(item));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskedConfig(item, name)]));
}

/** `scheme://user:password@host…` with the password redacted; any other text as it is. */
function withoutUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^/@]*@/i, `$1${REDACTED}@`);
}
