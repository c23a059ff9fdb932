/** Bounded waits: what a promise gave within a delay, without leaving a timer behind. */

/** `work`'s value when it settles within `ms`, `fallback` when it does not; rejects when `work` rejects in time. */
export async function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
