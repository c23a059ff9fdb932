#!/usr/bin/env node
// Committed so npm links the `tessera-server` command at install time, before `npm run build` produces dist/.
require('../dist/main.js');
