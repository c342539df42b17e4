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
 * the `.sql` part, at the same speed. Then 50: the TypeScript part of the bench (23 opens and 54
 * edits of a 5,010-line file, each leaving a document text and an analysis behind in the old
 * generation) otherwise piled up 25–30 MB of garbage before the first full collection. Now 25:
 * a full collection that ends while an analysis is under way counts the analysis's working set
 * (10–15 MB) as live, and the next limit grew from that. At 50 the TypeScript server then
 * reached 130–160 MB in about one bench run in six; at 25 its peak was 104–112 MB in 13 runs out
 * of 13, with no spike (the bench's speed within this machine's noise).
 *
 * `--optimize-for-size` makes V8 favour memory over speed where it chooses, among others a
 * heap limit that grows by 2 MB steps instead of 8 MB once the heap is past the growing
 * percentage. With the code cache of the TypeScript compiler (extract/typescript/loadCompiler.ts):
 * the `.ts` part peaks at 114–120 MB instead of 126–141 MB and the `.sql` part at 91–96 MB
 * instead of 100 MB, at the same speed (first diagnostics 15–20 ms for `.ts`, 30–37 ms for
 * `.sql`; edits 3–4 ms).
 *
 * Flags that only take effect at launch are in `server/node-flags.json`, which the extension and
 * the bench start the server with: `--max-semi-space-size=4` (a 4 MB young generation: 105–118
 * MB instead of 130–148 MB) and `--v8-pool-size=1` (one V8 worker thread instead of four: each
 * thread that compiles or collects keeps a malloc arena of its own, 7 MB more in all on the
 * bench, and one is enough to help a server that works on one thread).
 */
import * as v8 from 'v8';
// The flags themselves are in a JSON file, which scripts/bundle.mjs also reads: the code cache it
// writes for the TypeScript compiler is accepted only by a V8 with the same flags.
import runtimeFlags from '../v8-runtime-flags.json';

for (const flag of runtimeFlags) {
  v8.setFlagsFromString(flag);
}
