#!/usr/bin/env node
import { run } from './main.js';

// The whole CLI lives in run(); this file only connects it to the process. exitCode rather
// than process.exit() lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
});
