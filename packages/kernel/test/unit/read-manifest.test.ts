import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isTesseraError, type TesseraError } from '@tessera/plugin-sdk';
import { readManifest } from '@tessera/kernel';

const KERNEL_VERSION = '0.1.0';
const FIXTURES = path.join(__dirname, '../fixtures/plugins');
const fixture = (name: string): string => path.join(FIXTURES, name);

async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isTesseraError(error)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return error;
}

describe('readManifest', () => {
  it('returns the manifest fields with the absolute folder and entry module, ignoring extra fields', async () => {
    const manifest = await readManifest(fixture('good-plugin'), KERNEL_VERSION);

    expect(manifest).toEqual({
      name: 'good-plugin',
      version: '1.0.0',
      kernel: '>=0.1.0 <1',
      main: 'index.js',
      dir: fixture('good-plugin'),
      mainPath: path.join(fixture('good-plugin'), 'index.js'),
    });
  });

  it('accepts a prerelease kernel version inside the range', async () => {
    await expect(readManifest(fixture('good-plugin'), '0.2.0-beta.1')).resolves.toMatchObject({
      name: 'good-plugin',
    });
  });

  it('refuses a kernel version outside the range with plugin.manifest.version_mismatch', async () => {
    const error = await failure(readManifest(fixture('good-plugin'), '1.0.0'));

    expect(error.id).toBe('plugin.manifest.version_mismatch');
    expect(error.message).toContain('[good-plugin/manifest.json]');
    expect(error.message).toContain('1.0.0');
    expect(error.message).toContain('>=0.1.0 <1');
  });

  // [fixture, field, what the message says was expected or found]
  it.each([
    ['bad-manifest-missing-name', 'name', 'the field is missing'],
    ['bad-manifest-bad-name', 'name', 'expected a string matching /^[a-z][a-z0-9-]*$/; got "Bad_Name"'],
    ['bad-manifest-bad-version', 'version', 'expected a semver version such as "1.0.0"; got "one"'],
    ['bad-manifest-kernel-invalid', 'kernel', 'expected a semver range of Tessera versions'],
    ['bad-manifest-main-outside', 'main', 'but it resolves outside'],
    ['bad-manifest-main-missing', 'main', 'but "lib/nowhere.js" does not exist'],
  ])(
    'refuses %s with plugin.manifest.invalid_field naming the plugin and the field "%s"',
    async (name, field, text) => {
      const error = await failure(readManifest(fixture(name), KERNEL_VERSION));

      expect(error.id).toBe('plugin.manifest.invalid_field');
      // The plugin is named by its name once valid, by its folder before.
      expect(error.message).toContain(`${name}/manifest.json]`);
      expect(error.message).toContain(`Invalid field "${field}"`);
      expect(error.message).toContain(text);
    },
  );

  it('names the plugin by its folder while its name is invalid', async () => {
    const error = await failure(readManifest(fixture('bad-manifest-bad-name'), KERNEL_VERSION));

    expect(error.props[0]).toBe(fixture('bad-manifest-bad-name'));
  });

  it('refuses a range the kernel version does not satisfy with plugin.manifest.version_mismatch', async () => {
    const error = await failure(readManifest(fixture('bad-manifest-kernel-range'), KERNEL_VERSION));

    expect(error.id).toBe('plugin.manifest.version_mismatch');
    expect(error.message).toContain('[bad-manifest-kernel-range/manifest.json]');
    expect(error.message).toContain('>=2.0.0');
  });

  it('refuses a manifest that is not JSON with plugin.manifest.cannot_load, keeping the parse error as cause', async () => {
    const error = await failure(readManifest(fixture('bad-manifest-not-json'), KERNEL_VERSION));

    expect(error.id).toBe('plugin.manifest.cannot_load');
    expect(error.message).toContain(`[${fixture('bad-manifest-not-json')}]`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a folder without manifest.json with plugin.manifest.cannot_load', async () => {
    const error = await failure(readManifest(fixture('no-such-plugin'), KERNEL_VERSION));

    expect(error.id).toBe('plugin.manifest.cannot_load');
    expect(error.message).toContain('no-such-plugin');
  });

  describe('with a manifest written by the test', () => {
    let workdir: string;
    const pluginDir = (): string => path.join(workdir, 'plugin');
    const writeManifest = (fields: unknown): Promise<void> =>
      writeFile(path.join(pluginDir(), 'manifest.json'), JSON.stringify(fields));
    const manifest = (main: string): Record<string, string> => ({
      name: 'written',
      version: '1.0.0',
      kernel: '>=0.1.0 <1',
      main,
    });

    beforeEach(async () => {
      workdir = await mkdtemp(path.join(tmpdir(), 'tessera-manifest-'));
      await mkdir(pluginDir());
      await writeFile(path.join(workdir, 'outside.js'), 'module.exports = {};');
    });

    afterEach(async () => {
      await rm(workdir, { recursive: true, force: true });
    });

    it('refuses a main that leaves the folder through a symbolic link', async () => {
      await symlink(path.join(workdir, 'outside.js'), path.join(pluginDir(), 'index.js'));
      await writeManifest(manifest('index.js'));

      const error = await failure(readManifest(pluginDir(), KERNEL_VERSION));

      expect(error.id).toBe('plugin.manifest.invalid_field');
      expect(error.message).toContain('[written/manifest.json] Invalid field "main"');
      expect(error.message).toContain('resolves outside');
    });

    it('refuses an absolute main', async () => {
      await writeFile(path.join(pluginDir(), 'index.js'), 'module.exports = {};');
      await writeManifest(manifest(path.join(pluginDir(), 'index.js')));

      const error = await failure(readManifest(pluginDir(), KERNEL_VERSION));

      expect(error.message).toContain(
        '[written/manifest.json] Invalid field "main": expected a relative path',
      );
    });

    it('refuses a main that is a folder', async () => {
      await mkdir(path.join(pluginDir(), 'lib'));
      await writeManifest(manifest('lib'));

      const error = await failure(readManifest(pluginDir(), KERNEL_VERSION));

      expect(error.message).toContain('Invalid field "main"');
      expect(error.message).toContain('is not a file');
    });

    it('refuses a manifest without main, saying the field is missing', async () => {
      const { main: _main, ...withoutMain } = manifest('index.js');
      await writeManifest(withoutMain);

      const error = await failure(readManifest(pluginDir(), KERNEL_VERSION));

      expect(error.message).toContain('[written/manifest.json] Invalid field "main"');
      expect(error.message).toContain('the field is missing');
    });

    it('refuses JSON that is not an object with plugin.manifest.cannot_load', async () => {
      await writeManifest(['written']);

      const error = await failure(readManifest(pluginDir(), KERNEL_VERSION));

      expect(error.id).toBe('plugin.manifest.cannot_load');
      expect(error.message).toContain('expected a JSON object');
    });
  });
});
