import { arg, parseArgs } from '@tessera/kernel';

const schema = {
  name: arg.string({ required: true }),
  reset: arg.boolean(),
  size: arg.integer(),
  ids: arg.stringArray(),
};

describe('action arguments', () => {
  it('converts HTTP query strings: flags, integers and comma lists', () => {
    expect(parseArgs(schema, { name: 'a', reset: '', size: '25', ids: 'x,y' }, 'http')).toEqual({
      name: 'a',
      reset: true,
      size: 25,
      ids: ['x', 'y'],
    });
  });

  it('requires real types outside HTTP', () => {
    expect(() => parseArgs(schema, { name: 'a', reset: 'true' }, 'websocket')).toThrow(
      expect.objectContaining({
        id: 'api.assert.invalid_type',
        message: 'Wrong type for argument "reset" (expected: boolean)',
      }),
    );
    expect(parseArgs(schema, { name: 'a', reset: false, ids: ['x'] }, 'websocket')).toEqual({
      name: 'a',
      reset: false,
      ids: ['x'],
    });
  });

  it('reports a missing required argument and a malformed integer', () => {
    expect(() => parseArgs(schema, {}, 'http')).toThrow(
      expect.objectContaining({ id: 'api.assert.missing_argument' }),
    );
    expect(() => parseArgs(schema, { name: 'a', size: '2.5' }, 'http')).toThrow(
      expect.objectContaining({ id: 'api.assert.invalid_type', props: ['size', 'integer'] }),
    );
  });

  it('ignores arguments the schema does not name, as kuzzle-sdk sends extra ones', () => {
    expect(parseArgs(schema, { name: 'a', verb: 'POST', cookieAuth: false }, 'websocket')).toEqual({
      name: 'a',
    });
  });
});
