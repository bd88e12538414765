/** The `malloclens` command. Errors end in one line on stderr and a non-zero exit. */
import { PINNED_DELVE } from '../core/versions';
import { parseArgs, USAGE, UsageError } from './args';
import { runCount } from './count';
import { runDap } from './dap';
import { runShow } from './show';
import { runLanguageServer } from '../lsp/server';
import { terminalProgress } from './progress';

declare const MALLOCLENS_VERSION: string | undefined;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`malloclens ${typeof MALLOCLENS_VERSION === 'string' ? MALLOCLENS_VERSION : 'dev'} (installs Delve ${PINNED_DELVE.version} when none fits)\n`);
      return 0;
    case 'dap':
      return runDap(args, typeof MALLOCLENS_VERSION === 'string' ? MALLOCLENS_VERSION : 'dev');
    case 'show':
      return runShow(args, { cwd: process.cwd(), env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(`${t}\n`) });
    case 'lsp':
      return runLanguageServer(typeof MALLOCLENS_VERSION === 'string' ? MALLOCLENS_VERSION : 'dev');
    case 'count': {
      // A whole run can take a while: on a terminal, what it has counted so far shows on stderr.
      const progress = args.line ? undefined : terminalProgress(process.stderr);
      return runCount(args, {
        cwd: process.cwd(),
        env: process.env,
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => {
          progress?.done();
          process.stderr.write(`${t}\n`);
        },
        progress,
      });
    }
  }
}

// A closed pipe (`malloclens count … | head`) is the reader's choice, not an error worth a stack.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    const message = e instanceof UsageError ? `${e.message}\n\n${USAGE}` : e.message;
    process.stderr.write(`malloclens: ${message}\n`);
    if (process.env.MALLOCLENS_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
