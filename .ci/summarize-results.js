// Prints "N passed, N failed" from the JSON result files jest wrote (one per project run).
// A step that failed before jest ran (lint, typecheck, build) counts as one failure.
const fs = require('node:fs');
const path = require('node:path');

const [dir, status] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
for (const file of files) {
  const results = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
}
if (Number(status) !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
