/**
 * security:get*Mapping and update*Mapping: Kuzzle's defaults and result shapes, updates merged and kept
 * across a restart, Elasticsearch's rules on what an update may say, and concurrent updates all merged.
 * Requests go through the real Funnel to the real services on a SQLite file.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ConnectionInfo } from '@tessera/plugin-sdk';
import { Funnel } from '../../src/api/funnel';
import type { Request } from '../../src/api/request';
import { securityController } from '../../src/controllers/security-controller';
import { ADMIN, openHarness, type Harness } from './security-services-fixture';

let harness: Harness;
let funnel: Funnel;

const connection: ConnectionInfo = {
  id: 'connection-1',
  protocol: 'websocket',
  address: '127.0.0.1',
  ips: ['127.0.0.1'],
  headers: {},
};

beforeEach(async () => {
  harness = await openHarness();
  harness.registry.register('security', securityController(harness.services));
  funnel = new Funnel({
    registry: harness.registry,
    bus: harness.services.bus,
    log: harness.services.log,
    authorizer: {
      authorize: (request: Request) => {
        request.user = ADMIN;
        return Promise.resolve();
      },
    },
    limits: { concurrentRequests: 100, requestsBufferSize: 1000 },
  });
});

afterEach(async () => {
  await harness.close();
});

function call(action: string, body?: unknown): Promise<Request> {
  return funnel.execute(
    { controller: 'security', action, ...(body === undefined ? {} : { body }) },
    connection,
  );
}

async function succeed(action: string, body?: unknown): Promise<any> {
  const request = await call(action, body);
  expect(request.error).toBeNull();
  return request.result;
}

async function refused(action: string, body: unknown): Promise<unknown> {
  const request = await call(action, body);
  expect(request.result).toBeNull();
  return request.error?.toJSON();
}

describe('the mappings of a fresh store', () => {
  it("are Kuzzle's own: users map profileIds, profiles their policies, roles their controllers", async () => {
    expect(await succeed('getUserMapping')).toEqual({ mapping: { profileIds: { type: 'keyword' } } });
    expect(await succeed('getProfileMapping')).toEqual({
      mapping: {
        tags: { type: 'keyword' },
        policies: {
          properties: {
            roleId: { type: 'keyword' },
            restrictedTo: {
              type: 'nested',
              properties: { index: { type: 'keyword' }, collections: { type: 'keyword' } },
            },
          },
        },
      },
    });
    expect(await succeed('getRoleMapping')).toEqual({
      mapping: { tags: { type: 'keyword' }, controllers: { type: 'object', dynamic: 'false' } },
    });
  });
});

describe('updateUserMapping', () => {
  it('merges the new fields and answers the whole mapping, _kuzzle_info included, as Kuzzle does', async () => {
    const result = await succeed('updateUserMapping', {
      properties: { name: { type: 'text', copy_to: 'label' }, label: { type: 'keyword', store: true } },
    });
    expect(result).toEqual({
      dynamic: 'false',
      properties: {
        profileIds: { type: 'keyword' },
        name: { type: 'text', copy_to: 'label' },
        label: { type: 'keyword', store: true },
        _kuzzle_info: {
          properties: {
            author: { type: 'keyword' },
            createdAt: { type: 'date' },
            updater: { type: 'keyword' },
            updatedAt: { type: 'date' },
          },
        },
      },
    });
    expect((await succeed('getUserMapping')).mapping).toEqual({
      profileIds: { type: 'keyword' },
      name: { type: 'text', copy_to: 'label' },
      label: { type: 'keyword', store: true },
    });
  });

  it('merges objects field by field and keeps dynamic and _meta', async () => {
    await succeed('updateUserMapping', {
      dynamic: true,
      _meta: { owner: 'ops' },
      properties: { address: { properties: { city: { type: 'keyword' } } } },
    });
    const result = await succeed('updateUserMapping', {
      properties: { address: { properties: { zip: { type: 'keyword' } } } },
    });
    expect(result).toMatchObject({
      dynamic: 'true',
      _meta: { owner: 'ops' },
      properties: { address: { properties: { city: { type: 'keyword' }, zip: { type: 'keyword' } } } },
    });
  });

  it('stores what it merged: a restarted server reads it', async () => {
    await succeed('updateProfileMapping', { properties: { foo: { type: 'text' } } });
    const restarted = await harness.reopenAccounts();
    expect((await restarted.mappings.get('profiles')).mapping).toMatchObject({
      foo: { type: 'text' },
      tags: { type: 'keyword' },
    });
    expect((await restarted.mappings.get('users')).mapping).toEqual({ profileIds: { type: 'keyword' } });
  });

  it('merges every one of concurrent updates', async () => {
    const fields = Array.from({ length: 10 }, (_, i) => `field${i}`);
    await Promise.all(
      fields.map((field) => succeed('updateRoleMapping', { properties: { [field]: { type: 'keyword' } } })),
    );
    expect(Object.keys((await succeed('getRoleMapping')).mapping).sort()).toEqual(
      ['controllers', 'tags', ...fields].sort(),
    );
  });

  it.each([
    [
      'an unknown root key',
      { mappings: {} },
      {
        id: 'services.storage.invalid_mapping',
        props: ['mappings', ' Accepted here: properties, dynamic, _meta.'],
      },
    ],
    [
      'an unknown data type',
      { properties: { a: { properties: { b: { type: 'string' } } } } },
      { id: 'services.storage.invalid_mapping_type', props: ['a.b', 'string'], status: 400 },
    ],
    [
      "a change of a field's type",
      { properties: { profileIds: { type: 'text' } } },
      { id: 'services.storage.cannot_change_mapping', props: ['profileIds'] },
    ],
    [
      'a field turned into an object',
      { properties: { profileIds: { properties: { a: { type: 'text' } } } } },
      { id: 'services.storage.cannot_change_mapping', props: ['profileIds'] },
    ],
    [
      'a wrong dynamic value',
      { dynamic: 'sometimes' },
      {
        id: 'services.storage.invalid_mapping',
        props: ['dynamic', ' "dynamic" is one of "true", "false", "strict".'],
      },
    ],
    [
      'a field name that no query could name',
      { properties: { 'a.b': { type: 'text' } } },
      { id: 'services.storage.invalid_mapping', props: ['properties.a.b', expect.any(String)] },
    ],
    [
      'an object field with a leaf type',
      { properties: { a: { type: 'keyword', properties: {} } } },
      { id: 'services.storage.invalid_mapping', props: ['properties.a.type', expect.any(String)] },
    ],
    [
      'a field that is not an object',
      { properties: { a: 'text' } },
      { id: 'services.storage.invalid_mapping', props: ['properties.a', ' An object is expected.'] },
    ],
    [
      'fields nested deeper than Elasticsearch allows',
      { properties: nested(21) },
      {
        id: 'services.storage.invalid_mapping',
        props: [expect.any(String), ' Fields nest at most 20 levels deep.'],
      },
    ],
  ])('refuses %s, and changes nothing', async (_title, body, error) => {
    expect(await refused('updateUserMapping', body)).toMatchObject(error);
    expect(await succeed('getUserMapping')).toEqual({ mapping: { profileIds: { type: 'keyword' } } });
  });

  it('refuses more fields than Elasticsearch allows in one mapping', async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`f${i}`, { type: 'keyword' }]),
    );
    expect(await refused('updateUserMapping', { properties })).toMatchObject({
      id: 'services.storage.invalid_mapping',
      props: ['properties', ' A mapping holds at most 1000 fields.'],
    });
  });

  it('needs a body', async () => {
    expect(await refused('updateUserMapping', undefined)).toMatchObject({ id: 'api.assert.body_required' });
  });
});

/** `{a: {properties: {a: ...}}}`, `levels` fields deep. */
function nested(levels: number): Record<string, unknown> {
  let properties: Record<string, unknown> = { leaf: { type: 'keyword' } };
  for (let level = 1; level < levels; level++) properties = { a: { properties } };
  return properties;
}
