// A worker beside the training worker for the baselines (the context model codes a megabyte in seconds of
// solid CPU): the training worker sends it each source's bytes in coding order and forwards its curves.
import { baselineCurve, type BaselineJob } from './baselines.ts';
import type { BaselineCurve } from './protocol.ts';

export type ToBaselines = { id: number; jobs: BaselineJob[] };
export type FromBaselines = { id: number; curve: BaselineCurve } | { id: number; error: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (e: MessageEvent<ToBaselines>) => {
  const { id, jobs } = e.data;
  for (const job of jobs) {
    try {
      scope.postMessage({ id, curve: await baselineCurve(job) } satisfies FromBaselines);
    } catch (err) {
      scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FromBaselines);
    }
  }
};
