/**
 * The editor's links to the engine's debug adapter session (src/dap/adapterSession.ts) and to the
 * allocation inspector that names each allocation of a counted statement (src/dap/allocationInspector.ts).
 * Everything else in src/ui reaches them through these two functions.
 */
import { AdapterSession, AdapterSessionOptions } from '../dap/adapterSession';
import { AnatomyInspector } from '../dap/allocationInspector';
import type { DapEndpoint } from '../dap/connection';
import type { AllocationInspector } from '../dap/engine';

export type { AdapterSessionOptions };

export interface RunningAdapterSession {
  close(): Promise<void>;
}

/** Speaks DAP to `client`: starts Delve on `initialize`, counts, answers `malloclens/tally`. */
export function startAdapterSession(client: DapEndpoint, options: AdapterSessionOptions): RunningAdapterSession {
  return new AdapterSession(client, options);
}

/** Names each allocation of a counted statement (statement anatomy). */
export function allocationInspector(): AllocationInspector {
  return new AnatomyInspector();
}
