/**
 * Folds `items` pairwise into a balanced tree: `a OR b OR c OR d` as `(a OR b) OR (c OR d)`, nested log2(n)
 * deep rather than n. For adapters compiling and/or lists: engines bound how deep an expression may nest (SQLite
 * refuses 1000 levels), and a chain of a thousand ORs is that deep.
 */
export function foldBalanced<T>(items: readonly T[], pair: (left: T, right: T) => T, empty: T): T {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0] ?? empty;
  const middle = Math.ceil(items.length / 2);
  return pair(
    foldBalanced(items.slice(0, middle), pair, empty),
    foldBalanced(items.slice(middle), pair, empty),
  );
}
