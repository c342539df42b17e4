/**
 * A PostgreSQL cluster of a test's own, for tests that stop the database (the shared server on
 * 5432 is never stopped under other suites): started with the shared recipe, stopped and started
 * again with pg_ctl as the `postgres` OS user.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const RECIPE = path.resolve(process.env.QUERY_LENS_SHARED ?? path.resolve(__dirname, '../../../../shared'), 'recipes/pg-start.sh');
const PG_BIN = '/usr/lib/postgresql/15/bin';

export class ThrowawayCluster {
  readonly dataDir: string;

  /** `name` keeps the data folders of suites that run in one process apart. */
  constructor(
    readonly port: number,
    name: string,
  ) {
    this.dataDir = `/tmp/query-lens-${name}-${process.pid}`;
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust for the `postgres` role). */
  url(database = 'postgres', user = 'postgres'): string {
    return `postgres://${user}@127.0.0.1:${this.port}/${database}`;
  }

  /** A new cluster from nothing (initdb), with HypoPG and pg_stat_statements. */
  create(): void {
    assert.ok(fs.existsSync(RECIPE), `the throwaway-cluster recipe is missing: ${RECIPE} (set QUERY_LENS_SHARED)`);
    execFileSync('sh', [RECIPE], { env: { ...process.env, PGTMP_DIR: this.dataDir, PGTMP_PORT: String(this.port) }, stdio: 'pipe' });
  }

  /** Starts the existing cluster again after `stop`. */
  start(): void {
    this.pgCtl(['-l', `${this.dataDir}/server.log`, '-w', '-o', `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements`, 'start']);
  }

  /** `immediate` drops every session at once, as a crash would; `fast` terminates them (57P01). */
  stop(mode: 'immediate' | 'fast' = 'fast'): void {
    this.pgCtl(['-m', mode, '-w', 'stop']);
  }

  reload(): void {
    this.pgCtl(['reload']);
  }

  /** Stops it if it runs and removes its data. */
  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // not running
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private pgCtl(args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', this.dataDir, ...args], { stdio: 'pipe' });
  }
}
