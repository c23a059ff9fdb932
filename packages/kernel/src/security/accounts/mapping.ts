/**
 * Mappings in Elasticsearch's format, as Kuzzle's `security:update*Mapping` take them: what a valid update is,
 * and how it merges into the mapping in place. Elasticsearch's own rules where they say what a client may
 * send (the root keys Kuzzle accepts, the data types, `dynamic`'s values, a field's type never changing, its
 * depth and field-count limits); its type-specific parameters (`analyzer`, `copy_to`, `fields`...) are kept
 * as given, unchecked, since nothing here interprets them.
 */
import { tesseraError, type JsonObject, type JsonValue } from '@tessera/plugin-sdk';
import { FORBIDDEN_KEYS, deepMerge, isPlainObject } from '@tessera/store';

export interface Mapping {
  readonly dynamic: string;
  readonly _meta?: JsonObject;
  readonly properties: JsonObject;
}

/** Elasticsearch 7's field data types. */
const DATA_TYPES: ReadonlySet<string> = new Set([
  'aggregate_metric_double',
  'alias',
  'annotated_text',
  'binary',
  'boolean',
  'byte',
  'completion',
  'constant_keyword',
  'date',
  'date_nanos',
  'date_range',
  'dense_vector',
  'double',
  'double_range',
  'flattened',
  'float',
  'float_range',
  'geo_point',
  'geo_shape',
  'half_float',
  'histogram',
  'integer',
  'integer_range',
  'ip',
  'ip_range',
  'join',
  'keyword',
  'long',
  'long_range',
  'match_only_text',
  'murmur3',
  'nested',
  'object',
  'percolator',
  'point',
  'rank_feature',
  'rank_features',
  'scaled_float',
  'search_as_you_type',
  'shape',
  'short',
  'sparse_vector',
  'text',
  'token_count',
  'unsigned_long',
  'version',
  'wildcard',
]);

/** Elasticsearch's `dynamic` values, as Kuzzle checks them (a boolean is read as its string). */
const DYNAMIC_VALUES = ['true', 'false', 'strict'];

/** Elasticsearch's defaults: `index.mapping.depth.limit` and `index.mapping.total_fields.limit`. */
const MAX_DEPTH = 20;
const MAX_FIELDS = 1000;

const ROOT_KEYS = ['properties', 'dynamic', '_meta'];
/** An object field (one with `properties`) takes these; a leaf field any parameter of its type. */
const OBJECT_FIELD_KEYS = ['properties', 'dynamic', 'type'];

const FIELD_NAME = /^[A-Za-z0-9_$@-]+$/;

/**
 * `current` with `update` merged in (objects merge, anything else replaces, as Kuzzle's answer merges), after
 * checking `update`: its keys, field names and types, and that no field of `current` changes type.
 */
export function mergeMapping(current: Mapping, update: JsonObject): Mapping {
  unexpectedKey(update, ROOT_KEYS, '');
  const dynamic = update.dynamic === undefined ? current.dynamic : readDynamic(update.dynamic, 'dynamic');
  const meta = update._meta === undefined ? current._meta : readObject(update._meta, '_meta');
  let properties = current.properties;
  if (update.properties !== undefined) {
    const added = readProperties(update.properties, 'properties', '', 1);
    assertSameTypes(current.properties, added, '');
    properties = deepMerge(current.properties, added);
    if (countFields(properties) > MAX_FIELDS)
      throw invalid('properties', ` A mapping holds at most ${MAX_FIELDS} fields.`);
  }
  return { dynamic, ...(meta === undefined ? {} : { _meta: meta }), properties };
}

/**
 * A `properties` object, checked, with `dynamic` values as strings. `path` names it as the body does
 * (`properties.a.properties`), `prefix` names its fields as Elasticsearch does (`a.`).
 */
function readProperties(value: JsonValue, path: string, prefix: string, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw invalid(path, ` Fields nest at most ${MAX_DEPTH} levels deep.`);
  const properties = readObject(value, path);
  return Object.fromEntries(
    Object.entries(properties).map(([name, field]) => {
      if (!FIELD_NAME.test(name) || FORBIDDEN_KEYS.has(name)) {
        throw invalid(`${path}.${name}`, ' A field name takes letters, digits and _ $ @ - only.');
      }
      return [name, readField(field, `${path}.${name}`, `${prefix}${name}`, depth)];
    }),
  );
}

function readField(value: JsonValue, path: string, name: string, depth: number): JsonObject {
  const field = { ...readObject(value, path) };
  const { type } = field;
  if (type !== undefined && (typeof type !== 'string' || !DATA_TYPES.has(type))) {
    const named = typeof type === 'string' ? type : JSON.stringify(type);
    throw tesseraError('services.storage.invalid_mapping_type', name, named);
  }
  if (field.dynamic !== undefined) field.dynamic = readDynamic(field.dynamic, `${path}.dynamic`);
  if (field.properties === undefined) return field;
  unexpectedKey(field, OBJECT_FIELD_KEYS, path);
  if (type !== undefined && type !== 'object' && type !== 'nested') {
    throw invalid(`${path}.type`, ' A field with "properties" is of type "object" or "nested".');
  }
  field.properties = readProperties(field.properties, `${path}.properties`, `${name}.`, depth + 1);
  return field;
}

/** Elasticsearch refuses to change a mapped field's type: a new field, or the same type, merges. */
function assertSameTypes(current: JsonObject, added: JsonObject, prefix: string): void {
  for (const [name, field] of Object.entries(added)) {
    const existing = current[name];
    if (!isJsonObject(existing) || !isJsonObject(field)) continue;
    const path = `${prefix}${name}`;
    const typed = field.type !== undefined || field.properties !== undefined;
    if (typed && typeOf(existing) !== typeOf(field)) {
      throw tesseraError('services.storage.cannot_change_mapping', path);
    }
    if (isJsonObject(existing.properties) && isJsonObject(field.properties)) {
      assertSameTypes(existing.properties, field.properties, `${path}.`);
    }
  }
}

/** A field's type: its `type`, or `object` when it has none (Elasticsearch's default). */
function typeOf(field: JsonObject): JsonValue {
  return field.type ?? 'object';
}

function countFields(properties: JsonObject): number {
  let count = 0;
  for (const field of Object.values(properties)) {
    count += 1;
    if (isJsonObject(field) && isJsonObject(field.properties)) count += countFields(field.properties);
  }
  return count;
}

function readDynamic(value: JsonValue, path: string): string {
  const dynamic = typeof value === 'boolean' ? String(value) : value;
  if (typeof dynamic !== 'string' || !DYNAMIC_VALUES.includes(dynamic)) {
    throw invalid(path, ` "dynamic" is one of "${DYNAMIC_VALUES.join('", "')}".`);
  }
  return dynamic;
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return isPlainObject(value);
}

function readObject(value: JsonValue, path: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(path, ' An object is expected.');
  return value;
}

function unexpectedKey(object: JsonObject, accepted: readonly string[], path: string): void {
  const key = Object.keys(object).find((name) => !accepted.includes(name));
  if (key !== undefined) {
    throw invalid(path === '' ? key : `${path}.${key}`, ` Accepted here: ${accepted.join(', ')}.`);
  }
}

function invalid(path: string, reason: string) {
  return tesseraError('services.storage.invalid_mapping', path, reason);
}
