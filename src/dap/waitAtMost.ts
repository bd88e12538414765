/**
 * `promise`'s value, or undefined once `ms` have passed. The timer is cleared as soon as the race
 * is decided: a pending one would keep a finished CLI alive for the rest of its delay.
 */
export async function waitAtMost<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
