import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import { ReportedIdentity } from '../person/reported-identity.entity';
import { ageBandOf } from './age-band';
import { IncidentAgeBand } from './incident-age-band.entity';

/**
 * Bands the survivor's age for the aggregates in the same flush (and transaction) that writes a
 * reported identity, while the date of birth is still in memory in the clear. Identities are
 * never updated in place (an amendment deletes and re-creates them), so creation is enough.
 */
export class StatsAgeBandSubscriber implements EventSubscriber {
  onFlush({ em, uow }: FlushEventArgs): void {
    for (const changeSet of uow.getChangeSets()) {
      if (changeSet.type !== ChangeSetType.CREATE) continue;
      if (!(changeSet.entity instanceof ReportedIdentity)) continue;
      const identity = changeSet.entity;
      const occurredAt = identity.incident.unwrap().occurredAt;
      const band = em.create(IncidentAgeBand, {
        identity,
        ageBand: ageBandOf(identity.dateOfBirth, occurredAt),
      });
      uow.computeChangeSet(band);
    }
  }
}
