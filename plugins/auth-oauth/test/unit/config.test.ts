/**
 * Settings checked at boot: the front-end redirect allow-list (only absolute http(s) URLs, with no fragment and
 * no user info, can ever be redirected to) and the lifetime of link URLs.
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

describe('strategies.<name>.linkTtlMs', () => {
  const withLinkTtl = (linkTtlMs: unknown) => ({
    strategies: { sso: { ...withRedirects([]).strategies.sso, linkTtlMs } },
  });

  it('defaults to two minutes, and keeps a positive number of milliseconds', () => {
    const log = createRecordingLogger();
    expect(readSettings(withLinkTtl(undefined), log).strategies[0]?.linkTtlMs).toBe(120_000);
    expect(readSettings(withLinkTtl(30_000), log).strategies[0]?.linkTtlMs).toBe(30_000);
  });

  it.each([0, -1, '120000'])('refuses %p', (linkTtlMs) => {
    expect(() => readSettings(withLinkTtl(linkTtlMs), createRecordingLogger())).toThrow(
      /strategies\.sso\.linkTtlMs must be a positive number/,
    );
  });
});
