#!/usr/bin/env node
// Committed so npm links the `tessera` command at install time, before `npm run build` produces dist/.
require('../dist/main.js');
