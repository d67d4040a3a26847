import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { assertVersion, staleAsConflict } from '../../../common/optimistic-lock';
import { pgArray } from '../../../common/sql';
import { isUuid } from '../../../common/uuid';
import { badInput, notFound } from '../../../errors/hub-errors';
import { OverdoseEvent } from '../../incident/overdose-event.entity';
import {
  CaseStatus,
  CloseReason,
  OPEN_STATUSES,
  ReferralStatus,
  ReferralType,
} from '../case-codes';
import { caseScopeWhere } from '../case-scope';
import { Case } from '../case.entity';
import { EventMerge, type WithdrawnOutcome } from '../event-merge.entity';
import { Referral } from '../referral.entity';
import { actorOf } from './case-lock';
import { closeCases } from './close';
import { recordNote, recordTransition } from './timeline';

const STALE =
  'The overdose event was changed by someone else (a new report, or a merge); reload it and try again';

/**
 * What the merge needs from the modules above the case (outcome): a co-report is no repeat
 * overdose, so the automatic outcomes the absorbed reports produced are withdrawn, and written
 * again if the merge is undone.
 */
export interface MergeHooks {
  withdrawOutcomes(tx: EntityManager, incidentIds: readonly string[]): Promise<WithdrawnOutcome[]>;
  restoreOutcomes(tx: EntityManager, outcomes: readonly WithdrawnOutcome[]): Promise<void>;
}

export interface MergeEventsRequest {
  /** The event that goes away: its reports join `intoEventId`, its case closes DUPLICATE. */
  eventId: string;
  version: number;
  intoEventId: string;
  intoVersion: number;
}

export interface UndoMergeRequest {
  /** The event that was merged away. */
  eventId: string;
  version: number;
}

/**
 * An administrator of the agency both events' cases are routed to says two events are one
 * overdose (reports the intake did not match: an unnamed police report and a named EMS one).
 * One transaction: both events locked in id order, their versions checked (a new report that
 * joined either, or another merge, makes this one CONFLICT), the absorbed event's reports moved,
 * its case closed DUPLICATE through the one close and the surviving case noted on its timeline.
 * Two different people are never merged. Returns the surviving case's id.
 */
export async function mergeEvents(
  em: EntityManager,
  viewer: Viewer,
  args: MergeEventsRequest,
  hooks: MergeHooks,
): Promise<string> {
  if (!isUuid(args.eventId) || !isUuid(args.intoEventId)) throw notFound('OverdoseEvent');
  if (args.eventId === args.intoEventId) {
    throw badInput({ field: 'intoEventId', message: 'is the event itself' });
  }
  return staleAsConflict(STALE, () =>
    em.transactional(async (tx) => {
      const { events, cases } = await lockEvents(tx, viewer, [args.eventId, args.intoEventId]);
      const absorbed = events.get(args.eventId)!;
      const into = events.get(args.intoEventId)!;
      assertVersion(absorbed, args.version, STALE);
      assertVersion(into, args.intoVersion, STALE);
      for (const [event, field] of [
        [absorbed, 'eventId'],
        [into, 'intoEventId'],
      ] as const) {
        if (event.mergedInto) {
          throw badInput({ field, message: 'was merged into another event already' });
        }
      }
      if (absorbed.person && into.person && absorbed.person.id !== into.person.id) {
        throw badInput({
          field: 'intoEventId',
          message: 'is an overdose of a different person: events of two people are never merged',
        });
      }
      for (const [event, field] of [
        [absorbed, 'eventId'],
        [into, 'intoEventId'],
      ] as const) {
        if (cases.get(event.id)!.status === CaseStatus.ENTERED_IN_ERROR) {
          throw badInput({ field, message: 'has a case entered in error' });
        }
      }
      await mergeLocked(tx, { absorbed, into, cases }, actorOf(viewer), hooks);
      return cases.get(into.id)!.id;
    }),
  );
}

/**
 * A co-report the intake did not match when it arrived (reports from before events existed):
 * merged by the hub itself (`npm run cli -- merge-coreports`), with no caller scope. False when
 * the pair no longer qualifies (merged meanwhile, a case entered in error, two people).
 */
export async function mergeCoReport(
  em: EntityManager,
  pair: { eventId: string; intoEventId: string },
  hooks: MergeHooks,
): Promise<boolean> {
  return em.transactional(async (tx) => {
    const locked = await lockEventsIn(tx, {}, [pair.eventId, pair.intoEventId]);
    if (!locked) return false;
    const absorbed = locked.events.get(pair.eventId)!;
    const into = locked.events.get(pair.intoEventId)!;
    if (absorbed.mergedInto || into.mergedInto) return false;
    if (absorbed.person && into.person && absorbed.person.id !== into.person.id) return false;
    if ([...locked.cases.values()].some((c) => c.status === CaseStatus.ENTERED_IN_ERROR)) {
      return false;
    }
    await mergeLocked(tx, { absorbed, into, cases: locked.cases }, undefined, hooks);
    return true;
  });
}

/** The merge itself, on locked and checked events (see mergeEvents). */
async function mergeLocked(
  tx: EntityManager,
  {
    absorbed,
    into,
    cases,
  }: { absorbed: OverdoseEvent; into: OverdoseEvent; cases: Map<string, Case> },
  actorId: string | undefined,
  hooks: MergeHooks,
): Promise<void> {
  const absorbedCase = cases.get(absorbed.id)!;
  const intoCase = cases.get(into.id)!;

  const moved = await tx
    .getConnection()
    .execute<Array<{ id: string }>>(
      'update overdose_incident set event_id = ?, updated_at = now() where event_id = ? returning id',
      [into.id, absorbed.id],
      'all',
      tx.getTransactionContext(),
    );
  const movedIds = moved.map((row) => row.id).sort();
  absorbed.mergedInto = tx.getReference(OverdoseEvent, into.id, { wrapped: true });
  absorbed.updatedAt = new Date();
  // The surviving event learns who the person is if only the absorbed report named them.
  if (!into.person && absorbed.person) into.person = absorbed.person;
  into.updatedAt = new Date();

  const pending = await tx.find(Referral, {
    case: absorbedCase.id,
    type: ReferralType.FOLLOW_UP_OUTREACH,
    status: ReferralStatus.REQUESTED,
  });
  tx.create(EventMerge, {
    survivingEvent: into,
    absorbedEvent: absorbed,
    movedIncidentIds: movedIds,
    absorbedCase,
    absorbedCaseStatus: absorbedCase.status,
    absorbedCaseHoldReason: absorbedCase.holdReason,
    absorbedCaseResumeOn: absorbedCase.resumeOn,
    cancelledReferralIds: pending.map((r) => r.id),
    withdrawnOutcomes: await hooks.withdrawOutcomes(tx, movedIds),
    mergedById: actorId,
  });
  if (OPEN_STATUSES.includes(absorbedCase.status)) {
    await closeCases(tx, [absorbedCase], {
      reason: CloseReason.DUPLICATE,
      timelineReason: 'EVENT_MERGED',
      actorId,
    });
  } else {
    recordNote(tx, absorbedCase, 'EVENT_MERGED', actorId);
  }
  recordNote(tx, intoCase, 'EVENT_MERGED_IN', actorId);
  await tx.flush();
}

/**
 * Undoes the latest merge of an event: exactly the reports it moved go back, the event is its
 * own again, and its case returns to the state the merge found it in (hold and routing request
 * included) with a timeline entry on both cases. An event that is not merged is BAD_USER_INPUT;
 * a stale version (a report joined, another undo won) is CONFLICT. Returns the restored case's id.
 */
export async function undoEventMerge(
  em: EntityManager,
  viewer: Viewer,
  args: UndoMergeRequest,
  hooks: MergeHooks,
): Promise<string> {
  if (!isUuid(args.eventId)) throw notFound('OverdoseEvent');
  return staleAsConflict(STALE, () =>
    em.transactional(async (tx) => {
      const merge = await tx.findOne(
        EventMerge,
        { absorbedEvent: args.eventId, undoneAt: null },
        { orderBy: { createdAt: 'desc' } },
      );
      const survivingId = merge?.survivingEvent.id;
      const { events, cases } = await lockEvents(
        tx,
        viewer,
        survivingId ? [args.eventId, survivingId] : [args.eventId],
      );
      const absorbed = events.get(args.eventId)!;
      assertVersion(absorbed, args.version, STALE);
      if (!merge || absorbed.mergedInto?.id !== survivingId) {
        throw badInput({ field: 'eventId', message: 'was not merged into another event' });
      }
      const surviving = events.get(survivingId!)!;
      const actorId = actorOf(viewer)!;

      await tx
        .getConnection()
        .execute(
          'update overdose_incident set event_id = ?, updated_at = now() where id = any(?::uuid[]) and event_id = ?',
          [absorbed.id, pgArray(merge.movedIncidentIds), surviving.id],
          'run',
          tx.getTransactionContext(),
        );
      absorbed.mergedInto = undefined;
      absorbed.updatedAt = new Date();
      surviving.updatedAt = new Date();
      merge.undoneAt = new Date();
      merge.undoneById = actorId;

      const restored = cases.get(absorbed.id)!;
      if (restored.status === CaseStatus.CLOSED && merge.absorbedCaseStatus !== CaseStatus.CLOSED) {
        // The merge's close is taken back: an administrator's correction, not a reopening.
        recordTransition(tx, restored, merge.absorbedCaseStatus, {
          reason: 'EVENT_MERGE_UNDONE',
          actorId,
        });
        restoreCase(restored, merge);
        if (merge.cancelledReferralIds.length > 0) {
          const referrals = await tx.find(Referral, { id: { $in: merge.cancelledReferralIds } });
          for (const referral of referrals) {
            referral.status = ReferralStatus.REQUESTED;
            referral.respondedAt = undefined;
            referral.respondedById = undefined;
          }
        }
      } else {
        recordNote(tx, restored, 'EVENT_MERGE_UNDONE', actorId);
      }
      recordNote(tx, cases.get(surviving.id)!, 'EVENT_MERGE_UNDONE', actorId);
      await hooks.restoreOutcomes(tx, merge.withdrawnOutcomes);
      await tx.flush();
      return restored.id;
    }),
  );
}

/** Puts back what the close of the merge cleared (the status itself moved with the timeline). */
function restoreCase(kase: Case, merge: EventMerge): void {
  kase.closeReason = undefined;
  kase.closedAt = undefined;
  kase.holdReason = merge.absorbedCaseHoldReason;
  kase.resumeOn = merge.absorbedCaseResumeOn;
}

/**
 * The events and their cases, locked in id order. Each event's case must be in the caller's
 * scope (the agency its case is routed to); otherwise the event answers like a missing one.
 */
async function lockEvents(
  tx: EntityManager,
  viewer: Viewer,
  ids: readonly string[],
): Promise<LockedEvents> {
  const scope = caseScopeWhere(viewer);
  const locked = scope ? await lockEventsIn(tx, scope, ids) : null;
  if (!locked) throw notFound('OverdoseEvent');
  return locked;
}

interface LockedEvents {
  events: Map<string, OverdoseEvent>;
  /** By event id (a case's event has its index report's id). */
  cases: Map<string, Case>;
}

/** The events and their cases within `scope`, locked in id order; null when one is missing. */
async function lockEventsIn(
  tx: EntityManager,
  scope: { routedAgency?: string },
  ids: readonly string[],
): Promise<LockedEvents | null> {
  const lock = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;
  const events = await tx.find(
    OverdoseEvent,
    { id: { $in: [...ids] } },
    {
      ...lock,
      orderBy: { id: 'asc' },
    },
  );
  const cases = await tx.find(
    Case,
    { indexIncident: { $in: [...ids] }, ...scope },
    {
      ...lock,
      orderBy: { id: 'asc' },
    },
  );
  if (events.length !== ids.length || cases.length !== ids.length) return null;
  return {
    events: new Map(events.map((event) => [event.id, event])),
    cases: new Map(cases.map((kase) => [kase.indexIncident!.id, kase])),
  };
}
