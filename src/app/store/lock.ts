// One tab at a time writes an experiment: this tab holds a Web Lock (navigator.locks) named after the
// experiment it shows, for as long as it shows it. A second tab that finds the lock taken opens read-only.

export const lockName = (id: string) => `kxy:experiment:${id}`;

let held: { id: string; release: () => void } | null = null;

/** Takes the experiment's lock for this tab: true if this tab may write it, false if another tab holds it.
 *  Without Web Locks (an old browser, or a context that forbids them) there is nothing to coordinate: true. */
export async function claimExperiment(id: string, locks: LockManager | undefined = globalThis.navigator?.locks): Promise<boolean> {
  if (held?.id === id) return true;
  releaseExperiment();
  if (!locks) return true;
  return new Promise<boolean>((resolve) => {
    locks
      .request(lockName(id), { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        // the lock lasts until this promise settles: until released, or the tab goes away
        return new Promise<void>((release) => {
          held = { id, release };
          resolve(true);
        });
      })
      .catch(() => resolve(true));
  });
}

/** Lets another tab take the experiment this tab held. */
export function releaseExperiment(): void {
  held?.release();
  held = null;
}
