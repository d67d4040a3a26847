import type { ProtectedCell, ProtectedTable } from './aggregate.service';
import type {
  DashboardGridRowType,
  FollowUpStatsRowType,
  OutcomeStatsRowType,
  OverdoseStatsRowType,
  ReportingLagType,
  TimeToEventType,
} from './aggregate.types';
import type { StatsDimension } from './stats-dimension';

export interface Table<R> {
  groupBy: StatsDimension[];
  internal: boolean;
  timeZone: string;
  rows: R[];
  subtotals: R[];
  total: R;
}

/** Splits protected cells into rows, subtotals and the total, shaping each with `shape`. */
export function toTable<R>(table: ProtectedTable, shape: (cell: ProtectedCell) => R): Table<R> {
  const of = (kind: ProtectedCell['kind']) => table.cells.filter((c) => c.kind === kind).map(shape);
  return {
    groupBy: table.groupBy,
    internal: table.internal,
    timeZone: table.timeZone,
    rows: of('row'),
    subtotals: of('subtotal'),
    total: of('total')[0],
  };
}

const lag = (c: ProtectedCell, basis: string): ReportingLagType => ({
  medianHours: c.hours('lagMedian', basis),
  p90Hours: c.hours('lagP90', basis),
});

/*
 * The rows below read their counts and rates when GraphQL asks for them (getters): an answer
 * selects a few of a row's fields, and each count read is one count of the whole table put
 * through disclosure control (aggregate.service.ts, publishShared_). The same values as eager
 * properties, computed only when read.
 */

export const overdoseRow = (c: ProtectedCell): OverdoseStatsRowType => ({
  group: c.group,
  get incidents() {
    return c.count('incidents');
  },
  get fatal() {
    return c.count('fatal');
  },
  get fatalShare() {
    return c.rate('fatal', 'incidents');
  },
  get naloxoneDoses() {
    return c.count('naloxoneDoses');
  },
  get naloxonePerIncident() {
    return c.rate('naloxoneDoses', 'incidents');
  },
  get multipleNaloxone() {
    return c.count('multipleNaloxone');
  },
  get multipleNaloxoneShare() {
    return c.rate('multipleNaloxone', 'incidents');
  },
  get refusedTransport() {
    return c.count('refusedTransport');
  },
  get refusedTransportShare() {
    return c.rate('refusedTransport', 'incidents');
  },
  get ratePer100k() {
    return c.ratePer100k('incidents');
  },
  get reportingLag() {
    return lag(c, 'incidents');
  },
});

function timeTo(c: ProtectedCell, event: 'attempt' | 'contact'): TimeToEventType {
  const basis = event === 'attempt' ? 'attempted' : 'contacted';
  return {
    medianHours: c.hours(`${event}Median`, basis),
    p90Hours: c.hours(`${event}P90`, basis),
    within24h: c.rate(`${basis}24h`, basis),
    within72h: c.rate(`${basis}72h`, basis),
    suppressed: c.count(basis).suppressed,
  };
}

export const followUpRow = (c: ProtectedCell): FollowUpStatsRowType => {
  const early = c.count('contactedBefore24h');
  return {
    group: c.group,
    cases: c.count('cases'),
    routed: c.count('routed'),
    attemptedWithin72hOfRouted: c.rate('routedAttempted72h', 'routed'),
    contactedBefore24h: early,
    contactedBefore24hShare: c.rate('contactedBefore24h', 'contacted'),
    // A suppressed count is shown as a caution too: it is not zero.
    earlyContactCaution: early.suppressed || (early.value ?? 0) > 0,
    withContactInfo: c.count('withContactInfo'),
    completeness: c.rate('withContactInfo', 'cases'),
    reportingLag: lag(c, 'cases'),
    attempted: c.count('attempted'),
    contacted: c.count('contacted'),
    engaged: c.count('engaged'),
    linked: c.count('linked'),
    contactRate: c.rate('contacted', 'cases'),
    engagementRate: c.rate('engaged', 'contacted'),
    linkageRate: c.rate('linked', 'engaged'),
    timeToFirstAttempt: timeTo(c, 'attempt'),
    timeToFirstContact: timeTo(c, 'contact'),
    naloxoneKitsLeft: c.count('naloxoneKitsLeft'),
  };
};

export const outcomeRow = (c: ProtectedCell): OutcomeStatsRowType => ({
  group: c.group,
  get cases() {
    return c.count('cases');
  },
  get contacted() {
    return c.count('contacted');
  },
  get engaged() {
    return c.count('engaged');
  },
  get linked() {
    return c.count('linked');
  },
  get treatmentEntered() {
    return c.count('treatmentEntered');
  },
  get identified() {
    return c.count('identified');
  },
  get repeatWithin30Days() {
    return c.count('repeatWithin30Days');
  },
  get repeatWithin90Days() {
    return c.count('repeatWithin90Days');
  },
  get leadEnrolled() {
    return c.count('leadEnrolled');
  },
  get contactRate() {
    return c.rate('contacted', 'cases');
  },
  get engagementRate() {
    return c.rate('engaged', 'contacted');
  },
  get linkageRate() {
    return c.rate('linked', 'engaged');
  },
  get treatmentRate() {
    return c.rate('treatmentEntered', 'cases');
  },
  get repeat30Rate() {
    return c.rate('repeatWithin30Days', 'identified');
  },
  get repeat90Rate() {
    return c.rate('repeatWithin90Days', 'identified');
  },
  get leadEnrolmentRate() {
    return c.rate('leadEnrolled', 'cases');
  },
});

export const gridRow = (c: ProtectedCell): DashboardGridRowType => ({
  group: c.group,
  incidents: c.count('incidents'),
  fatal: c.count('fatal'),
  naloxoneDoses: c.count('naloxoneDoses'),
  contacted: c.count('contacted'),
  ratePer100k: c.ratePer100k('incidents'),
});
