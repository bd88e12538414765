// Runs inside desktop VS Code's extension host (started by run.ts through index.ts): the extension
// from this repository (dist/extension.js) activates and registers what its package.json contributes.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';

const repo = resolve(__dirname, '..', '..', '..');

interface Manifest {
  publisher: string;
  name: string;
  contributes: { commands: { command: string }[] };
}

const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
const id = `${manifest.publisher}.${manifest.name}`;

describe('malloclens in desktop VS Code', function () {
  this.timeout(60_000);

  it('activates', async () => {
    const extension = vscode.extensions.getExtension(id);
    assert.ok(extension, `${id} is loaded from the development path`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  it('toggles inline counts through its command and setting', async () => {
    const setting = () => vscode.workspace.getConfiguration('malloclens').get<boolean>('inlineCounts.enabled');
    const before = setting();
    await vscode.commands.executeCommand('malloclens.toggleInlineCounts');
    assert.equal(setting(), !before);
    await vscode.commands.executeCommand('malloclens.toggleInlineCounts');
    assert.equal(setting(), before);
  });
});
