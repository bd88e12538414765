/**
 * Counts from debug sessions: live from the adapter's throttled `malloclens/tally` events, and a
 * final `malloclens/tally` request when the program ends. Works for `malloclens` sessions and for
 * the Go extension's own (`go`) sessions when its `dlv` is malloclens (go.alternateTools.dlv): any
 * session that sends the event is counted, others are left alone.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { chooseEngine, DEFAULT_ENGINE, engineRequested } from '../core/engineChoice';
import type { MallocReport } from '../core/report';
import type { Engine } from '../core/sourceState';
import { DEBUG_TYPE, DLV_CWD_KEY } from './debugConfiguration';
import { emptyReport, ProgramTarget, TallyStore } from './tallyStore';

export const TALLY = 'malloclens/tally';

/** Types whose sessions may carry counts. */
const COUNTED_TYPES = [DEBUG_TYPE, 'go'];

function isReport(body: unknown): body is MallocReport {
  const b = body as Partial<MallocReport> | undefined;
  return !!b && Array.isArray(b.lines) && typeof b.total?.count === 'number';
}

/** The engine a session's configuration asks for (the report names the one that counted). */
function engineOf(session: vscode.DebugSession, report?: MallocReport): Engine {
  if (report?.engine) return report.engine;
  try {
    return chooseEngine(engineRequested(session.configuration), false);
  } catch {
    return DEFAULT_ENGINE;
  }
}

/** What a launch ran (for "the optimized build of the same program"); attaches and executables run nothing we can rebuild. */
function programOf(session: vscode.DebugSession): ProgramTarget | undefined {
  const c = session.configuration as { request?: string; mode?: string; program?: unknown; args?: unknown; cwd?: unknown; [DLV_CWD_KEY]?: unknown };
  if (c.request !== 'launch' || typeof c.program !== 'string' || c.mode === 'exec' || c.mode === 'core') return undefined;
  const args = Array.isArray(c.args) ? c.args.filter((a): a is string => typeof a === 'string') : [];
  // The resolved configuration names the program relative to the directory dlv starts in.
  const target = path.resolve(typeof c[DLV_CWD_KEY] === 'string' ? c[DLV_CWD_KEY] : '', c.program);
  const dir = target.endsWith('.go') ? path.dirname(target) : target;
  return { target, cwd: typeof c.cwd === 'string' ? c.cwd : dir, args, test: c.mode === 'test' };
}

export class DebugTallies implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: TallyStore, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => {
        // A malloclens session is counted from its first moment; a go session once it proves to be.
        if (s.type === DEBUG_TYPE) store.add({ id: s.id, label: s.name, kind: 'debug', report: emptyReport(), live: true, engine: engineOf(s), program: programOf(s) });
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event === TALLY && isReport(e.body)) store.update(e.session.id, e.body, e.session.name, true, engineOf(e.session, e.body));
      }),
      vscode.debug.onDidTerminateDebugSession((s) => store.setLive(s.id, false)),
      ...COUNTED_TYPES.map((type) => vscode.debug.registerDebugAdapterTrackerFactory(type, { createDebugAdapterTracker: (s) => this.tracker(s) })),
    );
  }

  /** Asks for the final tally when the program ends, while the adapter still answers. */
  private tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    let asked = false;
    return {
      onDidSendMessage: (m: { type?: string; event?: string }) => {
        if (asked || m.type !== 'event' || (m.event !== 'exited' && m.event !== 'terminated')) return;
        if (!this.store.has(session.id)) return;
        asked = true;
        void this.finalTally(session);
      },
    };
  }

  private async finalTally(session: vscode.DebugSession): Promise<void> {
    try {
      // The final report carries every whole stack, for "Export pprof Profile"; live events do not.
      const body: unknown = await session.customRequest(TALLY, { stacks: true });
      if (isReport(body)) this.store.update(session.id, body, session.name, false);
    } catch (e) {
      // The session may already be gone; the last event's counts stand.
      this.log.debug(`final tally of ${session.name}: ${(e as Error).message}`);
    }
    this.store.setLive(session.id, false);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
