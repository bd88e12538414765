import * as assert from 'node:assert/strict';
import { attribute, bucketFor, callPath, isRuntimeFunction, isUserFile, StackFrame, UserCodeRoots } from '../../src/core/attribution';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const MODCACHE = '/home/u/go/pkg/mod';
const roots: UserCodeRoots = { include: [PROJECT], exclude: [GOROOT, MODCACHE] };

const f = (name: string, path?: string, line?: number): StackFrame => ({ name, path, line });
const names = (...n: string[]): StackFrame[] => n.map((name) => ({ name }));

describe('attribution', () => {
  describe('isUserFile', () => {
    it('accepts files under an include root, at any depth', () => {
      assert.equal(isUserFile(`${PROJECT}/main.go`, roots), true);
      assert.equal(isUserFile(`${PROJECT}/internal/store/store.go`, roots), true);
    });

    it('rejects a sibling directory that merely shares the prefix', () => {
      assert.equal(isUserFile('/home/u/proj2/main.go', roots), false);
      assert.equal(isUserFile('/home/u/projects/main.go', roots), false);
    });

    it('rejects undefined, empty and relative paths', () => {
      assert.equal(isUserFile(undefined, roots), false);
      assert.equal(isUserFile('', roots), false);
      assert.equal(isUserFile('main.go', roots), false);
      assert.equal(isUserFile('proj/main.go', { include: ['proj'], exclude: [] }), false);
    });

    it('rejects the vendor directory of an include root', () => {
      assert.equal(isUserFile(`${PROJECT}/vendor/github.com/x/y/y.go`, roots), false);
      assert.equal(isUserFile(`${PROJECT}/vendorized/y.go`, roots), true);
    });

    it('lets exclude roots win over include roots (GOROOT and the module cache inside an include root)', () => {
      const home: UserCodeRoots = { include: ['/home/u'], exclude: ['/home/u/sdk/go1.26.1', MODCACHE] };
      assert.equal(isUserFile('/home/u/work/main.go', home), true);
      assert.equal(isUserFile('/home/u/sdk/go1.26.1/src/fmt/print.go', home), false);
      assert.equal(isUserFile(`${MODCACHE}/golang.org/x/text@v0.14.0/language/parse.go`, home), false);
    });

    it('rejects GOROOT and module cache files outside the include roots', () => {
      assert.equal(isUserFile(`${GOROOT}/src/runtime/malloc.go`, roots), false);
      assert.equal(isUserFile(`${MODCACHE}/github.com/a/b@v1.0.0/b.go`, roots), false);
    });

    // A child directory named "..data" is inside the project, even though its relative path starts with "..".
    it('accepts a file in a project directory whose name starts with ".."', () => {
      assert.equal(isUserFile(`${PROJECT}/..data/gen.go`, roots), true);
    });

    it('accepts any of several include roots', () => {
      const multi: UserCodeRoots = { include: ['/w/a', '/w/b'], exclude: [] };
      assert.equal(isUserFile('/w/a/x.go', multi), true);
      assert.equal(isUserFile('/w/b/y/z.go', multi), true);
      assert.equal(isUserFile('/w/c/x.go', multi), false);
    });

    it('accepts nothing when there are no include roots', () => {
      assert.equal(isUserFile(`${PROJECT}/main.go`, { include: [], exclude: [] }), false);
    });
  });

  describe('attribute', () => {
    it('charges the innermost user frame, inclusive of the library and runtime below it', () => {
      const frames = [
        f('runtime.mallocgc', `${GOROOT}/src/runtime/malloc.go`, 1000),
        f('runtime.newobject', `${GOROOT}/src/runtime/malloc.go`, 1700),
        f('fmt.Sprintf', `${GOROOT}/src/fmt/print.go`, 239),
        f('text.Render', `${MODCACHE}/github.com/a/text@v1.0.0/render.go`, 40),
        f('main.format', `${PROJECT}/format.go`, 12),
        f('main.main', `${PROJECT}/main.go`, 30),
        f('runtime.main', `${GOROOT}/src/runtime/proc.go`, 283),
      ];
      assert.deepEqual(attribute(frames, roots), { kind: 'line', file: `${PROJECT}/format.go`, line: 12, function: 'main.format', frameIndex: 4 });
    });

    it('skips frames without a path or without a line', () => {
      const frames = [
        f('runtime.mallocgc', `${GOROOT}/src/runtime/malloc.go`, 1000),
        f('???'),
        f('main.noLine', `${PROJECT}/a.go`),
        f('main.main', `${PROJECT}/main.go`, 7),
      ];
      const where = attribute(frames, roots);
      assert.equal(where.kind, 'line');
      if (where.kind === 'line') {
        assert.equal(where.frameIndex, 3);
        assert.equal(where.line, 7);
        assert.equal(where.file, `${PROJECT}/main.go`);
      }
    });

    it('does not charge vendored code: the caller in the project is charged', () => {
      const frames = [
        f('runtime.mallocgc', `${GOROOT}/src/runtime/malloc.go`, 1000),
        f('y.New', `${PROJECT}/vendor/github.com/x/y/y.go`, 5),
        f('main.main', `${PROJECT}/main.go`, 9),
      ];
      const where = attribute(frames, roots);
      assert.equal(where.kind, 'line');
      if (where.kind === 'line') assert.equal(where.frameIndex, 2);
    });

    it('falls back to a bucket when no frame is user code', () => {
      const frames = [
        f('runtime.mallocgc', `${GOROOT}/src/runtime/malloc.go`, 1000),
        f('fmt.Sprintf', `${GOROOT}/src/fmt/print.go`, 239),
        f('runtime.goexit', `${GOROOT}/src/runtime/asm_amd64.s`, 1700),
      ];
      assert.deepEqual(attribute(frames, roots), { kind: 'bucket', bucket: 'library' });
    });

    it('buckets an empty stack as "no stack"', () => {
      assert.deepEqual(attribute([], roots), { kind: 'bucket', bucket: 'no stack' });
    });
  });

  describe('callPath', () => {
    const frames = names('runtime.mallocgc', 'runtime.makemap', 'main.build', 'main.main');

    it('lists the frames below the user frame, outermost first', () => {
      assert.deepEqual(callPath(frames, 2), ['runtime.makemap', 'runtime.mallocgc']);
    });

    it('is empty when the user frame is frame 0', () => {
      assert.deepEqual(callPath(frames, 0), []);
    });

    it('lists the whole stack, outermost first, when given its length', () => {
      assert.deepEqual(callPath(frames, frames.length), ['main.main', 'main.build', 'runtime.makemap', 'runtime.mallocgc']);
    });

    it('does not modify the frames it is given', () => {
      const copy = frames.map((x) => ({ ...x }));
      callPath(frames, 3);
      assert.deepEqual(frames, copy);
    });
  });

  describe('bucketFor', () => {
    it('names an empty stack "no stack"', () => {
      assert.equal(bucketFor([]), 'no stack');
    });

    it('recognises package initialisers as Delve names them', () => {
      // func init() { … } compiles to pkg.init.0, .1, …; package-level var initialisation to pkg.init.
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.makemap_small', 'unicode.init', 'runtime.doInit1', 'runtime.doInit', 'runtime.main')), 'package init');
      assert.equal(bucketFor(names('runtime.mallocgc', 'errors.New', 'x509.init.0')), 'package init');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.doInit1')), 'package init');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.doInit')), 'package init');
      assert.equal(bucketFor(names('runtime.mallocgc', 'main.init.0.func1', 'main.init.0')), 'package init');
    });

    it('does not mistake functions whose names merely contain "init" for initialisers', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'config.initialize')), 'library');
      assert.equal(bucketFor(names('runtime.mallocgc', 'config.Init')), 'library');
      assert.equal(bucketFor(names('runtime.mallocgc', 'config.reinit')), 'library');
    });

    // Only package-level init functions are package initialisation; a method named init is not.
    it('does not take a method named init (regexp/syntax compiler.init) for package init', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'syntax.(*compiler).init', 'syntax.Compile', 'regexp.compile', 'http.(*conn).serve')), 'library');
    });

    it('recognises runtime start-up', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.malg', 'runtime.mcommoninit', 'runtime.schedinit', 'runtime.rt0_go')), 'runtime init');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.gcenable', 'runtime.main')), 'runtime init');
    });

    it('recognises the garbage collector', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.gcBgMarkWorker', 'runtime.goexit')), 'garbage collector');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.bgsweep')), 'garbage collector');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.bgscavenge')), 'garbage collector');
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.gcDrainMarkWorkerIdle')), 'garbage collector');
    });

    it('prefers package init over the other buckets', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'regexp.Compile', 'regexp.MustCompile', 'text.init', 'runtime.doInit1', 'runtime.main')), 'package init');
    });

    it('calls a stack with a non-runtime function "library"', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.newobject', 'http.(*conn).serve', 'runtime.goexit')), 'library');
    });

    it('calls a runtime-only stack "runtime"', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', 'runtime.newproc1', 'runtime.systemstack')), 'runtime');
      // internal/runtime/maps is trimmed to maps.* by Delve.
      assert.equal(bucketFor(names('runtime.mallocgc', 'maps.newarray', 'maps.(*table).grow', 'runtime.mapassign_faststr')), 'runtime');
    });

    it('does not count unknown ("???") frames as library code', () => {
      assert.equal(bucketFor(names('runtime.mallocgc', '???', '???')), 'runtime');
      assert.equal(bucketFor(names('???')), 'runtime');
    });
  });

  describe('isRuntimeFunction', () => {
    it('recognises runtime functions and methods', () => {
      assert.equal(isRuntimeFunction('runtime.mallocgc'), true);
      assert.equal(isRuntimeFunction('runtime.(*mcache).nextFree'), true);
      assert.equal(isRuntimeFunction('maps.(*Map).putSlotSmall'), true);
      assert.equal(isRuntimeFunction('internal/abi.FuncPCABI0'), true);
    });

    it('rejects other packages, including look-alike names', () => {
      assert.equal(isRuntimeFunction('fmt.Sprintf'), false);
      assert.equal(isRuntimeFunction('runtimex.Foo'), false);
      assert.equal(isRuntimeFunction('mapsutil.Keys'), false);
      assert.equal(isRuntimeFunction('main.runtime'), false);
    });
  });
});
