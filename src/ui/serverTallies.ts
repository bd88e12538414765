/**
 * The TallyStore and the language server share their counts: what the server counted
 * (`malloclens/report`) goes into the store, for the tree, the decorations and the status bar;
 * what the store has from elsewhere (debug sessions) and what the user removed go to the server
 * (`malloclens/sources`), so that its hovers and lenses show the same.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Throttle } from '../core/throttle';
import type { MallocReport } from '../core/report';
import { REPORT_NOTIFICATION, SourceMessage, SOURCES_NOTIFICATION, SourcesParams } from '../lsp/protocol';
import type { TallyStore } from './tallyStore';

/** Live sessions update often; the server's hovers need not keep up to the event. */
const PUSH_INTERVAL_MS = 500;

export class ServerTallies implements vscode.Disposable {
  /** Ids of sources the server counted (never pushed back). */
  private readonly fromServer = new Set<string>();
  /** What the server was last given of each source of ours. */
  private readonly pushed = new Map<string, MallocReport>();
  private readonly throttle = new Throttle(() => this.push(), PUSH_INTERVAL_MS);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly client: LanguageClient, private readonly store: TallyStore) {
    client.onNotification(REPORT_NOTIFICATION, (s: SourceMessage) => {
      this.fromServer.add(s.id);
      store.remove(s.id);
      store.add({ id: s.id, label: s.label, kind: s.kind, report: s.report, live: false, engine: s.engine, statement: s.statement });
    });
    this.subscription = store.onDidChange(() => this.throttle.request());
    this.throttle.request();
  }

  private push(): void {
    const now = new Map(this.store.list().map((s) => [s.id, s]));
    const set: SourceMessage[] = [];
    for (const s of now.values()) {
      if (this.fromServer.has(s.id) || this.pushed.get(s.id) === s.report) continue;
      this.pushed.set(s.id, s.report);
      set.push({ id: s.id, label: s.label, kind: s.kind, report: s.report, started: s.started, live: s.live, engine: s.engine });
    }
    const remove = [...this.pushed.keys(), ...this.fromServer].filter((id) => !now.has(id));
    for (const id of remove) {
      this.pushed.delete(id);
      this.fromServer.delete(id);
    }
    if (set.length === 0 && remove.length === 0) return;
    const params: SourcesParams = { set, remove };
    void this.client.sendNotification(SOURCES_NOTIFICATION, params);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
