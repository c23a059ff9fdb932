/** The boot says which plugins run, with their versions and the strategies each registered. */
import { builtInPlugins } from '@tessera/server';
import { createRecordingLogger, startTestKernel, type LogLine } from '@tessera/testing';

it('logs one line listing each plugin with its version and strategies, before the ready line', async () => {
  const lines: LogLine[] = [];
  const server = await startTestKernel({ plugins: builtInPlugins(), log: createRecordingLogger(lines) });
  await server.stop();
  const messages = lines.map((line) => line.message);
  const pluginsLine = messages.indexOf('plugins loaded: auth-local@0.1.0 (strategies: local)');
  expect(pluginsLine).toBeGreaterThanOrEqual(0);
  expect(pluginsLine).toBeLessThan(messages.indexOf('tessera is ready'));
  expect(lines[pluginsLine]).toMatchObject({
    level: 'info',
    fields: { plugins: [{ name: 'auth-local', version: '0.1.0', strategies: ['local'] }] },
  });
});
