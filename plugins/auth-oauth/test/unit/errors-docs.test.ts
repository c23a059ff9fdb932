import { join } from 'node:path';
import { expectPluginErrorsDocumented } from '@tessera/testing';
import { createAuthOauthPlugin } from '@tessera/plugin-auth-oauth';

describe('the errors of auth-oauth', () => {
  it('are listed, each with its id, code, status and message, in docs/errors.md', () => {
    const { errors } = createAuthOauthPlugin();
    expect(errors?.plugin).toBe('auth-oauth');
    expectPluginErrorsDocumented(errors!, join(__dirname, '../../../../docs/errors.md'));
  });
});
