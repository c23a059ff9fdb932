/**
 * server:getConfig shows the configuration without its secrets.
 */
import { defaultConfig } from '@tessera/kernel';
import { maskedConfig } from '../../src/controllers/server/masked-config';

describe('maskedConfig', () => {
  it('redacts strings under secret names and URL passwords, and keeps every other value', () => {
    const masked = maskedConfig({
      security: { jwt: { secret: 'shh', expiresIn: '2h', maxTTL: -1 }, apiKey: { maxTTL: 1000 } },
      storage: { postgres: { url: 'postgres://tessera:p%40ss@db:5432/tessera' }, sqlite: { path: './x.db' } },
      plugins: {
        'auth-oauth': { strategies: { github: { clientId: 'id', clientSecret: 'cs', scopes: ['a'] } } },
        'auth-local': { requirePassword: true },
      },
      cluster: { redis: 'redis://:secret@cache:6379', nodes: ['redis://cache:6380'] },
    });
    expect(masked).toEqual({
      security: { jwt: { secret: '[redacted]', expiresIn: '2h', maxTTL: -1 }, apiKey: { maxTTL: 1000 } },
      storage: {
        postgres: { url: 'postgres://tessera:[redacted]@db:5432/tessera' },
        sqlite: { path: './x.db' },
      },
      plugins: {
        'auth-oauth': {
          strategies: { github: { clientId: 'id', clientSecret: '[redacted]', scopes: ['a'] } },
        },
        'auth-local': { requirePassword: true },
      },
      cluster: { redis: 'redis://:[redacted]@cache:6379', nodes: ['redis://cache:6380'] },
    });
  });

  it('leaves the default configuration (no secret set) as it is, in a copy', () => {
    const config = defaultConfig();
    const masked = maskedConfig(config);
    expect(masked).toEqual(config);
    expect(masked).not.toBe(config);
  });
});
