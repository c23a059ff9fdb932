/**
 * Tests strings against a Filter's `regexp` pattern with RE2, for adapters whose engine has no regular
 * expressions of its own (SQLite), and for the parser to check that a pattern compiles within RE2's bounds.
 * RE2 runs in time linear in the input whatever the pattern, so no query can make a search backtrack for ever.
 */
import RE2 from 're2';

export type RegexpMatcher = (value: string) => boolean;

/** A matcher of whole strings (the pattern anchored), `.` matching newlines too. Throws when RE2 refuses it. */
export function compileRegexp(pattern: string, caseInsensitive: boolean): RegexpMatcher {
  const compiled = new RE2(`^(?:${pattern})$`, caseInsensitive ? 'isu' : 'su');
  return (value) => compiled.test(value);
}

/**
 * compileRegexp behind a cache of the `size` patterns last compiled, for an engine that calls a matcher once
 * per row: one cache per store instance.
 */
export function cachedRegexpCompiler(size = 256): typeof compileRegexp {
  const cache = new Map<string, RegexpMatcher>();
  return (pattern, caseInsensitive) => {
    const key = `${caseInsensitive ? 'i' : '-'}${pattern}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const matcher = compileRegexp(pattern, caseInsensitive);
    const oldest = cache.keys().next();
    if (cache.size >= size && oldest.done !== true) cache.delete(oldest.value);
    cache.set(key, matcher);
    return matcher;
  };
}
