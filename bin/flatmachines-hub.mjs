#!/usr/bin/env node
// The `flatmachines-hub` command. The CLI is TypeScript (lib/sdk/cli.ts) run through tsx's
// require hook; the package is CommonJS, and tsx's CJS path starts about twice as fast as its
// ESM one. Paths resolve against this file, so it works from any directory.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('../lib/sdk/cli.ts').cli();
