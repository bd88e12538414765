/**
 * The Go extension's "Tools (…) need recompiling to work with go version …" check, transcribed
 * from its bundle (golang.go 0.58.0-dev, /work/shared/vendor/vscode-go, dist/goMain.js:
 * `defaultInspectGoToolVersion` and `listOutdatedTools`, around lines 39370–39466), so that a test
 * can tell whether the extension would warn about a tool without starting an editor. The e2e test
 * (test/e2e/goExtension.test.ts) checks the real thing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** `go version -m <tool>` read as the extension reads it; `{}` where it fails (a script, say). */
export async function inspectGoToolVersion(tool: string, env: NodeJS.ProcessEnv): Promise<{ goVersion?: string; moduleVersion?: string }> {
  try {
    const { stdout } = await execFileAsync('go', ['version', '-m', tool], { env });
    const lines = stdout.split('\n', 3);
    const goVersion = lines[0] && lines[0].match(/\s+(go\d+.\d+\S*)/)?.[1];
    // As in the extension: a missing third line throws, and the tool counts as without build info.
    const moduleVersion = lines[2].split(/\s+/)[3];
    return { goVersion: goVersion || undefined, moduleVersion };
  } catch {
    return {};
  }
}

/** Whether the extension would list the tool as needing recompiling under `go` of `configured` (e.g. "go1.26.8"). */
export async function needsRecompiling(tool: string, configured: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { goVersion } = await inspectGoToolVersion(tool, env);
  if (!goVersion) return true;
  const [major, minor] = majorMinor(configured);
  const [toolMajor, toolMinor] = majorMinor(goVersion);
  if (major > toolMajor || (major === toolMajor && minor > toolMinor)) return true;
  // Pre-releases of the same minor count as different unless the exact one is configured.
  return major === toolMajor && minor === toolMinor && /beta|rc/.test(goVersion) && !configured.includes(goVersion);
}

function majorMinor(version: string): [number, number] {
  const m = /go(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a Go version: ${version}`);
  return [Number(m[1]), Number(m[2])];
}
