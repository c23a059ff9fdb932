/**
 * The message of anything thrown. Read by shape, not `instanceof Error`: errors from a plugin's own copy of a
 * library, a native addon or another realm are errors all the same.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
