/**
 * The TypeScript compiler as the bundled server and CLI load it: `scripts/bundle.mjs` resolves
 * `typescript` to this module, which runs `typescript.js` from beside the bundle with V8's code
 * cache for it (`typescript.js.cache`, written by the bundle script).
 *
 * Why: compiling the compiler's 3.6 MB of source (one function that V8 compiles eagerly, with
 * every function in it pre-parsed) takes about 18 MB of the C heap that the process keeps once
 * it is freed; from the code cache V8 reads the compiled functions instead of parsing them: 3 MB.
 * Measured on the bench's server after its first TypeScript document: C heap 16 MB instead of
 * 24 MB, RSS 106 MB instead of 114 MB. A cache that does not match (another Node version, other V8 flags, another
 * `typescript.js`) or is missing is rejected by V8, which then compiles the source as Node would.
 */
import { readFileSync } from 'fs';
import Module, { createRequire } from 'module';
import { dirname, join } from 'path';
import { Script } from 'vm';

function loadCompiler(): unknown {
  const file = join(__dirname, 'typescript.js');
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined; // compiled from source
  }
  // Wrapped as Node wraps a CommonJS module: the cache is of exactly this text.
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const compilerModule = { exports: {} as unknown, id: file, filename: file, loaded: false };
  const run = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
  run.call(compilerModule.exports, compilerModule.exports, createRequire(file), compilerModule, file, dirname(file));
  compilerModule.loaded = true;
  return compilerModule.exports;
}

export = loadCompiler();
