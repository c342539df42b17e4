/**
 * V8 flags for the server process, set before PostgreSQL's parser (WebAssembly) is compiled, so
 * this module is the server's first import.
 *
 * `--liftoff-only` keeps the parser on V8's baseline WebAssembly compiler. Measured with
 * `npm run bench` on the 5,000-line file: peak memory 90 MB instead of 114–123 MB, and the first
 * document after start-up diagnosed in 80–110 ms instead of 160–200 ms (no tier-up to wait for),
 * with steady-state times within the machine's noise (28–44 ms either way).
 *
 * `--heap-growing-percent=100` collects the whole heap once it has doubled since the last full
 * collection; V8 otherwise lets a small heap grow up to fourfold first. What a server piles up
 * between two collections is mostly garbage: every version of a document's text (a string as
 * long as the file; past 128 KB only a full collection frees it) and the previous analysis of
 * each document.
 * Measured with `npm run bench` (and the launch flags below): 101 MB instead of 119 MB after
 * the `.sql` part, at the same speed.
 *
 * Flags that only take effect at launch are in `server/node-flags.json`, which the extension and
 * the bench start the server with: `--max-semi-space-size=4` (a 4 MB young generation: 105–118
 * MB instead of 130–148 MB) and `--v8-pool-size=1` (one V8 worker thread instead of four: each
 * thread that compiles or collects keeps a malloc arena of its own, 7 MB more in all on the
 * bench, and one is enough to help a server that works on one thread).
 */
import * as v8 from 'v8';

v8.setFlagsFromString('--liftoff-only');
v8.setFlagsFromString('--heap-growing-percent=100');
