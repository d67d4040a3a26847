import type { EntityManager, QueryBuilder } from '@mikro-orm/postgresql';
import type { Cursor } from '../../common/pagination';
import { pgArray } from '../../common/sql';
import { OPEN_AT_SQL } from './opening-hours';
import type { ResourceFilter } from './resource.input';
import { TreatmentResource } from './treatment-resource.entity';

/**
 * The directory search as one SQL query on alias `r`: every filter, including `openNow`, is a
 * condition in the database, so pages and `totalCount` agree with what is shown. Filter values
 * arrive already validated (enum names, FIPS digits, language letters), and all are bound.
 */
function search(
  em: EntityManager,
  filter: ResourceFilter | undefined,
  at: Date,
): QueryBuilder<TreatmentResource> {
  const qb = em.createQueryBuilder(TreatmentResource, 'r');
  qb.where(filter?.includeInactive ? {} : { active: true });
  if (filter?.county) qb.andWhere({ county: filter.county });
  if (isSet(filter?.acceptingNewClients)) {
    qb.andWhere({ acceptingNewClients: filter.acceptingNewClients });
  }
  if (filter?.service) {
    qb.andWhere('r.services @> ?::resource_service[]', [pgArray([filter.service])]);
  }
  if (filter?.moud) qb.andWhere('r.moud @> ?::moud_type[]', [pgArray([filter.moud])]);
  if (filter?.paymentAccepted?.length) {
    // Overlap: the resource takes at least one of the ways the person can pay.
    qb.andWhere('r.payment_accepted && ?::payment_accepted[]', [pgArray(filter.paymentAccepted)]);
  }
  if (filter?.language) {
    const wanted = filter.language.toLowerCase();
    const primary = wanted.split('-')[0];
    qb.andWhere(
      `exists (select 1 from unnest(r.languages) as lang(code)
                where lower(lang.code) in (?, ?) or lower(lang.code) like ?)`,
      [wanted, primary, wanted === primary ? `${primary}-%` : wanted],
    );
  }
  if (isSet(filter?.openNow)) {
    qb.andWhere(filter.openNow ? OPEN_AT_SQL : `not ${OPEN_AT_SQL}`, [at.toISOString()]);
  }
  return qb;
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** A page in (createdAt, id) order after `after`, and the number of matches in all. */
export async function searchResources(
  em: EntityManager,
  filter: ResourceFilter | undefined,
  after: Cursor | undefined,
  limit: number,
  at: Date = new Date(),
): Promise<{ rows: TreatmentResource[]; totalCount: number }> {
  const page = search(em, filter, at);
  if (after) {
    page.andWhere('(r.created_at, r.id) > (?::timestamptz, ?::uuid)', [
      after.at.toISOString(),
      after.id,
    ]);
  }
  const [rows, totalCount] = await Promise.all([
    page.orderBy({ createdAt: 'asc', id: 'asc' }).limit(limit).getResultList(),
    search(em, filter, at).getCount(),
  ]);
  return { rows, totalCount };
}
