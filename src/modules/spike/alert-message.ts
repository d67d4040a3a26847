import { countyName } from './county-adjacency';

export interface AlertFacts {
  alertId: string;
  county: string;
  scope: string;
  counties: string[];
  substance: string | null;
  windowHours: number;
  count: number;
  threshold: number;
  raisedAt: Date;
}

export interface AlertMessage {
  subject: string;
  text: string;
  /** The webhook body and push data: the same facts, machine-readable. */
  data: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * What an alert says to people: county, window, substance, and the count only when it is above
 * the disclosure threshold (domain.md §6.5: counts 1–10 are never published). Built from the
 * alert's aggregate alone, so it cannot carry anyone's identity.
 */
export function alertMessage(facts: AlertFacts, smallCellMax: number): AlertMessage {
  const name = countyName(facts.county);
  const where = name ? `${name} County (FIPS ${facts.county})` : `county ${facts.county}`;
  const window = facts.windowHours === 24 ? 'the last 24 hours' : 'the last 7 days';
  const what = facts.substance
    ? `suspected overdoses involving ${facts.substance.toLowerCase().replace(/_/g, ' ')}`
    : 'suspected overdoses';
  const pooled =
    facts.scope === 'NEIGHBOURS'
      ? ` counted together with its ${facts.counties.length - 1} neighbouring counties`
      : '';
  const published = facts.count > smallCellMax;
  const count = published
    ? `${facts.count} ${what}`
    : `${what} at or above the alert threshold of ${facts.threshold} (the exact count is withheld: ${smallCellMax} or fewer)`;
  const subject = `Overdose spike alert: ${where}${facts.substance ? `, ${facts.substance}` : ''}`;
  const text = [
    `An overdose spike was detected in ${where}${pooled}.`,
    `In ${window}: ${count}.`,
    `Raised at ${facts.raisedAt.toISOString()}. Alert id ${facts.alertId}.`,
    'Details are in the hub (spikeAlerts). This message carries no personal information.',
  ].join('\n');
  return {
    subject,
    text,
    data: {
      alertId: facts.alertId,
      county: facts.county,
      countyName: name ?? null,
      scope: facts.scope,
      counties: facts.counties,
      substance: facts.substance,
      windowHours: facts.windowHours,
      count: published ? facts.count : null,
      countSuppressed: !published,
      threshold: facts.threshold,
      raisedAt: facts.raisedAt.toISOString(),
    },
  };
}
