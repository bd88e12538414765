/**
 * The breakpoint IDs the client sees, as plain Delve would have numbered them.
 *
 * Delve numbers every breakpoint it creates from one counter, so the hidden ones would push the
 * user's IDs up (their third breakpoint would be "12"). The client instead gets IDs 1, 2, 3 … in
 * the order Delve created its breakpoints, which is the order plain Delve would have numbered them.
 */
export class BreakpointIds {
  private readonly toClient = new Map<number, number>();
  private readonly toDelve = new Map<number, number>();
  private next = 1;

  /** The client's ID for a Delve ID of one of the client's breakpoints. */
  clientId(delveId: number): number {
    let id = this.toClient.get(delveId);
    if (id === undefined) {
      id = this.next++;
      this.toClient.set(delveId, id);
      this.toDelve.set(id, delveId);
    }
    return id;
  }

  delveId(clientId: number): number | undefined {
    return this.toDelve.get(clientId);
  }

  /**
   * Rewrites `breakpoints[].id` in a response body; IDs new to the map are numbered in the order
   * Delve created them. A breakpoint Delve refused because one already stands at its address
   * ("Breakpoint exists at …") still used up a number of Delve's (it numbers before it places),
   * so it uses up one of the client's too, where it stands in the request.
   */
  rewriteAll(breakpoints: { id?: number; verified?: boolean; message?: string }[]): void {
    const fresh = breakpoints.map((b) => b.id).filter((id): id is number => id !== undefined && !this.toClient.has(id)).sort((a, b) => a - b);
    for (const b of breakpoints) {
      if (b.id !== undefined && !this.toClient.has(b.id)) this.clientId(fresh.shift()!);
      else if (b.id === undefined && !b.verified && /^Breakpoint exists at /.test(b.message ?? '')) this.next += 1;
    }
    for (const b of breakpoints) if (b.id !== undefined) b.id = this.clientId(b.id);
  }
}
