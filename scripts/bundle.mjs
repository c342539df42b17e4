// Bundles the extension client, the language server and the CLI with esbuild (tsc only checks).
// PostgreSQL's parser is WebAssembly: its .wasm file is copied beside the bundles that load it.
import { build, transform } from 'esbuild';
import { spawnSync } from 'child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { createRequire } from 'module';
import { dirname, join } from 'path';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  define: { QUERY_LENS_VERSION: JSON.stringify(pkg.version) },
};

/**
 * The TypeScript compiler (for finding SQL in TS/JS files) stays out of the server and CLI
 * bundles and is copied beside them: bundled, its 9 MB of source cost every server about 57 MB
 * at start-up, even in workspaces with no TypeScript; beside the bundle it is read only when
 * the first TypeScript or JavaScript document is analysed, by
 * server/src/extract/typescript/loadCompiler.ts, with the code cache written below.
 */
const typescriptBesideBundle = {
  name: 'typescript-beside-bundle',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: join(process.cwd(), 'server/src/extract/typescript/loadCompiler.ts') }));
  },
};

/**
 * jsonc-parser's `main` is a UMD build whose `require('./impl/format')` esbuild cannot follow
 * (the factory hides it); its `module` build is plain ES modules and bundles whole.
 */
const jsoncParserAsModules = {
  name: 'jsonc-parser-as-modules',
  setup(build) {
    build.onResolve({ filter: /^jsonc-parser$/ }, () => ({ path: require.resolve('jsonc-parser/lib/esm/main.js') }));
  },
};

/**
 * The server and the CLI drop their comments and whitespace and escape what is not ASCII: V8
 * keeps a script's whole source in memory while it runs (functions are compiled when first
 * called), and one character outside Latin-1 (a `…` in a comment) makes it keep all of it as
 * UTF-16. The server's source held 5.0 MB that way, and holds 1.7 MB now. Names are kept, so stack
 * traces still read; the source maps lead back to the TypeScript.
 */
const compactForNode = { minifyWhitespace: true, minifySyntax: true, charset: 'ascii', legalComments: 'inline' };

mkdirSync('dist', { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, ...compactForNode, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [typescriptBesideBundle] }),
  build({ ...common, ...compactForNode, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [typescriptBesideBundle, jsoncParserAsModules] }),
  // The embedded PostgreSQL's own process (PGlite); `ws` is Emscripten's WebSocket layer, never reached.
  build({ ...common, entryPoints: ['server/src/db/embedded/embeddedProcess.ts'], outfile: 'dist/embeddedDb.js', external: ['ws'] }),
  // The plan viewer's webview app: browser code, one classic script (the page loads it with a nonce).
  build({ ...common, platform: 'browser', target: 'chrome120', format: 'iife', entryPoints: ['media/planViewer/main.ts'], outfile: 'dist/media/planViewer.js' }),
]);
copyFileSync('media/planViewer/planViewer.css', 'dist/media/planViewer.css');
chmodSync('dist/cli.js', 0o755);
const wasm = join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm');
copyFileSync(wasm, 'dist/libpg-query.wasm');
// Minified, the compiler's source is 3.6 MB instead of 9.1 MB, and V8 keeps a module's whole source
// in memory for as long as it runs (functions are compiled when first called): the server working
// on a TypeScript document holds 115 MB instead of 121 MB. Minifying keeps the semantics (and the
// licence header, a /*! comment).
const typescriptSource = readFileSync(require.resolve('typescript'), 'utf8');
const minifiedTypescript = await transform(typescriptSource, {
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
});
writeFileSync('dist/typescript.js', minifiedTypescript.code);
// V8's code cache for it, which loadCompiler.ts hands to V8: compiling the compiler from source
// leaves about 8 MB more of freed C heap in the server for good. V8 accepts a cache only from the
// same V8 with the same flags, so it is written by a Node started as the server is: the launch
// flags (server/node-flags.json) and those server/src/v8Flags.ts sets (server/v8-runtime-flags.json). A cache V8 rejects costs
// nothing: the source is compiled as before.
const serverFlags = [
  ...JSON.parse(readFileSync('server/node-flags.json', 'utf8')),
  ...JSON.parse(readFileSync('server/v8-runtime-flags.json', 'utf8')),
];
const writeCache = `
  const { readFileSync, writeFileSync } = require('fs');
  const { wrap, createRequire } = require('module');
  const { resolve, dirname } = require('path');
  const { Script } = require('vm');
  const file = resolve('dist/typescript.js');
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file });
  const compilerModule = { exports: {} };
  script.runInThisContext().call(compilerModule.exports, compilerModule.exports, createRequire(file), compilerModule, file, dirname(file));
  writeFileSync(file + '.cache', script.createCachedData());
`;
const cached = spawnSync(process.execPath, [...serverFlags, '-e', writeCache], { stdio: 'inherit' });
if (cached.status !== 0) {
  throw new Error('could not write dist/typescript.js.cache');
}
// PGlite loads its WebAssembly (pglite.wasm, initdb.wasm) and file system image (pglite.data) from
// beside the module that loads it, dist/embeddedDb.js once bundled; its extension bundles
// (CREATE EXTENSION pg_trgm, "uuid-ossp", …) are found by embeddedProcess.ts in pglite-extensions/.
const pgliteDist = dirname(require.resolve('@electric-sql/pglite'));
mkdirSync('dist/pglite-extensions', { recursive: true });
for (const file of ['pglite.wasm', 'initdb.wasm', 'pglite.data']) {
  copyFileSync(join(pgliteDist, file), join('dist', file));
}
for (const file of readdirSync(pgliteDist).filter((name) => name.endsWith('.tar.gz'))) {
  copyFileSync(join(pgliteDist, file), join('dist/pglite-extensions', file));
}
