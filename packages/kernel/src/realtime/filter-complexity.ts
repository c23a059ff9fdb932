/**
 * Filter complexity: how much work Koncorde's normalisation of a subscription filter will do, measured on the
 * filter as sent, in one pass linear in its size, before Koncorde runs.
 *
 * Koncorde turns a filter into a disjunctive normal form (an `or` of `and`-terms): it rewrites `not`, `bool`,
 * `in` and `ids` into `and`/`or` of single conditions, enumerates a truth table with one input per condition group
 * (2^groups rows), minimises it, then expands the `or`s left inside each term. So three figures bound the cost:
 * - conditions: Kuzzle's count, bounded by `limits.subscriptionConditionsCount` (each value of an `in` or `ids`
 *   counts one); a `select` counts one plus the conditions of its query, which Koncorde normalises too (Kuzzle
 *   bounds that query on its own);
 * - groups: the truth table's inputs: each `and`/`or` that holds single conditions counts one, once nested
 *   groups of the same operator are merged and `not`s are pushed down to the conditions (never fewer than
 *   Koncorde's own count; one more where Koncorde drops a group of one condition it kept at first);
 * - size: the conditions summed over the normal form's terms (what Koncorde's expansion builds and its index
 *   stores): exactly Koncorde's, or more where Koncorde drops a term it finds impossible (two values of one
 *   field asked together).
 * The walk keeps its own stack, so no nesting depth can overflow the call stack.
 */
import type { JsonObject } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from '@tessera/store';

export interface FilterComplexity {
  readonly conditions: number;
  readonly groups: number;
  readonly size: number;
}

export interface FilterBounds {
  /** `limits.subscriptionConditionsCount`; 0: no limit, as in Kuzzle. */
  readonly maxConditions: number;
}

/** Past 8 groups, each one more doubles the truth table (256 rows take a few milliseconds). */
export const MAX_FILTER_GROUPS = 8;
/** Koncorde indexes every condition of every term; 256 take a few milliseconds. */
export const MAX_FILTER_SIZE = 256;

/** Throws `core.realtime.too_many_terms` when the filter is past one of the bounds. */
export function assertFilterBounds(filters: JsonObject, { maxConditions }: FilterBounds): void {
  const { conditions, groups, size } = measureFilter(filters);
  if (maxConditions > 0 && conditions > maxConditions) {
    throw tesseraError('core.realtime.too_many_terms', 'conditions', maxConditions, conditions);
  }
  if (groups > MAX_FILTER_GROUPS) {
    throw tesseraError('core.realtime.too_many_terms', 'condition groups', MAX_FILTER_GROUPS, groups);
  }
  if (size > MAX_FILTER_SIZE) {
    throw tesseraError(
      'core.realtime.too_many_terms',
      'conditions once expanded into and-terms',
      MAX_FILTER_SIZE,
      size,
    );
  }
}

type Operator = 'and' | 'or';

/** A filter reduced to what its cost depends on. */
interface Shape {
  /** null: one condition. */
  readonly operator: Operator | null;
  readonly conditions: number;
  /** Terms of the normal form. */
  readonly terms: number;
  readonly size: number;
  /** Direct children that are single conditions (after merging nested groups of the same operator). */
  readonly singles: number;
  /** Direct children that are groups of the other operator. */
  readonly branches: number;
  /** The groups those branches count. */
  readonly branchGroups: number;
}

const CONDITION: Shape = {
  operator: null,
  conditions: 1,
  terms: 1,
  size: 1,
  singles: 0,
  branches: 0,
  branchGroups: 0,
};

export function measureFilter(filters: JsonObject): FilterComplexity {
  const shape = shapeOf(filters);
  return { conditions: shape.conditions, groups: groupsOf(shape), size: shape.size };
}

/** A shape's truth-table inputs: one for its single conditions (grouped by Koncorde), plus its branches'. */
function groupsOf(shape: Shape): number {
  return shape.operator === null ? 1 : (shape.singles > 0 ? 1 : 0) + shape.branchGroups;
}

type Task =
  | { readonly visit: unknown; readonly negated: boolean }
  | { readonly combine: Operator; readonly count: number };

/** Post-order over the filter with an explicit stack: children's shapes are combined into their parent's. */
function shapeOf(filters: unknown): Shape {
  const shapes: Shape[] = [];
  const tasks: Task[] = [{ visit: filters, negated: false }];
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if ('combine' in task) {
      shapes.push(combine(task.combine, shapes.splice(shapes.length - task.count)));
      continue;
    }
    let { visit: filter, negated } = task;
    while (isPlainObject(filter) && isOnly(filter, 'not')) {
      filter = filter.not;
      negated = !negated;
    }
    const group = booleanGroup(filter);
    if (group === null) {
      shapes.push(singleCondition(filter));
      continue;
    }
    const operator = negated ? flip(group.operator) : group.operator;
    if (group.values !== undefined) {
      shapes.push(conditionsGroup(operator, group.values));
      continue;
    }
    tasks.push({ combine: operator, count: group.children.length });
    for (const child of group.children) tasks.push({ visit: child, negated });
  }
  return shapes[0] ?? CONDITION;
}

/**
 * The `and`/`or` a keyword stands for, with its children (`values`: that many single conditions instead), or
 * null for a single condition. A malformed filter is one condition here: Koncorde refuses it right after.
 */
function booleanGroup(
  filter: unknown,
): { operator: Operator; children: readonly unknown[]; values?: number } | null {
  if (!isPlainObject(filter) || Object.keys(filter).length !== 1) return null;
  const [[keyword, value]] = Object.entries(filter) as [[string, unknown]];
  switch (keyword) {
    case 'and':
    case 'or':
      return Array.isArray(value) && value.length > 0 ? { operator: keyword, children: value } : null;
    case 'in': {
      const list = isPlainObject(value) ? Object.values(value)[0] : undefined;
      return Array.isArray(list) && list.length > 0
        ? { operator: 'or', children: [], values: list.length }
        : null;
    }
    case 'ids': {
      const list = isPlainObject(value) ? value.values : undefined;
      return Array.isArray(list) && list.length > 0
        ? { operator: 'or', children: [], values: list.length }
        : null;
    }
    case 'bool':
      return isPlainObject(value) ? { operator: 'and', children: boolClauses(value) } : null;
    case 'select': {
      // Koncorde normalises the query on its own: counted as if it were and-ed with the condition.
      const query = isPlainObject(value) ? value.query : undefined;
      return isPlainObject(query) ? { operator: 'and', children: [{ select: {} }, query] } : null;
    }
    default:
      return null;
  }
}

/** `bool` as Koncorde rewrites it: `and` of must, `not or` of must_not, `or` of should, `not and` of should_not. */
function boolClauses(bool: Readonly<Record<string, unknown>>): unknown[] {
  const clauses: unknown[] = [];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  if (bool.must !== undefined) clauses.push(...list(bool.must));
  if (bool.must_not !== undefined) clauses.push({ not: { or: list(bool.must_not) } });
  if (bool.should !== undefined) clauses.push({ or: list(bool.should) });
  if (bool.should_not !== undefined) clauses.push({ not: { and: list(bool.should_not) } });
  return clauses.length > 0 ? clauses : [{}];
}

/** The empty filter (everything) holds no condition; any other single one, one. */
function singleCondition(filter: unknown): Shape {
  return isPlainObject(filter) && Object.keys(filter).length === 0
    ? { ...CONDITION, conditions: 0 }
    : CONDITION;
}

/** `count` single conditions under `operator` (an `in`, or `ids`): a group even of one, as Koncorde keeps it. */
function conditionsGroup(operator: Operator, count: number): Shape {
  const terms = operator === 'or' ? count : 1;
  return { operator, conditions: count, terms, size: count, singles: count, branches: 0, branchGroups: 0 };
}

/** The shape of `operator` over `children`, nested groups of the same operator merged, as Koncorde does. */
function combine(operator: Operator, children: readonly Shape[]): Shape {
  let conditions = 0;
  let singles = 0;
  let branches = 0;
  let branchGroups = 0;
  let terms = operator === 'or' ? 0 : 1;
  let size = 0;
  for (const child of children) {
    conditions += child.conditions;
    if (operator === 'or') {
      terms += child.terms;
      size += child.size;
    } else {
      // (T, S) and (t, s): every term of one beside every term of the other.
      size = size * child.terms + child.size * terms;
      terms *= child.terms;
    }
    if (child.operator === null) {
      singles += 1;
    } else if (child.operator === operator) {
      singles += child.singles;
      branches += child.branches;
      branchGroups += child.branchGroups;
    } else {
      branches += 1;
      branchGroups += groupsOf(child);
    }
  }
  // A group of one child is that child (Koncorde drops the group).
  if (children.length === 1) return children[0]!;
  return { operator, conditions, terms, size, singles, branches, branchGroups };
}

function flip(operator: Operator): Operator {
  return operator === 'and' ? 'or' : 'and';
}

function isOnly(object: Readonly<Record<string, unknown>>, key: string): boolean {
  const keys = Object.keys(object);
  return keys.length === 1 && keys[0] === key;
}
