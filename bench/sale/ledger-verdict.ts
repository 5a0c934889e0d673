// The ledger's verdict on the sale: `scripts/ledger.ts --json --wait-drain <ms> --sku …` as a child
// process (its contract: exit 0 clean, 1 breach or not drained, 2 could not check; the LedgerReport
// JSON on stdout), with the environment that points it at the stores the sale used.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { projectPath } from '../../src/platform/paths';

export interface LedgerBreach {
  readonly invariant: string;
  readonly sku?: string;
  readonly orderId?: string;
  readonly detail: string;
}

export interface LedgerVerdict {
  /** clean | breach | unavailable (the checker could not run or answer). */
  readonly verdict: 'clean' | 'breach' | 'unavailable';
  readonly exitCode: number | null;
  readonly breaches: readonly LedgerBreach[];
  /** One line for the console: why not clean. */
  readonly note: string;
  readonly elapsedMs: number;
}

export const LEDGER_SCRIPT = projectPath('scripts', 'ledger.ts');

function parseReport(stdout: string): { clean?: boolean; breaches?: LedgerBreach[] } | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as { clean?: boolean; breaches?: LedgerBreach[] };
  } catch {
    return undefined;
  }
}

export function runLedger(opts: { skus: readonly string[]; waitDrainMs: number; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<LedgerVerdict> {
  const t0 = Date.now();
  if (!existsSync(LEDGER_SCRIPT)) {
    return Promise.resolve({ verdict: 'unavailable', exitCode: null, breaches: [], note: `${LEDGER_SCRIPT} does not exist`, elapsedMs: 0 });
  }
  const args = ['--import', 'tsx', LEDGER_SCRIPT, '--json', '--wait-drain', String(opts.waitDrainMs), ...opts.skus.flatMap(s => ['--sku', s])];
  return new Promise(resolve => {
    const child = spawn(process.execPath, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? opts.waitDrainMs + 120_000);
    child.on('error', e => {
      clearTimeout(killer);
      resolve({ verdict: 'unavailable', exitCode: null, breaches: [], note: e.message, elapsedMs: Date.now() - t0 });
    });
    child.on('close', code => {
      clearTimeout(killer);
      const report = parseReport(out);
      const breaches = report?.breaches ?? [];
      const elapsedMs = Date.now() - t0;
      if (code === 0 && report?.clean === true) return resolve({ verdict: 'clean', exitCode: code, breaches, note: '', elapsedMs });
      if (code === 1 && report) {
        const note = breaches.length > 0 ? `${breaches.length} breach(es)` : 'not drained within --wait-drain';
        return resolve({ verdict: 'breach', exitCode: code, breaches, note, elapsedMs });
      }
      resolve({ verdict: 'unavailable', exitCode: code, breaches, note: (err.trim().split('\n').pop() ?? '') || `exit ${code}`, elapsedMs });
    });
  });
}
