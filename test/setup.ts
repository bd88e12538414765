/**
 * Mocha global setup: make sure the toolchains the integration tests use are present before any
 * test's timeout starts (Delve is installed into malloclens's cache when missing, Go 1.27 is fetched
 * through GOTOOLCHAIN).
 */
import { locateDelve } from '../src/dap/delveLocator';
import { run } from '../src/dap/processes';
import { parseVersion } from '../src/core/versions';

export async function mochaGlobalSetup(): Promise<void> {
  const go = await run('go', ['version']);
  const version = parseVersion(go.stdout);
  if (go.code !== 0 || !version) throw new Error(`the tests need Go: ${go.stderr || go.stdout}`);
  const delve = await locateDelve({ go: version, install: true, notify: (m) => process.stderr.write(`${m}\n`) });
  process.stderr.write(`tests use Delve at ${delve.path}\n`);
  const next = await run('go', ['version'], { env: { ...process.env, GOTOOLCHAIN: 'go1.27.3' }, timeoutMs: 10 * 60_000 });
  if (next.code !== 0) process.stderr.write(`Go 1.27.3 is not available (${next.stderr.trim()}); its tests will fail\n`);
}
