#!/usr/bin/env node
/**
 * The `tessera` bin: wires run() to the process.
 */
import { run } from './run';

run(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tessera: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
