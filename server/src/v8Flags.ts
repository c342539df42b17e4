/**
 * V8 flags for the server process, set before PostgreSQL's parser (WebAssembly) is compiled, so
 * this module is the server's first import.
 *
 * `--liftoff-only` keeps the parser on V8's baseline WebAssembly compiler. Measured with
 * `npm run bench` on the 5,000-line file: peak memory 90 MB instead of 114–123 MB, and the first
 * document after start-up diagnosed in 80–110 ms instead of 160–200 ms (no tier-up to wait for),
 * with steady-state times within the machine's noise (28–44 ms either way).
 */
import * as v8 from 'v8';

v8.setFlagsFromString('--liftoff-only');
