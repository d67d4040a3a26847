/**
 * The spike test (docs/alerts.md, "Method"): a negative-binomial exceedance probability. The
 * county's daily rate is estimated from its baseline (c overdoses in T days) with a Jeffreys
 * prior, Gamma(c + ½, T); the count expected in a window of w days is then negative binomial
 * with r = c + ½ and p = T / (T + w). Unlike mean + k·sd of daily counts, this stays calibrated
 * at counts of 0, 1 or 2 a week, and it widens the threshold when the baseline is short or small.
 */

/** log Γ(x) for x > 0 (Lanczos, g = 7): enough precision for tail probabilities. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logPmf(k: number, r: number, p: number): number {
  return logGamma(r + k) - logGamma(r) - logGamma(k + 1) + r * Math.log(p) + k * Math.log1p(-p);
}

/** P(X ≥ k) for X ~ NegBin(r, p) (mean r(1 − p)/p), summed from whichever side is shorter. */
export function negBinUpperTail(k: number, r: number, p: number): number {
  if (k <= 0) return 1;
  const mean = (r * (1 - p)) / p;
  const tiny = 1e-15;
  if (k > mean) {
    let sum = 0;
    for (let j = k; j < k + 1_000_000; j++) {
      const term = Math.exp(logPmf(j, r, p));
      sum += term;
      if (j > mean && term < sum * tiny) break;
    }
    return Math.min(1, sum);
  }
  let lower = 0;
  for (let j = k - 1; j >= 0; j--) lower += Math.exp(logPmf(j, r, p));
  return Math.max(0, 1 - lower);
}

export interface Baseline {
  /** Overdoses counted in the baseline period. */
  count: number;
  days: number;
}

export interface SpikeTest {
  /** Overdoses expected in the window from the baseline. */
  expected: number;
  /** Probability of at least the observed count if nothing had changed. */
  exceedance: number;
  /** The smallest count that would be a spike: tail ≤ probability and ≥ minCount. */
  threshold: number;
}

export function spikeTest(
  observed: number,
  windowDays: number,
  baseline: Baseline,
  probability: number,
  minCount: number,
): SpikeTest {
  const r = baseline.count + 0.5;
  const p = baseline.days / (baseline.days + windowDays);
  const expected = (r * (1 - p)) / p;
  let threshold = Math.max(minCount, Math.floor(expected) + 1);
  while (negBinUpperTail(threshold, r, p) > probability) threshold++;
  return { expected, exceedance: negBinUpperTail(observed, r, p), threshold };
}
