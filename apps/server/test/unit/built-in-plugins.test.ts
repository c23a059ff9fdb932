import { describe, expect, it } from '@jest/globals';
import { builtInPlugins } from '../../src/built-in-plugins';

describe('plugins.builtIn', () => {
  it('loads auth-local by default, from its installed folder', () => {
    const sources = builtInPlugins();
    expect(sources).toHaveLength(1);
    expect(sources[0]).toEqual({ dir: expect.stringMatching(/auth-local$/) as unknown });
  });

  it('loads none when the list is empty, so a plugin of plugins.paths can take the local strategy', () => {
    expect(builtInPlugins([])).toEqual([]);
  });

  it('refuses a name it does not ship, naming the key', () => {
    expect(() => builtInPlugins(['auth-ldap'])).toThrow(
      expect.objectContaining({
        id: 'core.config.invalid_value',
        props: ['plugins.builtIn', expect.stringContaining('"auth-ldap"')],
      }),
    );
  });
});
