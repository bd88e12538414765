// package.json's `contributes` against what the code uses: a command in a menu that nobody
// declared, or a colour the decorations ask for that no theme default exists for, fails here
// rather than silently in the editor.
import * as assert from 'node:assert/strict';
import { DEFAULT_ENGINE, ENGINES } from '../../src/core/engineChoice';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEAT_COLORS } from '../../src/core/heat';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    colors: { id: string; defaults: Record<string, string> }[];
    configuration: { properties: Record<string, unknown> };
    debuggers: { type: string; configurationAttributes: { launch: { properties: Record<string, unknown> } }; configurationSnippets: { body: { type: string } }[] }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
  };
}

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;

describe('package.json contributions', () => {
  it('declares every command its menus show, all under the malloclens prefix', () => {
    const declared = new Set(c.commands.map((x) => x.command));
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) assert.ok(declared.has(item.command), `${menu}: ${item.command} is not declared`);
    }
    for (const cmd of c.commands) {
      assert.match(cmd.command, /^malloclens\.[a-zA-Z]+$/);
      assert.equal(cmd.category, 'malloclens');
    }
  });

  it('hides commands that need arguments from the command palette', () => {
    const hidden = c.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, ['malloclens.copy', 'malloclens.countStatement', 'malloclens.remove', 'malloclens.revealLine']);
  });

  it('declares every heat colour with defaults for all four theme kinds', () => {
    const colors = new Map(c.colors.map((x) => [x.id, x.defaults]));
    for (const id of Object.values(HEAT_COLORS)) {
      assert.deepEqual(Object.keys(colors.get(id) ?? {}).sort(), ['dark', 'highContrast', 'highContrastLight', 'light'], id);
    }
  });

  it('declares the settings the extension reads', () => {
    assert.deepEqual(Object.keys(c.configuration.properties).sort(), [
      'malloclens.attributionRoots', 'malloclens.benchtime', 'malloclens.codeLens.enabled', 'malloclens.dlvPath', 'malloclens.engine', 'malloclens.inlineCounts.enabled',
      'malloclens.inlineCounts.minimumShare', 'malloclens.inlineCounts.style', 'malloclens.optimizedBuilds',
    ]);
  });

  it('declares the engine choice in the debug type\'s schema, with a snippet for the breakpoint engine', () => {
    const dbg = c.debuggers.find((d) => d.type === 'malloclens') as unknown as {
      configurationAttributes: { launch: { properties: Record<string, { properties?: Record<string, { enum?: string[] }> }> } };
      configurationSnippets: { body: { malloclens?: { engine?: string } } }[];
    };
    assert.deepEqual(dbg.configurationAttributes.launch.properties.malloclens.properties?.engine.enum, [...ENGINES]);
    assert.ok(dbg.configurationSnippets.some((snippet) => snippet.body.malloclens?.engine === 'breakpoints'));
    assert.deepEqual((c.configuration.properties['malloclens.engine'] as { enum?: string[]; default?: string }).enum, [...ENGINES]);
    assert.equal((c.configuration.properties['malloclens.engine'] as { default?: string }).default, DEFAULT_ENGINE);
  });

  it('gives the malloclens debug type the Go extension\'s launch attributes', () => {
    const dbg = c.debuggers.find((d) => d.type === 'malloclens');
    assert.ok(dbg);
    const attributes = Object.keys(dbg.configurationAttributes.launch.properties);
    for (const a of ['program', 'mode', 'args', 'env', 'envFile', 'cwd', 'buildFlags', 'dlvFlags', 'substitutePath', 'showLog']) assert.ok(attributes.includes(a), a);
    assert.ok(dbg.configurationSnippets.length >= 3 && dbg.configurationSnippets.every((s) => s.body.type === 'malloclens'));
    assert.ok(manifest.activationEvents.includes('onDebugResolve:malloclens'));
  });

  it('gives the malloclens debug type a remote attach, as the Go extension\'s', () => {
    const dbg = c.debuggers.find((d) => d.type === 'malloclens') as unknown as {
      configurationAttributes: { attach?: { required: string[]; properties: Record<string, { enum?: string[] }> } };
      configurationSnippets: { body: { request?: string; mode?: string; port?: number } }[];
    };
    const attach = dbg.configurationAttributes.attach;
    assert.ok(attach);
    assert.deepEqual(attach.properties.mode.enum, ['remote']);
    for (const a of ['host', 'port', 'substitutePath', 'cwd', 'malloclens']) assert.ok(a in attach.properties, a);
    assert.ok(dbg.configurationSnippets.some((s) => s.body.request === 'attach' && s.body.mode === 'remote' && s.body.port === 2345));
  });

  it('puts the Allocations view in its own activity-bar container with an icon in media/', () => {
    const container = c.viewsContainers.activitybar.find((x) => x.id === 'malloclens');
    assert.ok(container && /^media\/.+\.svg$/.test(container.icon));
    readFileSync(join(root, container.icon));
    assert.deepEqual(c.views.malloclens.map((v) => v.id), ['malloclens.allocations']);
  });
});
