#!/usr/bin/env node
// Thin launcher so `npx posgate` runs the compiled CLI (built by `npm install` via the prepare script).
import '../dist/cli/main.js';
