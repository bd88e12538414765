/**
 * "Import Report (JSON)…": a saved report (`malloclens count --json`, Export Report) shown like a
 * count, marked as imported. A file that is not a report is refused with the reason, never shown
 * as an empty view.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MallocReport } from '../core/report';
import { parseReport } from '../core/reportFile';
import type { TallyStore } from './tallyStore';

export const IMPORT_COMMAND = 'malloclens.importJson';

/** Asks for a report file; undefined when the user cancelled or the file was refused (said). */
export async function pickReportFile(title: string): Promise<{ uri: vscode.Uri; report: MallocReport } | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { 'malloclens report': ['json'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  const name = path.basename(uri.fsPath);
  try {
    return { uri, report: parseReport(await readFile(uri.fsPath, 'utf8'), name) };
  } catch (e) {
    // The message names the file: `garbage.json is not a malloclens report: it has no "lines" array…`.
    void vscode.window.showErrorMessage(`malloclens: ${(e as Error).message}`);
    return undefined;
  }
}

export async function importReport(store: TallyStore): Promise<void> {
  const picked = await pickReportFile('Import a malloclens report (JSON)');
  if (!picked) return;
  const file = picked.uri.fsPath;
  const { report } = picked;
  const s = report.statement;
  store.add({
    id: `imported:${file}:${Date.now()}`,
    label: path.basename(file),
    kind: report.scope === 'line' ? 'statement' : 'debug',
    report,
    live: false,
    imported: file,
    ...(report.scope === 'line' && s ? { statement: { file: s.file, line: s.line, endLine: s.endLine ?? s.line } } : {}),
  });
}
