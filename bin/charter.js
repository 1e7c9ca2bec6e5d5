#!/usr/bin/env node
// Entry of the `charter` command: the compiled CLI (built by `npm install` via the prepare script).
import '../dist/cli/index.js';
