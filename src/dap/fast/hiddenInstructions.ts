/**
 * Fast mode's counting sites as hidden instruction breakpoints: merged tiny allocations and
 * system-stack allocation calls (runtimeSites.ts). They come out for a console call, which must
 * not stop inside them, and go back in after it.
 */
import type { HiddenBreakpoints, HiddenBreakpointSpec } from '../hiddenBreakpoints';
import type { Site } from './caughtStops';
import { hex } from './targetMemory';

export class HiddenInstructions {
  private sites: Site[] = [];
  private armed = false;

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

  async disarm(): Promise<void> {
    this.armed = false;
    await this.apply();
  }

  async rearm(): Promise<void> {
    this.armed = true;
    await this.apply();
  }

  get armedSites(): Site[] {
    return this.armed ? this.sites : [];
  }

  private async apply(): Promise<void> {
    const specs = new Map<string, HiddenBreakpointSpec>();
    for (const site of this.armedSites) specs.set(hex(site.address), {});
    await this.bps.setInstructions(specs);
  }
}
