// Property tests explore new inputs on every local run; in CI they replay one fixed seed so a
// rare counterexample cannot decide whether a submission lands. A failure prints its seed and
// path either way, to replay it locally.
import * as fc from 'fast-check';

if (process.env['CI']) fc.configureGlobal({ seed: 20261126 });
