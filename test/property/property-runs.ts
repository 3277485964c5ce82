import type { Parameters } from 'fast-check';

/** The seed of every CI run, so that a failure in CI is the same failure on a laptop. */
const CI_SEED = 0x6d70_6173;

/**
 * How a property runs. CI: a fixed seed and `ciRuns` cases, sized so that each file takes a
 * few seconds. Environment overrides, for `npm run soak` and for reproducing a failure:
 * - `FC_SEED`: the seed (fast-check prints the seed and path of any counterexample);
 * - `FC_RUNS`: the exact number of cases for every property;
 * - `FC_SCALE`: a multiplier on `ciRuns` (what `npm run soak` sets);
 * - `FC_TIME_LIMIT_MS`: stop a property after this long (the cases run so far must pass; a
 *   failure found is still reported, shrunk as far as time allowed).
 * `ciTimeLimitMs` bounds slow properties (scaled like the runs), so that shrinking a case that
 * fails only at a deadline cannot run past mocha's timeout.
 */
export function propertyRuns<T>(ciRuns: number, options: { ciTimeLimitMs?: number } = {}): Parameters<T> {
  const seed = integerFrom('FC_SEED', false) ?? CI_SEED;
  const numRuns = integerFrom('FC_RUNS') ?? Math.max(1, Math.round(ciRuns * (numberFrom('FC_SCALE') ?? 1)));
  const timeLimit =
    integerFrom('FC_TIME_LIMIT_MS') ?? (options.ciTimeLimitMs === undefined ? undefined : Math.round(options.ciTimeLimitMs * runScale()));
  return timeLimit === undefined ? { seed, numRuns } : { seed, numRuns, interruptAfterTimeLimit: timeLimit, markInterruptAsFailure: false };
}

/** How much bigger than in CI this run is; tests scale their mocha timeout by it. */
export function runScale(): number {
  const runs = integerFrom('FC_RUNS');
  return Math.max(1, numberFrom('FC_SCALE') ?? 1, runs === undefined ? 1 : runs / 50);
}

function numberFrom(name: string, positive = true): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (positive && value <= 0)) throw new Error(`${name} must be a positive number, got '${text}'`);
  return value;
}

function integerFrom(name: string, positive = true): number | undefined {
  const value = numberFrom(name, positive);
  if (value !== undefined && !Number.isInteger(value)) throw new Error(`${name} must be an integer, got '${value}'`);
  return value;
}
