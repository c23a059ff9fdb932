/**
 * checkCookieOrigin: which browser pages may use the auth cookie. The server's own origin (by the Host the
 * request was sent to) and the origins named in server.cors.allowOrigin; never `*`, never an opaque origin.
 */
import type { ConnectionInfo } from '@tessera/plugin-sdk';
import { checkCookieOrigin } from '../../src/security/auth-cookie';

const connection = (headers: Record<string, string>): ConnectionInfo => ({
  id: 'c',
  protocol: 'http',
  address: '127.0.0.1',
  ips: ['127.0.0.1'],
  headers,
});

const allowed = (headers: Record<string, string>, allowOrigins: string[] = ['*']) => {
  try {
    checkCookieOrigin(connection(headers), allowOrigins);
    return true;
  } catch (error) {
    expect(error).toMatchObject({ id: 'api.process.unauthorized_origin', props: [headers.origin] });
    return false;
  }
};

describe('checkCookieOrigin', () => {
  it('lets requests without Origin through', () => {
    expect(allowed({ host: 'api.example' })).toBe(true);
  });

  it("accepts the server's own origin, default ports included", () => {
    expect(allowed({ host: 'api.example', origin: 'https://api.example' })).toBe(true);
    expect(allowed({ host: 'api.example:443', origin: 'https://api.example' })).toBe(true);
    expect(allowed({ host: 'localhost:7512', origin: 'http://localhost:7512' })).toBe(true);
    expect(allowed({ host: 'API.example', origin: 'https://api.example' })).toBe(true);
    expect(allowed({ host: '[::1]:7512', origin: 'http://[::1]:7512' })).toBe(true);
  });

  it('refuses a sibling subdomain, another port, and origins that are not one', () => {
    expect(allowed({ host: 'api.example', origin: 'https://evil.api.example' })).toBe(false);
    expect(allowed({ host: 'localhost:7512', origin: 'http://localhost:8080' })).toBe(false);
    expect(allowed({ host: 'api.example', origin: 'null' })).toBe(false);
    expect(allowed({ host: 'api.example', origin: '*' }, ['*'])).toBe(false);
    expect(allowed({ origin: 'https://api.example' })).toBe(false);
    expect(allowed({ host: 'api.example/x@evil', origin: 'https://api.example' })).toBe(false);
  });

  it('accepts the origins allowOrigin names, not what "*" covers', () => {
    expect(allowed({ host: 'api.example', origin: 'https://app.example' }, ['https://app.example'])).toBe(
      true,
    );
    expect(allowed({ host: 'api.example', origin: 'https://app.example' }, ['*'])).toBe(false);
  });

  it('reads X-Forwarded-Host, which only a trusted proxy leaves in the headers', () => {
    expect(
      allowed({ host: 'tessera:7512', 'x-forwarded-host': 'api.example', origin: 'https://api.example' }),
    ).toBe(true);
  });
});
