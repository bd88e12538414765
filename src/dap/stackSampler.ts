/** Reads what the engine needs at a stop: the goroutine's stack and the allocator's `size` argument. */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { StackFrame } from '../core/attribution';
import type { DapProxy } from './proxy';

export interface StackSample {
  frames: StackFrame[];
  /** Delve's own frames (IDs valid until the target resumes, instruction pointers). */
  raw: P.StackFrame[];
  /** True when `frames` is the whole stack (Delve returned fewer frames than asked for). */
  complete: boolean;
}

/** Enough for any allocation the probes saw (user frames sit within ~30 frames of the allocator). */
const FIRST_LEVELS = 20;
const MORE_LEVELS = 512;
const MAX_WHOLE_STACK = 1024;

function toFrame(f: P.StackFrame): StackFrame {
  return { name: f.name, path: f.source?.path, line: f.source?.path ? f.line : undefined };
}

export class StackSampler {
  constructor(private readonly proxy: DapProxy) {}

  async frames(goroutine: number, levels = FIRST_LEVELS, startFrame = 0): Promise<StackSample> {
    const body = await this.proxy.call<P.StackTraceResponse['body']>('stackTrace', { threadId: goroutine, startFrame, levels });
    const raw = body?.stackFrames ?? [];
    return { frames: raw.map(toFrame), raw, complete: raw.length < levels };
  }

  /** Frames from the top until `enough` says so or the stack ends. */
  async framesUntil(goroutine: number, enough: (frames: StackFrame[]) => boolean): Promise<StackSample> {
    let sample = await this.frames(goroutine, FIRST_LEVELS);
    while (!sample.complete && !enough(sample.frames)) {
      const more = await this.frames(goroutine, MORE_LEVELS, sample.frames.length);
      sample = { frames: [...sample.frames, ...more.frames], raw: [...sample.raw, ...more.raw], complete: more.complete };
    }
    return sample;
  }

  /**
   * The whole stack, up to `maxFrames` (the runtime's own profile keeps at most 1024): callers
   * and pprof need every frame, not just those down to the first user frame.
   */
  async whole(goroutine: number, maxFrames = MAX_WHOLE_STACK): Promise<StackSample> {
    let sample = await this.frames(goroutine, FIRST_LEVELS);
    while (!sample.complete && sample.frames.length < maxFrames) {
      const more = await this.frames(goroutine, Math.min(MORE_LEVELS, maxFrames - sample.frames.length), sample.frames.length);
      sample = { frames: [...sample.frames, ...more.frames], raw: [...sample.raw, ...more.raw], complete: more.complete };
    }
    return sample;
  }

  /** The exact number of frames on the goroutine's stack. */
  async depth(goroutine: number): Promise<number> {
    const sample = await this.framesUntil(goroutine, () => false);
    return sample.frames.length;
  }

  /** Evaluates an integer expression in a frame (by default the stopped goroutine's innermost). */
  async integer(expression: string, frameId?: number): Promise<number | undefined> {
    const result = await this.evaluate(expression, frameId);
    const m = result === undefined ? null : /^-?\d+/.exec(result.trim());
    return m ? Number(m[0]) : undefined;
  }

  /** Delve's rendering of an expression's value in a frame, or undefined when Delve cannot evaluate it. */
  async evaluate(expression: string, frameId?: number): Promise<string | undefined> {
    const response = await this.proxy.request('evaluate', { expression, context: 'repl', ...(frameId === undefined ? {} : { frameId }) });
    if (!response.success) return undefined;
    return (response.body as P.EvaluateResponse['body']).result;
  }
}
