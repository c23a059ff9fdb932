/**
 * generateKuid: the id of a user created without one, in Kuzzle's two formats (since 2.10): `human`, the
 * default, reads well in logs and back offices (`kuid-brave-otter-4821`); `uuid` is `kuid-<uuid v4>`.
 * Neither is a secret: a kuid names a user, it grants nothing.
 */
import { randomInt, randomUUID } from 'node:crypto';

export type KuidFormat = 'human' | 'uuid';

// Word lists as strings: short to read, and Prettier leaves them alone.
const ADJECTIVES = words(`
  agile amber bold brave bright calm clever cosmic crisp curious daring eager early fair fancy fierce
  gentle glad golden grand happy honest humble jolly keen kind lively lucky merry mighty modest noble
  patient polite proud quick quiet rapid silver steady sunny swift tidy vivid warm wise witty zesty
`);

const NAMES = words(`
  badger beaver bison cheetah condor coyote crane dolphin eagle falcon ferret fox gazelle gecko heron
  ibex jaguar koala lemur lynx marmot marten meerkat moose narwhal ocelot orca osprey otter owl panda
  panther pelican puffin quokka raven robin salmon seal sparrow stork swan tapir tiger toucan walrus yak
`);

/** `kuid-<adjective>-<name>-<0..99999>` or `kuid-<uuid v4>`. Collisions are rare, not impossible: callers retry. */
export function generateKuid(format: KuidFormat = 'human'): string {
  if (format === 'uuid') return `kuid-${randomUUID()}`;
  return `kuid-${pick(ADJECTIVES)}-${pick(NAMES)}-${randomInt(100_000)}`;
}

function words(list: string): readonly string[] {
  return list.trim().split(/\s+/);
}

function pick(list: readonly string[]): string {
  // randomInt(n) is in [0, n): always an index of the list.
  return list[randomInt(list.length)]!;
}
