/**
 * Fast mode's instruction breakpoints: the counting sites (merged tiny allocations, system-stack
 * allocation calls) and, while a user's step is being restored, one return-address breakpoint.
 * Delve replaces the whole instruction set on every request, so both are always sent together.
 */
import type { HiddenBreakpoints, HiddenBreakpointSpec } from '../hiddenBreakpoints';
import type { Site } from './caughtStops';
import { hex } from './targetMemory';

export class HiddenInstructions {
  private sites: Site[] = [];
  private armed = false;
  private returnBreakpoint?: { reference: string; spec: HiddenBreakpointSpec };

  constructor(private readonly bps: HiddenBreakpoints) {}

  get isArmed(): boolean {
    return this.armed;
  }

  /** Sets the counting sites, armed. */
  async arm(sites: Site[]): Promise<void> {
    this.sites = sites;
    this.armed = true;
    await this.apply();
  }

  /** Takes the counting sites out (a function call from the debug console must not stop in them). */
  async disarm(): Promise<void> {
    this.armed = false;
    await this.apply();
  }

  async rearm(): Promise<void> {
    this.armed = true;
    await this.apply();
  }

  async setReturn(reference: string, spec: HiddenBreakpointSpec): Promise<boolean> {
    this.returnBreakpoint = { reference, spec };
    await this.apply();
    return this.bps.idsOf('instruction', reference).length > 0;
  }

  async clearReturn(): Promise<void> {
    this.returnBreakpoint = undefined;
    await this.apply();
  }

  isReturnStop(id: number | undefined): boolean {
    const hidden = this.bps.lookup(id);
    return hidden?.kind === 'instruction' && hidden.key === this.returnBreakpoint?.reference;
  }

  forget(): void {
    this.sites = [];
    this.armed = false;
    this.returnBreakpoint = undefined;
  }

  get armedSites(): Site[] {
    return this.armed ? this.sites : [];
  }

  private async apply(): Promise<void> {
    const specs = new Map<string, HiddenBreakpointSpec>();
    for (const site of this.armedSites) specs.set(hex(site.address), {});
    if (this.returnBreakpoint) specs.set(this.returnBreakpoint.reference, this.returnBreakpoint.spec);
    await this.bps.setInstructions(specs);
  }
}
