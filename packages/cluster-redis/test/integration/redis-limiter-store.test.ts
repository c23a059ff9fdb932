/** The Redis LimiterStore: two nodes count in one window per key, and a reset on one is seen by the other. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { redisFixture, type RedisFixture } from './redis-fixture';

describe('the Redis LimiterStore', () => {
  let fixture: RedisFixture | null = null;

  afterEach(async () => {
    await fixture?.close();
  });

  it('counts attempts made on two nodes together, and a reset on one frees the key on both', async () => {
    fixture = redisFixture();
    const [a, b] = [await fixture.node(), await fixture.node()];
    const onA = a.limiters.counter('login:username', 60_000);
    const onB = b.limiters.counter('login:username', 60_000);
    expect((await onA.add('ada')).count).toBe(1);
    expect((await onB.add('ada')).count).toBe(2);
    expect((await onA.add('ada')).count).toBe(3);
    expect((await onB.add('bob')).count).toBe(1);
    const window = await onB.peek('ada');
    expect(window?.count).toBe(3);
    expect(window?.resetIn).toBeGreaterThan(0);
    expect(window?.resetIn).toBeLessThanOrEqual(60_000);

    await onA.hold('ada', 1, 900_000);
    expect((await onB.peek('ada'))?.count).toBe(1);
    expect(await onA.reset('ada')).toBe(true);
    expect(await onB.peek('ada')).toBeNull();
  });
});
