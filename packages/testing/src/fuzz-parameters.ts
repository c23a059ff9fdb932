/**
 * fuzzParameters: the seed and number of runs of the property-based (fast-check) tests. `npm test` runs a
 * modest number from a fixed seed, so a failure is reproduced by running again; a long run sets
 * `TESSERA_FUZZ_RUNS` (and `TESSERA_FUZZ_SEED` for another draw), as docs/security.md describes.
 */
export interface FuzzParameters {
  readonly seed: number;
  readonly numRuns: number;
}

const DEFAULT_SEED = 20_261_202;

export function fuzzParameters(defaultRuns = 200, env: NodeJS.ProcessEnv = process.env): FuzzParameters {
  return {
    seed: whole(env.TESSERA_FUZZ_SEED, 'TESSERA_FUZZ_SEED') ?? DEFAULT_SEED,
    numRuns: whole(env.TESSERA_FUZZ_RUNS, 'TESSERA_FUZZ_RUNS') ?? defaultRuns,
  };
}

function whole(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not "${text}"`);
  return value;
}
