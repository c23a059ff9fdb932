/**
 * What a plugin's `configSchema` is: any Standard Schema (version 1), the interface zod, valibot and arktype
 * schemas all carry under their `~standard` property. The SDK names only that interface, so a plugin picks its
 * schema library and the SDK depends on none. The kernel runs the schema on `plugins.<name>` before setup.
 */

/** A key in an issue's path: the key itself, or an object holding it. */
export type ConfigIssuePathSegment = PropertyKey | { readonly key: PropertyKey };

/** One thing wrong with a value, as a schema reports it. */
export interface ConfigIssue {
  readonly message: string;
  /** Where, from the root of the value checked; absent or empty: the value itself. */
  readonly path?: readonly ConfigIssuePathSegment[] | undefined;
}

export type ConfigValidationResult<Output> =
  { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly ConfigIssue[] };

/**
 * A Standard Schema, version 1: what the kernel needs of one. `Output` is the checked value, defaults filled
 * in and values converted; it becomes the type of `ctx.config`.
 */
export interface ConfigSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    /** The library that made the schema ("zod", "valibot"...). */
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => ConfigValidationResult<Output> | Promise<ConfigValidationResult<Output>>;
    /** Present for the type checker only. */
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The type a config schema produces: `ConfigOf<typeof schema>` is what `ctx.config` holds. */
export type ConfigOf<Schema extends ConfigSchema> = NonNullable<Schema['~standard']['types']>['output'];

/**
 * An error message for a schema library's custom-message option (zod's `error`, valibot's `message`), in the
 * kernel's wording: `expected('an integer from 4 to 15')` reports `expected an integer from 4 to 15, got "10"`.
 * Leave it out for a secret: the message shows the value it got.
 */
export function expected(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `expected ${what}, got ${JSON.stringify(issue.input) ?? String(issue.input)}`;
}
