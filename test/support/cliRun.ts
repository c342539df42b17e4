import { spawn } from 'child_process';
import * as path from 'path';

/** The bundled CLI, as a user runs it. */
export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled CLI without the libpq variables of the test run (a user's shell has its own). */
export function queryLens(cwd: string, args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== 'DATABASE_URL' && !name.startsWith('PG')) env[name] = value;
  }
  Object.assign(env, extraEnv);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
