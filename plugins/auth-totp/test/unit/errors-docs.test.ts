import { join } from 'node:path';
import { expectPluginErrorsDocumented } from '@tessera/testing';
import { createAuthTotpPlugin } from '@tessera/plugin-auth-totp';

describe('the errors of auth-totp', () => {
  it('are listed, each with its id, code, status and message, in docs/errors.md', () => {
    const { errors } = createAuthTotpPlugin();
    expect(errors?.plugin).toBe('auth-totp');
    expectPluginErrorsDocumented(errors!, join(__dirname, '../../../../docs/errors.md'));
  });
});
