/**
 * Why a `malloclens dap` session could not start, as the error id of its failed `initialize`
 * response: editors act on the id (offer to install Delve), never on the wording.
 */
import { DelveNotFoundError } from './delveLocator';
import { ToolMissingError } from './processes';

export const START_ERROR = {
  /** Delve could not be started, or failed as it started. */
  delveFailed: 3000,
  /** No Delve that can debug the program's Go was found (or the one named does not exist). */
  noSuitableDelve: 3001,
  /** `go` itself could not be run. */
  goMissing: 3002,
} as const;

export type StartErrorId = (typeof START_ERROR)[keyof typeof START_ERROR];

export function startErrorId(e: unknown): StartErrorId {
  if (e instanceof DelveNotFoundError) return START_ERROR.noSuitableDelve;
  if (e instanceof ToolMissingError) return START_ERROR.goMissing;
  return START_ERROR.delveFailed;
}

/** The id of a failed response's error, when it has one. */
export function responseErrorId(response: { body?: unknown }): number | undefined {
  return (response.body as { error?: { id?: number } } | undefined)?.error?.id;
}
