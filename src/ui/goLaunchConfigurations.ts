/**
 * "Debug with malloclens": runs an existing `"type": "go"` launch configuration through malloclens
 * unchanged (only the type differs), or the active file's package when there is none.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, DEFAULT_LAUNCH } from './debugConfiguration';

interface GoLaunch {
  folder: vscode.WorkspaceFolder | undefined;
  config: vscode.DebugConfiguration;
}

function goLaunchConfigurations(): GoLaunch[] {
  const found: GoLaunch[] = [];
  const scopes: readonly (vscode.WorkspaceFolder | undefined)[] = vscode.workspace.workspaceFolders ?? [undefined];
  for (const folder of scopes) {
    const configs = vscode.workspace.getConfiguration('launch', folder?.uri).get<vscode.DebugConfiguration[]>('configurations', []);
    for (const config of configs) {
      if (config?.type === 'go' && config.request === 'launch') found.push({ folder, config });
    }
  }
  return found;
}

/** The malloclens twin of a Go configuration: same attributes, same name with a marker. */
export function throughMalloclens(config: vscode.DebugConfiguration): vscode.DebugConfiguration {
  return { ...config, type: DEBUG_TYPE, name: `${config.name} (malloclens)` };
}

export async function debugGoConfiguration(): Promise<void> {
  const launches = goLaunchConfigurations();
  const activeFolder = vscode.window.activeTextEditor
    ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)
    : vscode.workspace.workspaceFolders?.[0];
  if (launches.length === 0) {
    await debugActivePackage(activeFolder);
    return;
  }
  const items = [
    ...launches.map((l) => ({ label: l.config.name, description: [l.config.mode, l.config.program].filter(Boolean).join(' · '), detail: l.folder?.name, launch: l })),
    { label: 'Active file\'s package', description: DEFAULT_LAUNCH.program, detail: 'a malloclens launch of the package in the active editor', launch: undefined },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Debug which Go launch configuration with malloclens?' });
  if (!picked) return;
  if (!picked.launch) {
    await debugActivePackage(activeFolder);
    return;
  }
  await vscode.debug.startDebugging(picked.launch.folder, throughMalloclens(picked.launch.config));
}

export async function debugActivePackage(folder = vscode.window.activeTextEditor ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri) : undefined): Promise<void> {
  if (vscode.window.activeTextEditor?.document.languageId !== 'go') {
    void vscode.window.showInformationMessage('malloclens: open a Go file of the program to debug.');
    return;
  }
  await vscode.debug.startDebugging(folder, { ...DEFAULT_LAUNCH });
}
