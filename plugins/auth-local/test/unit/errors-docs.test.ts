import { join } from 'node:path';
import { expectPluginErrorsDocumented } from '@tessera/testing';
import { createAuthLocalPlugin } from '@tessera/plugin-auth-local';

describe('the errors of auth-local', () => {
  it('are listed, each with its id, code, status and message, in docs/errors.md', () => {
    const { errors } = createAuthLocalPlugin();
    expect(errors?.plugin).toBe('auth-local');
    expectPluginErrorsDocumented(errors!, join(__dirname, '../../../../docs/errors.md'));
  });
});
