// Debian's chromium for Playwright: scripts/install-chromium.sh installs it when missing (apt, as root) and
// prints its path; CHROMIUM_PATH overrides. A missing browser FAILS the suite with the script's message.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { projectPath } from '../../src/platform/paths';

export function chromiumPath(): string {
  try {
    const out = execFileSync('bash', [projectPath('scripts/install-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
    const path = out.trim().split('\n').pop() ?? '';
    if (path === '') throw new Error('scripts/install-chromium.sh printed no path');
    return path;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`no chromium for the browser tests: ${stderr.trim() || (err as Error).message}`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Containers (CI, root) have no user namespaces for the sandbox; /dev/shm is often tiny.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
