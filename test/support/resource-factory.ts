import type { Agency } from '../../src/modules/agency/agency.entity';
import { PaymentAccepted, ResourceService } from '../../src/modules/resource/resource-codes';
import { TreatmentResource } from '../../src/modules/resource/treatment-resource.entity';
import { unique, uniqueCounty } from './factories';
import type { TestHub } from './hub';

export type ResourceOverrides = Partial<
  Omit<TreatmentResource, 'id' | 'agency' | 'createdAt' | 'updatedAt'>
> & { agency?: Agency | null };

/**
 * A directory listing written straight to the database (no validation), so tests can set up any
 * state. Defaults: an outpatient clinic in a fresh county taking Medicaid, open weekdays 9–17 in
 * New York time, hub-maintained (no owning agency).
 */
export async function makeResource(
  hub: TestHub,
  overrides: ResourceOverrides = {},
): Promise<TreatmentResource> {
  const em = hub.em();
  const { agency, ...fields } = overrides;
  const resource = em.create(TreatmentResource, {
    name: `Clinic ${unique()}`,
    services: [ResourceService.OUTPATIENT],
    paymentAccepted: [PaymentAccepted.MEDICAID],
    hours: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
    timeZone: 'America/New_York',
    county: uniqueCounty(),
    ...fields,
    agency: agency ? agency.id : undefined,
  });
  await em.flush();
  return resource;
}
