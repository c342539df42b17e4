// Runs every test tier (the README's `npm test`, after build and compile-tests) and ends with
// one line totalling them, `N passed, M failed`, so CI reads one count for the whole run. A tier
// that fails does not stop the others; the exit status is 1 if any failed.
//
// The tiers before the editor one run side by side, QUERY_LENS_TEST_JOBS (default 2, one per core
// of the machines we run on) at a time, and the database tier runs each of its files as a process
// of its own: run one after the other, the tiers left a core idle while a test waited (for
// PostgreSQL, a lock timeout, a server starting) and the database files alone took four minutes.
// Each database file already creates its own databases and throwaway clusters, named after its
// process. The longest jobs start first (their times from the last run, in out/test-durations.json),
// so no long one is left to run alone at the end. Each job's output is kept and printed whole, with
// its tier's, when the tier ends: parallel output never interleaves. The editor tier (code-server
// and Chromium, timing-sensitive on a loaded machine) runs afterwards, alone, its output shown as
// it comes. `node scripts/test-all.mjs unit db` runs only the tiers named; QUERY_LENS_TEST_JOBS=1
// runs one job at a time, as this script did before.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

// mocha's runner, started with the node options of the config (enable-source-maps) the way
// bin/mocha.js starts it: bin/mocha.js would start it as a second node process, and `npx mocha`
// spends up to two more seconds finding mocha, for every one of the twenty-odd processes.
const MOCHA_CONFIG = 'test/.mocharc.json';
const { isNodeFlag, unparseNodeFlags } = createRequire(import.meta.url)('../node_modules/mocha/lib/cli/node-flags.cjs');
const nodeOptions = Object.fromEntries(Object.entries(JSON.parse(fs.readFileSync(MOCHA_CONFIG, 'utf8'))).filter(([name]) => isNodeFlag(name)));
const MOCHA = [process.execPath, ...unparseNodeFlags(nodeOptions), 'node_modules/mocha/lib/cli/cli.js', '--config', MOCHA_CONFIG];

/**
 * `command`: one process for the tier. `filesIn`: one process per compiled test file under that
 * folder, `command` given the file. `alone`: runs after the others, by itself. `estimateS`: its
 * time on this project's 2-core machine, for the order jobs start in before a run has recorded one.
 */
const TIERS = [
  { name: 'unit', command: [...MOCHA, 'out/test/unit/**/*.test.js'], estimateS: 30 },
  { name: 'server', command: [...MOCHA, 'out/test/server/**/*.test.js'], estimateS: 20 },
  { name: 'cli', command: [...MOCHA, 'out/test/cli/**/*.test.js'], estimateS: 25 },
  { name: 'corpus', command: [...MOCHA, 'out/test/corpus/**/*.test.js'], estimateS: 15 },
  // Seeded (QUERY_LENS_FUZZ_SEED replays a run); needs the corpus like the tier before it.
  { name: 'fuzz', command: [...MOCHA, 'out/test/fuzz/**/*.test.js'], estimateS: 25 },
  // Needs PostgreSQL on 127.0.0.1:5432 (or QUERY_LENS_TEST_PG); .ci/run starts it.
  { name: 'db', filesIn: 'out/test/db', command: (file) => [...MOCHA, file], estimateS: 10 },
  { name: 'grammar', command: ['bash', 'test/grammar/run.sh'], estimateS: 5 },
  // The plan viewer's webview app in headless Chromium (playwright-core from scripts/e2e-setup.sh).
  { name: 'webview', command: [...MOCHA, 'out/test/webview/**/*.test.js'], estimateS: 15 },
  // `npm test` has just built dist/ (npm run build): the editor tier packages it as it is.
  { name: 'editor', command: ['bash', 'test/e2e/run.sh'], env: { E2E_SKIP_BUNDLE: '1' }, alone: true },
];

/** Database test files whose time is known before a first run records it (the rest: the tier's estimate). */
const FILE_ESTIMATES_S = { 'advise.test.js': 40, 'cli.test.js': 40, 'embedded.test.js': 40, 'plans.test.js': 30, 'embeddedPlans.test.js': 20, 'applicationIdioms.test.js': 18, 'contention.test.js': 18, 'chaos.test.js': 13 };

const DURATIONS_FILE = 'out/test-durations.json';
const JOBS = Math.max(1, Number(process.env.QUERY_LENS_TEST_JOBS) || 2);

/** mocha prints "N passing" and "M failing"; the grammar and editor tiers print "N passed, M failed". */
function counts(output) {
  const plain = /^(\d+) passed, (\d+) failed$/m.exec(output);
  if (plain) {
    return { passed: Number(plain[1]), failed: Number(plain[2]) };
  }
  const passing = /^\s*(\d+) passing/m.exec(output);
  const failing = /^\s*(\d+) failing/m.exec(output);
  return { passed: passing ? Number(passing[1]) : 0, failed: failing ? Number(failing[1]) : 0 };
}

/** Runs one job; its output is shown as it comes (`live`) or kept for later. */
function run(job, live) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(job.command[0], job.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...job.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      if (live) process.stdout.write(chunk);
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk) => {
      if (live) process.stderr.write(chunk);
      stderr += chunk.toString();
    });
    child.on('error', (error) => (stderr += `${job.command[0]}: ${error.message}\n`));
    child.on('close', (status) => {
      const result = { status: status ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000, ...counts(stdout) };
      // A job that exits non-zero without reporting a failed test (a crash) still counts as failed.
      if (result.status !== 0 && result.failed === 0) result.failed = 1;
      resolve(result);
    });
  });
}

function readDurations() {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8'));
  } catch {
    return {};
  }
}

const only = process.argv.slice(2);
const unknown = only.filter((name) => !TIERS.some((tier) => tier.name === name));
if (unknown.length > 0) {
  console.error(`test-all: no tier ${unknown.join(', ')} (tiers: ${TIERS.map((tier) => tier.name).join(', ')})`);
  process.exit(2);
}
const tiers = TIERS.filter((tier) => only.length === 0 || only.includes(tier.name));
const durations = readDurations();

// The jobs: one per tier, or one per test file of a tier run file by file.
for (const tier of tiers) {
  const files = tier.filesIn
    ? fs.readdirSync(tier.filesIn, { recursive: true }).filter((file) => file.endsWith('.test.js')).sort().map((file) => path.join(tier.filesIn, file))
    : [undefined];
  tier.jobs = files.map((file) => {
    const key = file ? `${tier.name}:${file}` : tier.name;
    return {
      tier,
      file,
      key,
      command: file ? tier.command(file) : tier.command,
      env: tier.env,
      estimateS: durations[key] ?? (file ? FILE_ESTIMATES_S[path.basename(file)] : undefined) ?? tier.estimateS ?? 0,
    };
  });
  tier.results = [];
}

const summary = [];
let passed = 0;
let failed = 0;

/**
 * Prints a tier whose jobs have all ended: each job's output whole, then it joins the summary,
 * with the time its jobs took, added up. Not the time from its first job's start to its last one's
 * end: the other tiers' jobs ran in between, and that span is most of the whole run for the
 * database tier, whose files are spread over it.
 */
function finishTier(tier, printed) {
  const seconds = tier.results.reduce((sum, { result }) => sum + result.seconds, 0);
  if (!printed) {
    console.log(`\n=== ${tier.name} tests ===`);
    for (const { job, result } of tier.results) {
      if (job.file) console.log(`\n--- ${job.file} (${result.seconds.toFixed(1)} s) ---`);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
    }
  }
  const tierPassed = tier.results.reduce((sum, { result }) => sum + result.passed, 0);
  const tierFailed = tier.results.reduce((sum, { result }) => sum + result.failed, 0);
  const exits = tier.results.filter(({ result }) => result.status !== 0).map(({ job, result }) => (job.file ? `${path.basename(job.file)} exit ${result.status}` : `exit ${result.status}`));
  passed += tierPassed;
  failed += tierFailed;
  const jobs = tier.jobs.length > 1 ? `${tier.jobs.length} files, their times added: ` : '';
  summary.push(`${tier.name}: ${tierPassed} passed, ${tierFailed} failed (${jobs}${seconds.toFixed(1)} s)${exits.length > 0 ? ` (${exits.join(', ')})` : ''}`);
}

const began = Date.now();
const together = tiers.filter((tier) => !tier.alone);
const queue = together.flatMap((tier) => tier.jobs).sort((a, b) => b.estimateS - a.estimateS);
// One job in all (a single tier of one process): shown as it runs, as before.
const liveAlone = queue.length === 1;
async function worker() {
  for (let job = queue.shift(); job; job = queue.shift()) {
    if (liveAlone) console.log(`\n=== ${job.tier.name} tests ===`);
    const result = await run(job, liveAlone);
    job.tier.results.push({ job, result });
    if (!liveAlone) {
      console.log(`[${job.file ? `${job.tier.name} ${path.basename(job.file)}` : job.tier.name}: ${result.passed} passed, ${result.failed} failed in ${result.seconds.toFixed(1)} s]`);
    }
    if (job.tier.results.length === job.tier.jobs.length) {
      // In the order the files are named, whichever ended first.
      job.tier.results.sort((a, b) => job.tier.jobs.indexOf(a.job) - job.tier.jobs.indexOf(b.job));
      finishTier(job.tier, liveAlone);
    }
  }
}
await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, worker));

for (const tier of tiers.filter((t) => t.alone)) {
  console.log(`\n=== ${tier.name} tests ===`);
  const [job] = tier.jobs;
  tier.results.push({ job, result: await run(job, true) });
  finishTier(tier, true);
}

// The times recorded, for the order of the next run's jobs.
const recorded = { ...durations };
for (const tier of tiers) {
  for (const { job, result } of tier.results) recorded[job.key] = Math.round(result.seconds * 10) / 10;
}
try {
  fs.mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
  fs.writeFileSync(DURATIONS_FILE, `${JSON.stringify(recorded, null, 1)}\n`);
} catch {
  // only an ordering hint
}

// In the tiers' order, whichever finished first.
summary.sort((a, b) => tiers.findIndex((t) => a.startsWith(`${t.name}:`)) - tiers.findIndex((t) => b.startsWith(`${t.name}:`)));
console.log(`\n${summary.join('\n')}`);
console.log(`(${((Date.now() - began) / 1000).toFixed(1)} s from the first job's start to the last one's end, ${Math.min(JOBS, together.flatMap((t) => t.jobs).length) || 1} at a time before the editor tier)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || tiers.some((tier) => tier.results.some(({ result }) => result.status !== 0)) ? 1 : 0);
