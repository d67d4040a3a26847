import { registerEnumType } from 'type-graphql';

/** Whose numbers: the caller's own agency (internal, exact) or its jurisdiction (shared). */
export enum StatsScope {
  OWN_AGENCY = 'OWN_AGENCY',
  JURISDICTION = 'JURISDICTION',
}

registerEnumType(StatsScope, {
  name: 'StatsScope',
  description:
    'OWN_AGENCY: your agency’s own reports and the cases routed to it, exact and marked internal (every read audited). JURISDICTION: every overdose in your agency’s service counties, under the disclosure rule (suppressed and perturbed). Agency admins always get OWN_AGENCY; researchers always get shared numbers.',
});
