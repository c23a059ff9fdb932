import {
  checkRestrictions,
  computeRights,
  createRightsEvaluator,
  effectiveRateLimit,
  isActionAllowed,
  isRoleActionAllowed,
  type ActionTarget,
  type RightsSource,
} from '../../src/security/accounts';
import type { Policy, PolicyRestriction, ProfileContent, RoleContent } from '../../src/security/model';

function role(controllers: Record<string, Record<string, unknown>>): RoleContent {
  // Built from JSON so a test can store what validation would refuse (a non-boolean right).
  const entries = Object.entries(controllers).map(([name, actions]) => [name, { actions }]);
  return JSON.parse(JSON.stringify({ controllers: Object.fromEntries(entries) })) as RoleContent;
}

function profile(...policies: Policy[]): ProfileContent {
  return { policies };
}

function source(profiles: ProfileContent[], roles: Record<string, RoleContent>): RightsSource {
  return { profiles, roles: new Map(Object.entries(roles)) };
}

const target = (controller: string, action: string, index?: string, collection?: string): ActionTarget => ({
  controller,
  action,
  index,
  collection,
});

describe('rights: a role allows controller:action', () => {
  const cases: [string, Record<string, Record<string, unknown>>, string, string, boolean][] = [
    ['the exact controller and action', { auth: { login: true } }, 'auth', 'login', true],
    ['another action of a listed controller', { auth: { login: true } }, 'auth', 'logout', false],
    ['an unlisted controller without "*"', { auth: { login: true } }, 'server', 'now', false],
    ['"*" action of a listed controller', { auth: { '*': true } }, 'auth', 'anything', true],
    ['the exact action over "*"', { auth: { login: false, '*': true } }, 'auth', 'login', false],
    [
      '"*" action when the exact one is absent',
      { auth: { login: false, '*': true } },
      'auth',
      'logout',
      true,
    ],
    ['the "*" controller', { '*': { '*': true } }, 'server', 'now', true],
    [
      'no fallback from a listed controller to "*"',
      { auth: { logout: true }, '*': { '*': true } },
      'auth',
      'login',
      false,
    ],
    ['"*" for unlisted controllers', { auth: { logout: true }, '*': { '*': true } }, 'server', 'now', true],
    [
      'the listed controller even when "*" denies',
      { auth: { login: true }, '*': { '*': false } },
      'auth',
      'login',
      true,
    ],
    ['only a literal true: "true"', { auth: { login: 'true' } }, 'auth', 'login', false],
    ['only a literal true: 1', { auth: { login: 1 } }, 'auth', 'login', false],
    ['only a literal true: {}', { auth: { login: {} } }, 'auth', 'login', false],
    ['ms as an alias of memoryStorage', { memoryStorage: { get: true } }, 'ms', 'get', true],
    ['memoryStorage as an alias of ms', { ms: { get: true } }, 'memoryStorage', 'get', true],
    ['an inherited name as action', { auth: { login: true } }, 'auth', 'constructor', false],
    ['an inherited name as controller', { auth: { login: true } }, 'constructor', 'login', false],
    ['__proto__ as controller', { auth: { login: true } }, '__proto__', 'login', false],
  ];

  it.each(cases)('%s', (_name, controllers, controller, action, expected) => {
    expect(isRoleActionAllowed(role(controllers), controller, action)).toBe(expected);
  });
});

describe('rights: restrictedTo', () => {
  const restrictedTo: PolicyRestriction[] = [{ index: 'i1' }, { index: 'i2', collections: ['c1', 'c2'] }];

  it.each([
    ['a request without index', undefined, undefined, true],
    ['a listed index without collections, any collection', 'i1', 'anything', true],
    ['a listed index without collections, no collection', 'i1', undefined, true],
    ['an index not listed', 'i3', 'c1', false],
    ['a listed collection', 'i2', 'c2', true],
    ['a collection not listed', 'i2', 'c3', false],
    ['a collection listed under another index', 'i1x', 'c1', false],
    ['no collection on an index restricted to collections', 'i2', undefined, false],
  ])('%s', (_name, index, collection, expected) => {
    expect(checkRestrictions(index, collection, restrictedTo)).toBe(expected);
  });

  it('no restrictions, or an empty list, restrict nothing', () => {
    expect(checkRestrictions('any', 'thing', undefined)).toBe(true);
    expect(checkRestrictions('any', 'thing', [])).toBe(true);
  });

  it('a restricted policy allows its role only on the listed indexes', () => {
    const rights = source([profile({ roleId: 'r', restrictedTo: [{ index: 'i1' }] })], {
      r: role({ document: { '*': true } }),
    });
    expect(isActionAllowed(rights, target('document', 'create', 'i1', 'c'))).toBe(true);
    expect(isActionAllowed(rights, target('document', 'create', 'i2', 'c'))).toBe(false);
    expect(isActionAllowed(rights, target('document', 'create'))).toBe(true);
  });
});

describe('rights: profiles and policies', () => {
  const roles = {
    login: role({ auth: { login: true } }),
    now: role({ server: { now: true } }),
    docs: role({ document: { '*': true } }),
  };

  it('a user without profiles may do nothing', () => {
    expect(isActionAllowed(source([], roles), target('auth', 'login'))).toBe(false);
  });

  it('policies of a profile are OR-ed', () => {
    const rights = source([profile({ roleId: 'login' }, { roleId: 'now' })], roles);
    expect(isActionAllowed(rights, target('auth', 'login'))).toBe(true);
    expect(isActionAllowed(rights, target('server', 'now'))).toBe(true);
    expect(isActionAllowed(rights, target('auth', 'logout'))).toBe(false);
  });

  it('profiles are OR-ed', () => {
    const both = source([profile({ roleId: 'login' }), profile({ roleId: 'now' })], roles);
    const one = source([profile({ roleId: 'login' })], roles);
    expect(isActionAllowed(both, target('server', 'now'))).toBe(true);
    expect(isActionAllowed(one, target('server', 'now'))).toBe(false);
  });

  it('a restriction applies to its own policy only', () => {
    const rights = source(
      [profile({ roleId: 'docs', restrictedTo: [{ index: 'mine' }] }), profile({ roleId: 'login' })],
      roles,
    );
    expect(isActionAllowed(rights, target('document', 'get', 'mine', 'c'))).toBe(true);
    expect(isActionAllowed(rights, target('document', 'get', 'theirs', 'c'))).toBe(false);
    expect(isActionAllowed(rights, target('auth', 'login', 'theirs', 'c'))).toBe(true);
  });

  it('a role that does not exist grants nothing', () => {
    expect(isActionAllowed(source([profile({ roleId: 'ghost' })], roles), target('auth', 'login'))).toBe(
      false,
    );
  });
});

describe('rights: computeRights', () => {
  it('lists every controller:action of the roles on index and collection "*"', () => {
    const rights = computeRights(
      source([profile({ roleId: 'r' })], { r: role({ auth: { login: true, logout: false } }) }),
    );
    expect(rights).toEqual([
      { controller: 'auth', action: 'login', index: '*', collection: '*', value: 'allowed' },
      { controller: 'auth', action: 'logout', index: '*', collection: '*', value: 'denied' },
    ]);
  });

  it('expands restrictions into one item per index and collection', () => {
    const restrictedTo: PolicyRestriction[] = [{ index: 'i1' }, { index: 'i2', collections: ['a', 'b'] }];
    const rights = computeRights(
      source([profile({ roleId: 'r', restrictedTo })], { r: role({ document: { get: true } }) }),
    );
    expect(rights.map(({ index, collection }) => `${index}/${collection}`)).toEqual(['i1/*', 'i2/a', 'i2/b']);
  });

  it('merges across policies and profiles: allowed when any source allows, whatever the order', () => {
    const roles = { deny: role({ auth: { logout: false } }), allow: role({ auth: { logout: true } }) };
    for (const order of [
      ['deny', 'allow'],
      ['allow', 'deny'],
    ]) {
      const profiles = order.map((roleId) => profile({ roleId }));
      expect(computeRights(source(profiles, roles))).toEqual([
        { controller: 'auth', action: 'logout', index: '*', collection: '*', value: 'allowed' },
      ]);
      const policies = computeRights(source([profile(...order.map((roleId) => ({ roleId })))], roles));
      expect(policies).toEqual([expect.objectContaining({ value: 'allowed' })]);
    }
  });

  it('a non-boolean right is denied', () => {
    const rights = computeRights(
      source([profile({ roleId: 'r' })], { r: role({ auth: { login: 'true' } }) }),
    );
    expect(rights).toEqual([expect.objectContaining({ action: 'login', value: 'denied' })]);
  });
});

describe('rights: rate limit and evaluator', () => {
  const limited = (rateLimit?: number): ProfileContent =>
    rateLimit === undefined ? profile({ roleId: 'r' }) : { ...profile({ roleId: 'r' }), rateLimit };

  it.each([
    [[10, 200], 200],
    [[10, 0], 0],
    [[10, undefined], 0],
    [[], 0],
  ])('profiles limited to %j give %d (0: unlimited)', (limits, expected) => {
    expect(effectiveRateLimit(limits.map(limited))).toBe(expected);
  });

  it('the evaluator answers with the same functions', () => {
    const rights = source([{ ...profile({ roleId: 'r' }), rateLimit: 5 }], {
      r: role({ auth: { login: true } }),
    });
    const evaluator = createRightsEvaluator(rights);
    expect(evaluator.isActionAllowed(target('auth', 'login'))).toBe(true);
    expect(evaluator.isActionAllowed(target('auth', 'logout'))).toBe(false);
    expect(evaluator.rights()).toEqual(computeRights(rights));
    expect(evaluator.rateLimit).toBe(5);
  });
});
