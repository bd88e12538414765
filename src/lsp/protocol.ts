/**
 * What malloclens's language server and its clients say beyond LSP: the reports of counts the
 * server runs (so that an editor with its own views, VS Code's tree and decorations, files them),
 * and the counts the editor has from elsewhere (debug sessions), so that the server's hovers,
 * inlay hints and lenses show them too. Plain types: the server and the VS Code client share them.
 */
import type { MallocReport } from '../core/report';
import type { Engine } from '../core/sourceState';

/** A count, as it travels between server and client. */
export interface SourceMessage {
  id: string;
  label: string;
  kind: 'debug' | 'statement' | 'profile';
  report: MallocReport;
  /** When it started (ms since the epoch, this machine's clock): the newest count of a line wins. */
  started: number;
  live?: boolean;
  engine?: Engine;
  /** For statement counts: the statement, so that its lens can show the result. */
  statement?: { file: string; line: number; endLine: number };
}

/** Server → client: a count the server finished. */
export const REPORT_NOTIFICATION = 'malloclens/report';

/** Client → server: counts the client has (added or updated) and counts it no longer has. */
export const SOURCES_NOTIFICATION = 'malloclens/sources';
export interface SourcesParams {
  set?: SourceMessage[];
  remove?: string[];
}

/** Server → client, when the client asked for it in its initialization options: run an editor command. */
export const CLIENT_COMMAND_NOTIFICATION = 'malloclens/clientCommand';
export interface ClientCommandParams {
  command: string;
  args?: unknown[];
}

/** What a client may tell the server at `initialize` (`initializationOptions`). */
export interface MalloclensInitOptions {
  /** An editor command that opens `(file, line)`: the hover then links the lines a map's storage was paid on. */
  revealCommand?: string;
  /** Put before a lens's "counting…" (VS Code: `$(loading~spin) `). */
  spinner?: string;
  /** The client runs CLIENT_COMMAND_NOTIFICATION: messages may offer "Show Problems", "Set Delve Path". */
  clientCommands?: boolean;
  /** The client draws per-line counts itself: no inlay hints. */
  noInlayHints?: boolean;
}
