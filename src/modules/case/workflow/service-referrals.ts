import { raw, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { decodeCursor, toPage } from '../../../common/cursor';
import { pageSize, type Page } from '../../../common/pagination';
import { Role } from '../../../common/role';
import { isUuid } from '../../../common/uuid';
import { isPart2Released, part2ReleasedSql } from '../../../rules/part2-release';
import { badInput, notFound } from '../../../errors/hub-errors';
import { AgencyKind } from '../../agency/agency-kind';
import { Agency } from '../../agency/agency.entity';
import { TreatmentResource } from '../../resource/treatment-resource.entity';
import { actorOf, changeCase } from './case-lock';
import { CaseStatus, ReferralStatus, ReferralType } from '../case-codes';
import { Referral } from '../referral.entity';
import type {
  CreateServiceReferralArgs,
  UpdateServiceReferralArgs,
} from '../service-referral.input';

/** Onward referral types; FOLLOW_UP_OUTREACH is routing and LEAD has its own track. */
export const ONWARD_REFERRAL_TYPES: readonly ReferralType[] = [
  ReferralType.TREATMENT_MOUD,
  ReferralType.DETOX,
  ReferralType.SYRINGE_SERVICES,
  ReferralType.PEER_SUPPORT,
  ReferralType.HOUSING,
];

/** A person is referred onward once engaged, and may be again while linked or in follow-up. */
const REFERRING_STATUSES: readonly CaseStatus[] = [
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
];

/** Health and social-service agencies only: treatment records must never reach law enforcement. */
const RECEIVING_KINDS: readonly AgencyKind[] = [
  AgencyKind.TREATMENT,
  AgencyKind.HARM_REDUCTION,
  AgencyKind.PUBLIC_HEALTH,
];

/** FHIR Task status moves for a referral: requested → accepted/rejected/cancelled → completed/failed. */
const NEXT_STATUS: Record<ReferralStatus, readonly ReferralStatus[]> = {
  [ReferralStatus.REQUESTED]: [
    ReferralStatus.ACCEPTED,
    ReferralStatus.REJECTED,
    ReferralStatus.CANCELLED,
  ],
  [ReferralStatus.ACCEPTED]: [
    ReferralStatus.COMPLETED,
    ReferralStatus.FAILED,
    ReferralStatus.CANCELLED,
  ],
  [ReferralStatus.REJECTED]: [],
  [ReferralStatus.COMPLETED]: [],
  [ReferralStatus.FAILED]: [],
  [ReferralStatus.CANCELLED]: [],
};

export async function createServiceReferral(
  em: EntityManager,
  viewer: Viewer,
  args: CreateServiceReferralArgs,
): Promise<Referral> {
  const { input } = args;
  if (!ONWARD_REFERRAL_TYPES.includes(input.type)) {
    throw badInput({
      field: 'input.type',
      message: `must be one of ${ONWARD_REFERRAL_TYPES.join(', ')} (LEAD referrals use referToLead)`,
    });
  }
  if (!input.toResourceId && !input.toAgencyId) {
    throw badInput({ field: 'input.toResourceId', message: 'give a resource, an agency, or both' });
  }
  return changeCase(em, viewer, args, async (tem, kase) => {
    if (!REFERRING_STATUSES.includes(kase.status)) {
      throw badInput({
        field: 'caseId',
        message: `the case is ${kase.status}; onward referrals are made from ${REFERRING_STATUSES.join(', ')}`,
      });
    }
    const resource = input.toResourceId ? await usableResource(tem, input.toResourceId) : undefined;
    const agency = input.toAgencyId ? await receivingAgency(tem, input.toAgencyId) : undefined;
    const referral = tem.create(Referral, {
      case: kase,
      type: input.type,
      toResource: resource,
      toAgency: agency,
    });
    // Touch the case so its version moves: a referral changes what LINKED may rely on.
    kase.updatedAt = new Date();
    return referral;
  });
}

async function usableResource(em: EntityManager, id: string): Promise<TreatmentResource> {
  const resource = isUuid(id)
    ? await em.findOne(TreatmentResource, { id }, { populate: ['agency'] })
    : null;
  if (!resource)
    throw badInput({ field: 'input.toResourceId', message: 'is not in the resource directory' });
  // The agency keeping a listing receives the referral: it must be one that may hold Part 2 data.
  const keeper = resource.agency?.getEntity();
  if (keeper && !RECEIVING_KINDS.includes(keeper.kind)) {
    throw badInput({
      field: 'input.toResourceId',
      message: `is not kept by a ${RECEIVING_KINDS.join(', ')} agency`,
    });
  }
  if (!resource.active)
    throw badInput({ field: 'input.toResourceId', message: 'is no longer active' });
  if (!resource.acceptingNewClients) {
    throw badInput({ field: 'input.toResourceId', message: 'is not accepting new clients' });
  }
  return resource;
}

async function receivingAgency(em: EntityManager, id: string): Promise<Agency> {
  const agency = isUuid(id) ? await em.findOne(Agency, { id, active: true }) : null;
  if (!agency || !RECEIVING_KINDS.includes(agency.kind)) {
    throw badInput({
      field: 'input.toAgencyId',
      message: `must be an active ${RECEIVING_KINDS.join(', ')} agency`,
    });
  }
  return agency;
}

/**
 * Either side moves a referral on, as with a FHIR Task: the receiving agency (or the agency that
 * keeps the directory entry) accepts, rejects, completes or fails it; the referring outreach
 * agency may cancel it, and records the result itself when no agency on the hub receives it.
 */
export async function updateServiceReferralStatus(
  em: EntityManager,
  viewer: Viewer,
  args: UpdateServiceReferralArgs,
): Promise<Referral> {
  return em.transactional(async (tem) => {
    const referral = isUuid(args.referralId)
      ? await tem.findOne(
          Referral,
          { id: args.referralId, type: { $in: [...ONWARD_REFERRAL_TYPES] } },
          { populate: ['case', 'toResource'] },
        )
      : null;
    const side = referral ? sideOf(viewer, referral) : undefined;
    if (!referral || !side) throw notFound('Referral');
    // A Part 2 program's referral the receiver may not have answers like a missing one.
    const released = await isPart2Released(
      tem,
      { part2ProgramId: referral.part2ProgramId, personId: referral.case.getEntity().person?.id },
      viewer.agencyId,
    );
    if (!released) throw notFound('Referral');

    const allowed = NEXT_STATUS[referral.status as ReferralStatus].filter((s) =>
      mayChoose(side, referral, s),
    );
    if (!allowed.includes(args.status)) {
      throw badInput({
        field: 'status',
        message: `the referral is ${referral.status}; you may set: ${allowed.length ? allowed.join(', ') : 'nothing'}`,
      });
    }
    if (args.status === ReferralStatus.REJECTED && !args.reason?.trim()) {
      throw badInput({ field: 'reason', message: 'is required when rejecting a referral' });
    }
    referral.status = args.status;
    referral.statusReason = args.reason?.trim() || undefined;
    referral.respondedAt = new Date();
    referral.respondedById = actorOf(viewer);
    return referral;
  });
}

type Side = 'REQUESTER' | 'RECEIVER';

/**
 * Only a health or social-service agency receives onward referrals, whatever a directory listing
 * says about who keeps it: a police department or LEAD program never reads treatment referrals.
 */
function receivesReferrals(viewer: Viewer): boolean {
  // An agency running follow-up (an EMS or health-department program included) is a
  // health or social-service agency too: law enforcement can never run follow-up.
  return RECEIVING_KINDS.includes(viewer.agencyKind) || viewer.runsFollowUp === true;
}

function receivingAgencyId(referral: Referral): string | undefined {
  return referral.toAgency?.id ?? referral.toResource?.getEntity().agency?.id;
}

function sideOf(viewer: Viewer, referral: Referral): Side | undefined {
  if (receivesReferrals(viewer) && receivingAgencyId(referral) === viewer.agencyId) {
    return 'RECEIVER';
  }
  const requester = referral.case.getEntity().routedAgency?.id === viewer.agencyId;
  return requester && viewer.role === Role.OUTREACH_WORKER ? 'REQUESTER' : undefined;
}

function mayChoose(side: Side, referral: Referral, status: ReferralStatus): boolean {
  if (status === ReferralStatus.CANCELLED) return side === 'REQUESTER';
  // With no receiving agency on the hub, the outreach worker records what happened.
  return side === 'RECEIVER' || receivingAgencyId(referral) === undefined;
}

/** Referrals received by the caller's agency (directly or through its directory entries). */
export async function listIncomingServiceReferrals(
  em: EntityManager,
  viewer: Viewer,
  first: number | undefined,
  after: string | undefined,
): Promise<Page<Referral>> {
  const size = pageSize(first);
  const cursor = decodeCursor('serviceReferrals', after);
  if (!receivesReferrals(viewer))
    return toPage('serviceReferrals', [], size, 0, (r: Referral) => ({
      at: r.createdAt,
      id: r.id,
    }));
  // A raw fragment is spent by the query that uses it: the list and its count get one each.
  const where = () => ({
    type: { $in: [...ONWARD_REFERRAL_TYPES] },
    $or: [{ toAgency: viewer.agencyId }, { toResource: { agency: viewer.agencyId } }],
    // 42 CFR Part 2: a Part 2 program's referral only under its consent naming this agency;
    // otherwise it is not listed and not counted (rules/part2-release.ts).
    [raw(
      (alias) =>
        part2ReleasedSql(
          alias,
          `(select pc.person_id from overdose_case pc where pc.id = ${alias}.case_id)`,
          '?::uuid',
        ),
      [viewer.agencyId, viewer.agencyId],
    )]: true,
  });
  const page = cursor
    ? {
        $and: [
          where(),
          {
            $or: [
              { createdAt: { $lt: cursor.at } },
              { createdAt: cursor.at, id: { $lt: cursor.id } },
            ],
          },
        ],
      }
    : where();
  const [rows, total] = await Promise.all([
    em.find(Referral, page, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 }),
    em.count(Referral, where()),
  ]);
  return toPage('serviceReferrals', rows, size, total, (r) => ({ at: r.createdAt, id: r.id }));
}
