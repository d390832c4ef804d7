#!/usr/bin/env node
// Starts the webhook from its bundled file (built by webhook/build.mjs).
import { run } from '../dist/main.js';

await run();
