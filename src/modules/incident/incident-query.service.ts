import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeCursor, pageSize, toPage, type Page } from '../../common/pagination';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { OverdoseIncident } from './incident.entity';
import type { IncidentFilter } from './incident.input-filter';

/**
 * A reporter's incident by id. Only the reporting agency's own incidents exist for it: anything
 * else answers exactly like a missing id.
 */
export async function getOwnIncident(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<OverdoseIncident> {
  const incident = isUuid(id)
    ? await em.findOne(OverdoseIncident, { id, reportingAgency: viewer.agencyId })
    : null;
  if (!incident) throw notFound('Incident');
  return incident;
}

/** The reporting agency's incidents, newest first, cursor-paginated; scope is in the query. */
export async function listOwnIncidents(
  em: EntityManager,
  viewer: Viewer,
  filter: IncidentFilter | undefined,
  first: number | undefined,
  after: string | undefined,
): Promise<Page<OverdoseIncident>> {
  const size = pageSize(first);
  const cursor = decodeCursor(after);
  if (filter?.occurredFrom && filter.occurredTo && filter.occurredTo <= filter.occurredFrom) {
    throw badInput({ field: 'filter.occurredTo', message: 'must be after occurredFrom' });
  }
  const where: FilterQuery<OverdoseIncident> = {
    reportingAgency: viewer.agencyId,
    ...(filter?.county ? { county: filter.county } : {}),
    ...(filter?.fatal !== undefined && filter?.fatal !== null ? { fatal: filter.fatal } : {}),
    ...(filter?.occurredFrom || filter?.occurredTo
      ? {
          occurredAt: {
            ...(filter.occurredFrom ? { $gte: filter.occurredFrom } : {}),
            ...(filter.occurredTo ? { $lt: filter.occurredTo } : {}),
          },
        }
      : {}),
  };
  const pageWhere: FilterQuery<OverdoseIncident> = cursor
    ? {
        $and: [
          where,
          {
            $or: [
              { occurredAt: { $lt: cursor.at } },
              { occurredAt: cursor.at, id: { $lt: cursor.id } },
            ],
          },
        ],
      }
    : where;
  const [rows, total] = await Promise.all([
    em.find(OverdoseIncident, pageWhere, {
      orderBy: { occurredAt: 'desc', id: 'desc' },
      limit: size + 1,
    }),
    em.count(OverdoseIncident, where),
  ]);
  return toPage(rows, size, total, (row) => ({ at: row.occurredAt, id: row.id }));
}
