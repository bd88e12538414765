/**
 * The StepDriver host for fast mode: a user's `next`, `stepIn` or `stepOut` ends where plain Delve
 * would end it even when a hidden counting stop interrupts it (the driver's own comment explains
 * how). Fast mode's hidden stops are rare, but a merged tiny allocation inside a stepped line is
 * not.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapProxy } from '../proxy';
import type { StackSampler } from '../stackSampler';
import type { StepHost } from '../stepDriver';
import type { HiddenInstructions } from './hiddenInstructions';

export interface FastStepContext {
  proxy: DapProxy;
  sampler: StackSampler;
  instructions: HiddenInstructions;
  isHiddenStop(event: P.StoppedEvent): boolean;
  absorbHiddenStop(event: P.StoppedEvent): Promise<boolean>;
  pauseWanted(): boolean;
  /** A request of the proxy's own that makes Delve send a `continued` event the client must not see. */
  expectContinued(): void;
  log(line: string): void;
}

export function fastStepHost(context: FastStepContext): StepHost {
  const { proxy, sampler, instructions } = context;
  return {
    send: async (command, args) => {
      if (command !== 'continue') context.expectContinued();
      const response = await proxy.request(command, args);
      if (!response.success) throw new Error(`${command}: ${response.message}`);
    },
    stack: async (goroutine) => (await sampler.framesUntil(goroutine, () => false)).raw,
    armReturn: async (goroutine, frame) => {
      const frameoff = await sampler.integer('runtime.frameoff', frame.id);
      const condition = `runtime.curg.goid == ${goroutine}${frameoff === undefined ? '' : ` && runtime.frameoff == ${frameoff}`}`;
      context.log(`return breakpoint at ${frame.instructionPointerReference} if ${condition}`);
      if (!(await instructions.setReturn(frame.instructionPointerReference!, { condition }))) {
        throw new Error(`cannot break at ${frame.instructionPointerReference} to finish the step`);
      }
    },
    disarmReturn: () => instructions.clearReturn(),
    isReturnStop: (event) => instructions.isReturnStop(event.body.hitBreakpointIds?.[0]),
    absorbHiddenStop: (event) => context.absorbHiddenStop(event),
    isHiddenStop: (event) => context.isHiddenStop(event),
    pauseWanted: () => context.pauseWanted(),
  };
}
