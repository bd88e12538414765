/**
 * Launch configurations of type `malloclens`: the same attributes as the Go extension's `go` type,
 * resolved the way the Go extension resolves them for `dlv-dap` (core/launchConfig.ts), so that
 * a `"type": "go"` configuration runs through malloclens unchanged.
 */
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { EngineName } from '../core/engineChoice';
import { LaunchConfigError, resolveLaunchConfig } from '../core/launchConfig';
import { goToolsEnv, readSettings } from './settings';

export const DEBUG_TYPE = 'malloclens';

/** Where the resolved configuration tells the adapter factory to start dlv (not a Delve attribute). */
export const DLV_CWD_KEY = '__malloclensDlvCwd';

export const DEFAULT_LAUNCH: vscode.DebugConfiguration = {
  name: 'malloclens: Launch Package',
  type: DEBUG_TYPE,
  request: 'launch',
  mode: 'auto',
  program: '${fileDirname}',
};

function kindOf(file: string): 'directory' | 'file' | undefined {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/** Initial configurations and snippets are static (package.json), so they need no activation. */
export class MalloclensConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 without a launch.json: launch the active Go file's package. */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.languageId !== 'go') {
        void vscode.window.showInformationMessage('malloclens: open a Go file, or add a "malloclens" configuration to launch.json.');
        return undefined;
      }
      return { ...DEFAULT_LAUNCH };
    }
    return config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    const scope = folder?.uri;
    try {
      const resolved = resolveLaunchConfig(config, {
        workspaceFolder: folder?.uri.fsPath,
        activeFile: vscode.window.activeTextEditor?.document.uri.fsPath,
        toolsEnv: goToolsEnv(scope),
        optimized: readSettings(scope).optimizedBuilds,
        readFile: (file) => readFileSync(file, 'utf8'),
        kindOf,
      });
      for (const w of resolved.warnings) void vscode.window.showWarningMessage(`malloclens: ${w}`);
      return { ...withEngine(resolved.config as vscode.DebugConfiguration, readSettings(scope).engine), [DLV_CWD_KEY]: resolved.dlvCwd };
    } catch (e) {
      if (!(e instanceof LaunchConfigError)) throw e;
      void vscode.window.showErrorMessage(`malloclens: ${e.message}`);
      return undefined;
    }
  }
}

/** A configuration's `malloclens.engine`, or else the setting's (`fast: true` counts as a choice). */
function withEngine(config: vscode.DebugConfiguration, engine: EngineName): vscode.DebugConfiguration {
  const own = (config.malloclens ?? {}) as { engine?: unknown; fast?: unknown };
  if (own.engine !== undefined || own.fast === true) return config;
  return { ...config, malloclens: { ...own, engine } };
}
