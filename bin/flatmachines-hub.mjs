#!/usr/bin/env node
// The `flatmachines-hub` command. The CLI is TypeScript (lib/sdk/cli.ts) run through tsx's
// loader API, resolved against this file, so it works from any directory.
import { tsImport } from 'tsx/esm/api';

const { cli } = await tsImport('../lib/sdk/cli.ts', import.meta.url);
cli();
