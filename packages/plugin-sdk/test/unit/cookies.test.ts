/**
 * parseCookies and serializeCookie: the one cookie reader and writer of the kernel and the plugins.
 */
import { parseCookies, serializeCookie } from '@tessera/plugin-sdk';

describe('parseCookies', () => {
  it('reads a header as cookie.parse does: parts without "=" skipped, the first of a name kept', () => {
    expect({ ...parseCookies('authToken=abc; Path=/; HttpOnly; SameSite=Strict; authToken=later') }).toEqual({
      authToken: 'abc',
      Path: '/',
      SameSite: 'Strict',
    });
  });

  it('keeps a value that does not percent-decode as it was sent, and decodes one that does', () => {
    expect(parseCookies('theme=%E0%A4%A; name=%C3%A9t%C3%A9').theme).toBe('%E0%A4%A');
    expect(parseCookies('name=%C3%A9t%C3%A9').name).toBe('été');
  });

  it('never throws, and gives an object that inherits nothing', () => {
    for (const header of [undefined, '', 'HttpOnly', '=', ';;;', '=value']) {
      const cookies = parseCookies(header);
      expect(cookies.constructor).toBeUndefined();
      expect('toString' in cookies).toBe(false);
    }
    expect(parseCookies('__proto__=x').__proto__).toBe('x');
  });
});

describe('serializeCookie', () => {
  it('writes a Set-Cookie value that parseCookies reads back', () => {
    const header = serializeCookie('authToken', 'kauth-a.b.c', {
      path: '/',
      expires: new Date(0),
      httpOnly: true,
      sameSite: 'strict',
      secure: true,
    });
    expect(header).toBe(
      'authToken=kauth-a.b.c; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
    );
    expect(parseCookies(header).authToken).toBe('kauth-a.b.c');
  });

  it('refuses a name a browser would misread', () => {
    expect(() => serializeCookie('a;b', 'x')).toThrow(TypeError);
  });
});
