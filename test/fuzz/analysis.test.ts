import * as assert from 'assert';
import { performance } from 'perf_hooks';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import { DEFAULT_SETTINGS } from '../../server/src/settings';
import { corpusSample, documentOf, mutate, Random, SEED } from './fuzz';

/** One document taking this long is a hang, not slowness: the bound is far above any normal run. */
const HANG_MS = 2000;
const STATEMENTS = 6000;

/**
 * Mutated statements of PostgreSQL's regression corpus, in SQL files, TypeScript and Python,
 * through the analysis the server runs: nothing throws or hangs, no rule fails on a tree, and
 * every finding lies inside the document. Each kind also goes through one analysis kept from
 * document to document, as the server keeps one per open document, so reuse is exercised too.
 */
describe(`fuzz: the analysis on mutated corpus statements (seed ${SEED})`, function () {
  this.timeout(120_000);
  before(async () => {
    console.log(`    QUERY_LENS_FUZZ_SEED=${SEED}`);
    await initParsers();
  });

  for (const kind of ['sql', 'typescript', 'python'] as const) {
    it(`${kind}: no throw, no hang, findings inside the document`, () => {
      // Each kind has its own stream, so a failure replays without the other kinds' runs.
      const random = new Random(SEED ^ (kind.length * 0x9e3779b9));
      const statements = corpusSample(random, kind === 'sql' ? STATEMENTS : STATEMENTS / 3);
      const kept = new DocumentAnalysis();
      const failures: string[] = [];
      for (const statement of statements) {
        const text = documentOf(kind, mutate(random, statement), random);
        let freshFindings: unknown;
        for (const analysis of [new DocumentAnalysis(), kept]) {
          const started = performance.now();
          let problem: string | undefined;
          try {
            const result = analysis.run(text, kind, DEFAULT_SETTINGS, kind);
            // What the kept analysis reuses must not show: its findings are a fresh one's.
            if (analysis === kept && freshFindings !== undefined) {
              try {
                assert.deepStrictEqual(result.findings, freshFindings);
              } catch {
                problem = 'the kept analysis found other findings than a fresh one';
              }
            }
            freshFindings = result.findings;
            for (const finding of result.findings) {
              if (!(finding.start >= 0 && finding.start <= finding.end && finding.end <= text.length)) {
                problem = `finding ${finding.code} at [${finding.start}, ${finding.end}) outside the document of ${text.length}`;
              } else if (finding.code === 'internal-error') {
                problem = `internal-error: ${finding.message}`;
              }
            }
          } catch (error) {
            problem = `threw ${error instanceof Error ? error.stack : String(error)}`;
          }
          const elapsed = performance.now() - started;
          if (elapsed > HANG_MS) problem = `took ${Math.round(elapsed)} ms`;
          if (problem) failures.push(`${problem}\n      on ${JSON.stringify(text.length > 2000 ? text.slice(0, 2000) + '…' : text)}`);
        }
        if (failures.length >= 5) break;
      }
      assert.deepStrictEqual(failures, []);
    });
  }
});
