import { describe, expect, it } from '@jest/globals';
import { startAuthTotp, wireError } from './harness';

describe('the configuration, checked at setup', () => {
  it.each<[Record<string, unknown>, string, string]>([
    [{ issuer: '' }, 'core.config.invalid_value', 'plugins.auth-totp.issuer'],
    [{ issuer: 'A:B' }, 'core.config.invalid_value', 'plugins.auth-totp.issuer'],
    [{ algorithm: 'MD5' }, 'core.config.invalid_value', 'plugins.auth-totp.algorithm'],
    [{ digits: 4 }, 'core.config.invalid_value', 'plugins.auth-totp.digits'],
    [{ period: 30.5 }, 'core.config.invalid_value', 'plugins.auth-totp.period'],
    [{ window: 6 }, 'core.config.invalid_value', 'plugins.auth-totp.window'],
    [{ confirmEnrolment: 'yes' }, 'core.config.invalid_value', 'plugins.auth-totp.confirmEnrolment'],
    [{ secondFactor: ['local'] }, 'core.config.invalid_value', 'plugins.auth-totp.secondFactor'],
    [
      { secondFactor: { strategies: ['totp'] } },
      'core.config.invalid_value',
      'plugins.auth-totp.secondFactor.strategies',
    ],
    [
      { secondFactor: { strategy: 'local' } },
      'core.config.unknown_key',
      'plugins.auth-totp.secondFactor.strategy',
    ],
    [{ codeLength: 6 }, 'core.config.unknown_key', 'plugins.auth-totp.codeLength'],
  ])('refuses %j, naming the key', async (config, id, key) => {
    const error = await wireError(startAuthTotp(config));
    expect(error.id).toBe(id);
    expect(error.message).toContain(`"${key}"`);
  });

  it('makes new enrolments with the configured parameters', async () => {
    const h = await startAuthTotp({ algorithm: 'SHA256', digits: 8, period: 60 });
    const enrolment = await h.enrol('alice');
    expect(enrolment).toMatchObject({ algorithm: 'SHA256', digits: 8, period: 60 });
    expect(enrolment.uri).toContain('algorithm=SHA256');
    expect(enrolment.uri).toContain('digits=8');
    expect(enrolment.uri).toContain('period=60');
    await h.close();
  });
});
