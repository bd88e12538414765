/**
 * A count's progress (LSP work done progress from the server) as a notification with a Cancel
 * button, as counting was shown before it moved into the server; cancelling tells the server.
 */
import * as vscode from 'vscode';
import { WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCancelNotification, WorkDoneProgressCreateParams, WorkDoneProgressCreateRequest, WorkDoneProgressReport } from 'vscode-languageclient';
import type { LanguageClient } from 'vscode-languageclient/node';

export function showCountProgress(client: LanguageClient): void {
  client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }: WorkDoneProgressCreateParams) => {
    let progress: vscode.Progress<{ message?: string }> | undefined;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const begin = (value: WorkDoneProgressBegin) => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: value.title, cancellable: value.cancellable === true },
        (p, cancel) => {
          progress = p;
          if (value.message) p.report({ message: value.message });
          cancel.onCancellationRequested(() => void client.sendNotification(WorkDoneProgressCancelNotification.type, { token }));
          return ended;
        },
      );
    };
    const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'begin') begin(value);
      else if (value.kind === 'report') progress?.report({ message: (value as WorkDoneProgressReport).message });
      else {
        listener.dispose();
        end();
      }
    });
  });
}
