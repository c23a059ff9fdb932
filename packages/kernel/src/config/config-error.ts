/**
 * A schema's first issue as the configuration error the boot stops with: `core.config.unknown_key` naming an
 * unknown key, else `core.config.invalid_value` naming the key and saying, in the schema's words, what was wrong.
 * One module for the kernel's configuration and every plugin's.
 */
import {
  tesseraError,
  type ConfigIssue,
  type ConfigIssuePathSegment,
  type TesseraError,
} from '@tessera/plugin-sdk';

/** `root`: the key the schema checked (`plugins.auth-local`), or '' for the whole configuration. */
export function configError(root: string, reported: ConfigIssue | undefined): TesseraError {
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
    if (typeof key === 'number') return `${at}[${key}]`;
    return at === '' ? String(key) : `${at}.${String(key)}`;
  }, root);
}
