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

export const overdoseRow = (c: ProtectedCell): OverdoseStatsRowType => ({
  group: c.group,
  incidents: c.count('incidents'),
  fatal: c.count('fatal'),
  fatalShare: c.rate('fatal', 'incidents'),
  naloxoneDoses: c.count('naloxoneDoses'),
  naloxonePerIncident: c.rate('naloxoneDoses', 'incidents'),
  multipleNaloxone: c.count('multipleNaloxone'),
  multipleNaloxoneShare: c.rate('multipleNaloxone', 'incidents'),
  refusedTransport: c.count('refusedTransport'),
  refusedTransportShare: c.rate('refusedTransport', 'incidents'),
  ratePer100k: c.ratePer100k('incidents'),
  reportingLag: lag(c, 'incidents'),
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
  cases: c.count('cases'),
  contacted: c.count('contacted'),
  engaged: c.count('engaged'),
  linked: c.count('linked'),
  treatmentEntered: c.count('treatmentEntered'),
  identified: c.count('identified'),
  repeatWithin30Days: c.count('repeatWithin30Days'),
  repeatWithin90Days: c.count('repeatWithin90Days'),
  leadEnrolled: c.count('leadEnrolled'),
  contactRate: c.rate('contacted', 'cases'),
  engagementRate: c.rate('engaged', 'contacted'),
  linkageRate: c.rate('linked', 'engaged'),
  treatmentRate: c.rate('treatmentEntered', 'cases'),
  repeat30Rate: c.rate('repeatWithin30Days', 'identified'),
  repeat90Rate: c.rate('repeatWithin90Days', 'identified'),
  leadEnrolmentRate: c.rate('leadEnrolled', 'cases'),
});

export const gridRow = (c: ProtectedCell): DashboardGridRowType => ({
  group: c.group,
  incidents: c.count('incidents'),
  fatal: c.count('fatal'),
  naloxoneDoses: c.count('naloxoneDoses'),
  contacted: c.count('contacted'),
  ratePer100k: c.ratePer100k('incidents'),
});
