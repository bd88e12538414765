/**
 * The source of malloclens's `dlv` launcher: a tiny Go program that the Go extension runs in place
 * of Delve (`go.alternateTools.dlv`) and that becomes `node <dist/cli.js> <its arguments>`, that is
 * `malloclens dap …`.
 *
 * Why a Go program and not a shell script: when it activates, the Go extension reads the Go build
 * info of every tool it uses (`go version -m <tool>`) and warns "Tools (dlv) need recompiling to
 * work with go version …" when there is none, or when it was built with an older Go than the
 * current one. A launcher built with the user's own toolchain has exactly the build info the
 * extension wants. Kept as strings (like the symbolizer) so that the bundled extension carries the
 * source it builds, and the cache key hashes exactly what gets compiled.
 *
 * The paths to run (node and cli.js) go into a generated `config.go` (see dlvLauncher.ts): the Go
 * extension starts the tool with its own environment and arguments, so nothing else could carry them.
 */

export const LAUNCHER_MAIN = `// Code generated from malloclens's src/dap/dlvLauncherSource.ts. DO NOT EDIT.

// Command dlv stands in for Delve in the Go extension's debug sessions: it runs malloclens's
// "malloclens dap" (node and cli.js from config.go) with the same arguments, which counts heap
// allocations behind a real Delve.
package main

import (
	"os"
	"strings"
)

func main() {
	argv := append([]string{nodePath, cliPath}, os.Args[1:]...)
	// Desktop VS Code's "node" is Electron, which acts as plain Node only with this variable.
	env := []string{"ELECTRON_RUN_AS_NODE=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ELECTRON_RUN_AS_NODE=") {
			env = append(env, kv)
		}
	}
	if err := run(nodePath, argv, env); err != nil {
		os.Stderr.WriteString("malloclens dlv launcher: cannot run " + nodePath + ": " + err.Error() + "\\n")
		os.Exit(127)
	}
}
`;

export const LAUNCHER_EXEC_UNIX = `// Code generated from malloclens's src/dap/dlvLauncherSource.ts. DO NOT EDIT.

//go:build unix

package main

import "syscall"

// exec(2): this process becomes node. Same pid (the Go extension signals and waits for it), same
// stdio, every other inherited descriptor (the Go extension hands Delve its log as --log-dest=3),
// and node's exit status is the launcher's.
func run(path string, argv, env []string) error {
	return syscall.Exec(path, argv, env)
}
`;

export const LAUNCHER_EXEC_OTHER = `// Code generated from malloclens's src/dap/dlvLauncherSource.ts. DO NOT EDIT.

//go:build !unix

package main

import (
	"errors"
	"os"
	"os/exec"
)

// No exec(2) on Windows: run node as a child on the same stdio and pass its exit status on.
// (The Go extension uses no extra descriptors there: --log-dest is unsupported on Windows.)
func run(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
`;
