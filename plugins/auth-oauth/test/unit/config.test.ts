/**
 * The front-end redirect allow-list is checked at boot: only absolute http(s) URLs, with no fragment and no
 * user info, can ever be redirected to.
 */
import { describe, expect, it } from '@jest/globals';
import { createRecordingLogger } from '@tessera/testing';
import { readSettings } from '../../src/config';

const withRedirects = (redirectURLs: unknown) => ({
  strategies: {
    sso: {
      passportStrategy: 'oidc',
      issuer: 'https://sso.example.com',
      credentials: {
        clientID: 'id',
        clientSecret: 'secret',
        callbackURL: 'https://auth.example.com/_login/sso',
      },
      redirectURLs,
    },
  },
});

describe('strategies.<name>.redirectURLs', () => {
  it('defaults to none, and keeps absolute http(s) URLs as written', () => {
    const log = createRecordingLogger();
    expect(readSettings(withRedirects(undefined), log).strategies[0]?.redirectURLs).toEqual([]);
    const urls = ['https://app.example.com/welcome', 'http://localhost:5173/'];
    expect(readSettings(withRedirects(urls), log).strategies[0]?.redirectURLs).toEqual(urls);
  });

  it.each([
    ['a relative path', '/welcome'],
    ['a scheme-relative URL', '//evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a fragment', 'https://app.example.com/#/welcome'],
    ['user info', 'https://app.example.com@evil.example/'],
  ])('refuses %s', (_what, url) => {
    expect(() => readSettings(withRedirects([url]), createRecordingLogger())).toThrow(
      expect.objectContaining({ id: 'plugin.assert.invalid_definition' }),
    );
  });

  it('refuses a value that is not a list of strings', () => {
    expect(() => readSettings(withRedirects('https://app.example.com/'), createRecordingLogger())).toThrow(
      /redirectURLs must be a list of strings/,
    );
  });
});
