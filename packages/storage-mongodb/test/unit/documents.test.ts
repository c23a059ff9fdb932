import { derivedOf } from '../../src/internal/documents';

describe('derivedOf', () => {
  it('lists every string of the source, at any depth, once', () => {
    const { t } = derivedOf({ a: 'x', b: ['y', { c: 'z', d: 1 }], e: { f: [['x']] }, g: null });
    expect(t.sort()).toEqual(['x', 'y', 'z']);
  });

  it('lists the object paths holding a value other than null, never a path through an array', () => {
    const { p } = derivedOf({
      a: 1,
      b: null,
      c: { d: { e: false } },
      f: [{ g: 1 }],
      h: [null, []],
      i: {},
      j: { k: null },
      l: [[0]],
    });
    expect(p.sort()).toEqual(['a', 'c', 'c.d', 'c.d.e', 'f', 'l']);
  });
});
