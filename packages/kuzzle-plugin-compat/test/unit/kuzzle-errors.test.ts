import { isTesseraError } from '@tessera/plugin-sdk';
import { errorsManagerFor, kuzzleErrorClasses, manifestErrors } from '../../src/kuzzle-errors';

describe("a Kuzzle plugin's errors", () => {
  it("give Kuzzle's error classes a catalog id and keep the plugin's message and instanceof", () => {
    const error = new kuzzleErrorClasses.PreconditionError('Login "x" is already used.');
    expect(error).toBeInstanceOf(kuzzleErrorClasses.PreconditionError);
    expect(error).toBeInstanceOf(kuzzleErrorClasses.KuzzleError);
    expect(isTesseraError(error)).toBe(true);
    expect(error.toJSON()).toEqual({
      status: 412,
      id: 'plugin.kuzzle.precondition',
      code: 0x04810005,
      message: 'Login "x" is already used.',
      props: ['Login "x" is already used.'],
    });
  });

  it("become the plugin's own errors, and carry a reset token the plugin sets on one", () => {
    const errors = manifestErrors('kuzzle-test', 0xa0, {
      expired_password: { code: 1, message: 'Expired password', class: 'UnauthorizedError' },
    });
    const manager = errorsManagerFor('kuzzle-test', errors);
    const error = manager.get('expired_password') as ReturnType<typeof manager.get> & { resetToken?: string };
    error.resetToken = 'a-reset-token';
    expect(error.toJSON()).toMatchObject({
      status: 401,
      id: 'plugin.kuzzle-test.expired_password',
      code: 0x04a00001,
      resetToken: 'a-reset-token',
    });
    expect(manager.get('not_declared')).toMatchObject({ id: 'plugin.kuzzle.unsupported' });
  });

  it('refuses a manifest error of a class Kuzzle does not have', () => {
    expect(() =>
      manifestErrors('kuzzle-test', 0xa0, { odd: { code: 1, message: 'Odd', class: 'TeapotError' } }),
    ).toThrow(/"class" must name one of Kuzzle's error classes/);
  });
});
