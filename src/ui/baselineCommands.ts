/**
 * "Compare with Baseline…" and "Clear Baseline". The baseline is one of: a count already in the
 * window (an earlier session or run), a saved report file, or a count of the optimized build of
 * the same program, made now (how much of what the debug build allocates is its own).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatAmount } from '../core/amountText';
import { distinctLabels, sourceFactsText } from '../core/sourceState';
import { countAllocations } from '../dap/countRun';
import { inModule } from '../dap/goToolchain';
import type { Baseline } from './baseline';
import { explainCountFailure } from './delveSetup';
import { pickReportFile } from './reportImport';
import { engineEnv, readSettings } from './settings';
import type { ProgramTarget, TallySource, TallyStore } from './tallyStore';

export const COMPARE_COMMAND = 'malloclens.compareWithBaseline';
export const CLEAR_BASELINE_COMMAND = 'malloclens.clearBaseline';

type Choice = vscode.QuickPickItem & { take: () => Promise<void> };

export class BaselineCommands {
  constructor(private readonly store: TallyStore, private readonly baseline: Baseline, private readonly log: vscode.LogOutputChannel) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(COMPARE_COMMAND, () => this.pick()),
      vscode.commands.registerCommand(CLEAR_BASELINE_COMMAND, () => this.baseline.set(undefined)),
    ];
  }

  private async pick(): Promise<void> {
    const sources = this.store.list().filter((s) => !s.live);
    const labels = distinctLabels(sources);
    const counted: Choice[] = sources.map((s) => ({
      label: `$(history) ${labels.get(s.id) ?? s.label}`,
      description: `${formatAmount(s.report.total)} · ${sourceFactsText(s)}`,
      take: async () => this.baseline.set({ label: labels.get(s.id) ?? s.label, report: s.report, sourceId: s.id }),
    }));
    const program = await this.program();
    const choices: Choice[] = [
      ...counted,
      ...(counted.length > 0 ? [{ label: '', kind: vscode.QuickPickItemKind.Separator, take: async () => undefined }] : []),
      {
        label: '$(file) Saved report file…',
        detail: 'a report from malloclens count --json or Export Report (JSON)',
        take: async () => {
          const picked = await pickReportFile('Compare with a saved malloclens report');
          if (picked) this.baseline.set({ label: path.basename(picked.uri.fsPath), report: picked.report });
        },
      },
      ...(program ? [{
        label: '$(rocket) Optimized build of the same program',
        detail: `counts ${path.basename(program.target)} built as for production (without -gcflags=all=-N -l), and compares with it`,
        take: () => this.countOptimized(program),
      }] : []),
    ];
    const chosen = await vscode.window.showQuickPick(choices, { title: 'malloclens: compare with which baseline?', placeHolder: 'a count, a saved report, or the optimized build', matchOnDescription: true });
    await chosen?.take();
  }

  /** The newest count that knows its program, else the active Go file's package. */
  private async program(): Promise<ProgramTarget | undefined> {
    const known = this.store.list().find((s) => s.program)?.program;
    if (known) return known;
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId !== 'go' || editor.document.uri.scheme !== 'file') return undefined;
    const file = editor.document.uri.fsPath;
    const dir = path.dirname(file);
    // Outside a module a directory does not build; the file does, as `dlv debug file.go` builds it.
    return { target: (await inModule(dir, engineEnv(readSettings()))) ? dir : file, cwd: dir, args: [], test: false };
  }

  private async countOptimized(program: ProgramTarget): Promise<void> {
    const settings = readSettings();
    const env = engineEnv(settings);
    const name = path.basename(program.target);
    const controller = new AbortController();
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `malloclens: counting the optimized build of ${name}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return countAllocations({
            target: program.target, test: program.test, optimized: true, fast: true, programArgs: program.args, cwd: program.cwd, env,
            dlvPath: settings.dlvPath, installDelve: false, stdio: 'pipe',
            notify: (message) => progress.report({ message }),
            log: (line) => this.log.trace(line),
            signal: controller.signal,
          });
        },
      );
      if (controller.signal.aborted) return;
      const label = `${name} (optimized build)`;
      const source: Omit<TallySource, 'started'> = { id: `optimized:${program.target}:${Date.now()}`, label, kind: 'debug', report, live: false, engine: 'fast', program };
      this.store.add(source);
      this.baseline.set({ label, report, sourceId: source.id });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.log.error(`counting the optimized build of ${name}: ${(error as Error).message}`);
      await explainCountFailure(error, env);
    }
  }
}
