/**
 * The repository's ESLint configuration keeps plugin sources to @tessera/plugin-sdk: the fixtures below are
 * linted, through ESLint's Node API and the real eslint.config.mjs, as if they were a plugin's source (in
 * plugins/<name>/src, or the plugin template's), or a plugin's test. ESLint loads its configuration as an ES
 * module, which jest's CommonJS runtime cannot: it runs in a child node process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';

const REPO = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plugin-imports');

interface Finding {
  ruleId: string | null;
  message: string;
  line: number;
}

const CASES = {
  kernelInPlugin: ['imports-kernel.ts', 'plugins/auth-fixture/src/index.ts'],
  kernelDeepInPlugin: ['imports-kernel.ts', 'plugins/auth-fixture/src/deep/strategy.ts'],
  kernelInTemplate: ['imports-kernel.ts', 'packages/cli/templates/strategy-plugin/src/index.ts.tmpl'],
  sdkOnlyInPlugin: ['imports-sdk-only.ts', 'plugins/auth-fixture/src/index.ts'],
  testingInPluginTest: ['imports-testing.ts', 'plugins/auth-fixture/test/unit/fixture.test.ts'],
} as const;

/**
 * Lints each case's fixture as the file it names (relative to the repository), all in one child process
 * (loading ESLint takes seconds). Type information is turned off: the files are not where they claim to be,
 * so no tsconfig holds them; the import rule needs none.
 */
function lintCases(): Record<keyof typeof CASES, Finding[]> {
  const script = `
    const { ESLint } = require('eslint');
    const tseslint = require('typescript-eslint');
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfig: {
        ...tseslint.configs.disableTypeChecked,
        languageOptions: { parserOptions: { project: false, projectService: false } },
      },
    });
    const lint = async ([name, code, filePath]) => {
      const [result] = await eslint.lintText(code, { filePath });
      return [name, result.messages.map(({ ruleId, message, line }) => ({ ruleId, message, line }))];
    };
    Promise.all(cases.map(lint)).then(
      (results) => process.stdout.write(JSON.stringify(Object.fromEntries(results))),
      (error) => { console.error(error); process.exitCode = 1; },
    );
  `;
  const cases = Object.entries(CASES).map(([name, [fixture, asPath]]) => [
    name,
    readFileSync(path.join(FIXTURES, fixture), 'utf8'),
    path.join(REPO, asPath),
  ]);
  const outcome = spawnSync(process.execPath, ['-e', script, JSON.stringify(cases)], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (outcome.status !== 0) throw new Error(`eslint failed: ${outcome.stderr}`);
  return JSON.parse(outcome.stdout) as Record<keyof typeof CASES, Finding[]>;
}

describe('plugin sources import only @tessera/plugin-sdk of ours', () => {
  let findings: Record<keyof typeof CASES, Finding[]>;
  beforeAll(() => {
    findings = lintCases();
  });

  it.each(['kernelInPlugin', 'kernelDeepInPlugin', 'kernelInTemplate'] as const)(
    'refuses @tessera/kernel in a plugin source (%s)',
    (name) => {
      expect({ name, findings: findings[name] }).toEqual({
        name,
        findings: [
          {
            ruleId: 'no-restricted-imports',
            message: expect.stringContaining('A plugin imports only @tessera/plugin-sdk'),
            line: 3,
          },
        ],
      });
    },
  );

  it('accepts a plugin source that imports node modules and the SDK only', () => {
    expect(findings.sdkOnlyInPlugin).toEqual([]);
  });

  it("lets a plugin's tests import @tessera/testing", () => {
    expect(findings.testingInPluginTest).toEqual([]);
  });
});
