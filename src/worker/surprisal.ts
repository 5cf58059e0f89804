// The surprisal map in the worker: snapshots run y and x → y (x+y when x → y is not in the experiment) and
// scores Y's validation windows with each, one chunk of windows per turn of the event loop, so training
// steps run between chunks and the map is of one moment of both models.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../lib/config.ts';
import type { Experiment, Runner } from '../lib/harness.ts';
import type { SurprisalMap } from '../lib/metrics/surprisal.ts';
import type { EmbedMode, Params } from '../lib/model/gpt.ts';
import { computeSurprisal } from '../lib/train/tokenbits.ts';

let current = 0; // the latest job: an earlier one stops at its next chunk

/** Stops any map being computed (a new experiment, or a newer request). */
export function cancelSurprisal(): void {
  current++;
}

/** The runs the map compares: y, and the conditional run that learnt X first (x2y), else both at once (xy). */
export function mapRuns(runner: Runner): { alone: string; given: string } | string {
  const y = runner.get('y');
  const given = runner.get('x2y') ?? runner.get('xy');
  if (!y) return 'the map needs run y (Y alone)';
  if (!given) return 'the map needs run x → y (or x+y) beside y';
  if (y.step === 0) return 'run y has not trained yet';
  if (given.step === 0) return `run ${given.name === 'x2y' ? 'x → y' : 'x+y'} has not trained yet (it starts when x ends)`;
  return { alone: y.name, given: given.name };
}

/** Computes the map of the experiment's Y under y and x → y (or x+y), from a snapshot taken now. Yields a
 *  macrotask after each chunk of windows. Null when cancelled by a newer job; throws UserError when the
 *  experiment cannot give a map yet. */
export async function surprisalJob(exp: Experiment, runner: Runner, embed: EmbedMode, turn: () => Promise<void>): Promise<SurprisalMap | null> {
  const job = ++current;
  const which = mapRuns(runner);
  if (typeof which === 'string') throw new UserError(which);
  const iY = exp.dataset.sources.findIndex((s) => s.name === 'Y');
  if (iY < 0) throw new UserError('the map needs a Y dataset');
  // a snapshot shares the weights' buffers (tensors are immutable; training assigns new ones), so it costs
  // no copy and stays the same while training goes on, or after the runs are disposed
  const snap = (name: string) => {
    const r = runner.get(name)!;
    const params: Params = Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, tf.variable(v, false)]));
    return { run: name, step: r.step, params };
  };
  const alone = snap(which.alone);
  const given = snap(which.given);
  try {
    return await computeSurprisal(exp.dataset, exp.cfg, iY, embed, alone, given, {
      between: async () => {
        await turn();
        return job === current;
      },
    });
  } finally {
    for (const v of [...Object.values(alone.params), ...Object.values(given.params)]) v.dispose();
  }
}
