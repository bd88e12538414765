/** VS Code entry point: wires the UI to the engine. (The UI arrives with the front-end issue.) */
export function activate(): void {}

export function deactivate(): void {}
