import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { createJobWorker } from '../src/jobs/job-queue';
import { scheduleRetention } from '../src/modules/retention/retention.schedule';
import { purgeIdentities } from '../src/modules/retention/retention.service';
import { createLogger } from '../src/logger';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput, type ReportBody } from './support/reports';

const DAY = 86_400_000;

describe('identity retention', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const purge = (extra: { dryRun?: boolean; batchSize?: number } = {}) =>
    purgeIdentities(hub.em(), { retentionDays: 365, batchSize: 500, ...extra });

  /** An EMS agency of its own, so counts per reporter see only this test's data. */
  const reporter = async (): Promise<{ ems: Actor; county: string }> => {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    return { ems: await makeUser(hub, Role.EMS_PROVIDER, { agency }), county };
  };

  /** Reports an overdose through intake; its case then ends (or not) `closedDaysAgo` days ago. */
  const report = async (
    ems: Actor,
    county: string,
    closedDaysAgo: number | 'open',
    input: ReportBody = reportInput(county),
  ) => {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input },
      ems.token,
    );
    expect(response.errors).toBeUndefined();
    const incidentId = response.data!.reportIncident.incident.id;
    if (closedDaysAgo !== 'open') {
      await hub.em().execute(
        `update overdose_case set status = 'CLOSED', close_reason = 'UNABLE_TO_CONTACT',
                closed_at = ?::timestamptz where index_incident_id = ?`,
        [new Date(Date.now() - closedDaysAgo * DAY).toISOString(), incidentId],
      );
    } else {
      await hub
        .em()
        .execute(
          `update overdose_case set status = 'OUTREACH', closed_at = null where index_incident_id = ?`,
          [incidentId],
        );
    }
    const [{ person_id }] = await hub
      .em()
      .execute<Array<{ person_id: string }>>(
        'select person_id from overdose_incident where id = ?',
        [incidentId],
      );
    return { incidentId, personId: person_id, input };
  };

  /**
   * The person row with every identity value held for them in any source (what reporters
   * entered, what outreach agencies recorded): null where no source holds one.
   */
  const rawPerson = async (id: string) =>
    (
      await hub.em().execute<Array<Record<string, unknown>>>(
        `select p.*, r.first_name, r.last_name, r.date_of_birth, r.phone, r.street, r.city,
                r.state, r.zip, cr.safe_contact_times, cr.preferred_contact_method
           from person p
           left join lateral (select ri.* from reported_identity ri
                                join overdose_incident i on i.id = ri.incident_id
                               where i.person_id = p.id limit 1) r on true
           left join lateral (select * from contact_record c
                               where c.person_id = p.id limit 1) cr on true
          where p.id = ?`,
        [id],
      )
    )[0];
  const reportedIdentities = async (incidentId: string) =>
    (
      await hub
        .em()
        .execute('select count(*)::int as n from reported_identity where incident_id = ?', [
          incidentId,
        ])
    )[0].n;

  it('purges the identity of a person whose only case closed 400 days ago', async () => {
    const { ems, county } = await reporter();
    const { personId, incidentId } = await report(ems, county, 400);
    await hub.em().execute(
      `insert into contact_record (id, created_at, updated_at, person_id, agency_id,
                                   safe_contact_times)
       values (gen_random_uuid(), now(), now(), ?, gen_random_uuid(), 'evenings')`,
      [personId],
    );
    const before = await rawPerson(personId);
    expect(before.first_name).not.toBeNull();
    expect(before.safe_contact_times).toBe('evenings');

    await purge();

    const after = await rawPerson(personId);
    expect(after).toMatchObject({
      first_name: null,
      last_name: null,
      date_of_birth: null,
      phone: null,
      street: null,
      city: null,
      state: null,
      zip: null,
      safe_contact_times: null,
      preferred_contact_method: null,
      // Kept: the blind index re-links a returning person; the de-identified facts stay.
      person_key: before.person_key,
      sex: before.sex,
      do_not_contact: before.do_not_contact,
    });
    expect(await reportedIdentities(incidentId)).toBe(0);
  });

  it('keeps a person who still has an open case, even with an old closed one', async () => {
    const { ems, county } = await reporter();
    // Hours apart: two overdoses, not two reports of one.
    const input = reportInput(county, {
      occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
    });
    const old = await report(ems, county, 400, input);
    const again = await report(ems, county, 'open', {
      ...reportInput(county),
      survivor: input.survivor,
    });
    expect(again.personId).toBe(old.personId);

    await purge();

    expect((await rawPerson(old.personId)).first_name).not.toBeNull();
    expect(await reportedIdentities(old.incidentId)).toBe(1);
  });

  it('keeps a person whose case closed recently', async () => {
    const { ems, county } = await reporter();
    const { personId, incidentId } = await report(ems, county, 30);
    await purge();
    expect((await rawPerson(personId)).first_name).not.toBeNull();
    expect(await reportedIdentities(incidentId)).toBe(1);
  });

  it('leaves the counts statistics are built from unchanged', async () => {
    const { ems, county } = await reporter();
    await report(ems, county, 400);
    await report(ems, county, 400);
    await report(ems, county, 'open');
    const counts = () =>
      hub.em().execute(
        `select count(*)::int as cases, count(distinct c.person_id)::int as people,
                count(*) filter (where c.status = 'CLOSED')::int as closed,
                count(*) filter (where p.sex = 'FEMALE')::int as female,
                min(i.county) as county, count(distinct date_trunc('month', i.occurred_at))::int as months
           from overdose_case c
           join overdose_incident i on i.id = c.index_incident_id
           join person p on p.id = c.person_id
          where i.reporting_agency_id = ?`,
        [ems.agency.id],
      );
    const before = await counts();
    await purge();
    expect(await counts()).toEqual(before);
    expect(before[0]).toMatchObject({ cases: 3, people: 3, closed: 2, female: 3, county });
  });

  it('audits each batch with counts and person ids, never a value', async () => {
    const { ems, county } = await reporter();
    const first = await report(ems, county, 400);
    const second = await report(ems, county, 401);

    await purge({ batchSize: 1 });

    const rows = await hub.em().execute<Array<Record<string, unknown>>>(
      `select * from audit_event where action = 'RETENTION_PURGE'
          and (person_ids @> array[?::uuid] or person_ids @> array[?::uuid])`,
      [first.personId, second.personId],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({
        actor_kind: 'SYSTEM',
        entity_type: 'Person',
        outcome: 'ALLOWED',
        details: expect.objectContaining({ persons: 1, reportedIdentities: 1, retentionDays: 365 }),
      });
    }
    const stored = JSON.stringify(rows);
    const survivor = first.input.survivor as { firstName: string; phone: string };
    expect(stored).not.toContain(survivor.firstName);
    expect(stored).not.toContain(survivor.phone);
  });

  it('changes nothing and writes no audit row on a dry run', async () => {
    const { ems, county } = await reporter();
    const { personId } = await report(ems, county, 400);
    const summary = await purge({ dryRun: true });
    expect(summary.persons).toBeGreaterThanOrEqual(1);
    expect((await rawPerson(personId)).first_name).not.toBeNull();
    const [{ n }] = await hub
      .em()
      .execute(`select count(*)::int as n from audit_event where person_ids @> array[?::uuid]`, [
        personId,
      ]);
    expect(n).toBe(0);
  });

  it('re-links a returning person to the same record, with the new report’s name', async () => {
    const { ems, county } = await reporter();
    // Hours apart: two overdoses, not two reports of one.
    const input = reportInput(county, {
      occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
    });
    const old = await report(ems, county, 400, input);
    await purge();
    const again = await report(ems, county, 'open', {
      ...reportInput(county),
      survivor: input.survivor,
    });
    expect(again.personId).toBe(old.personId);
    const entered = await hub.em().findOneOrFail(ReportedIdentity, { incident: again.incidentId });
    expect(entered.firstName).toBe((input.survivor as { firstName: string }).firstName);
  });

  describe('the run on the job queue', () => {
    const settings = { retentionDays: 365, batchSize: 500 };
    const logger = createLogger('silent');
    const waitFor = async (check: () => Promise<boolean>) => {
      // Up to 30 s: the first run is 10 ms after the start, but a loaded machine can be slow.
      for (let i = 0; i < 600 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
    };
    /** A worker of its own queue, so the hub's own timers do not run here. */
    const worker = () =>
      createJobWorker(
        hub.server.orm,
        {
          queue: `retention-${Math.random().toString(36).slice(2, 10)}`,
          pollMs: 50,
          leaseSeconds: 60,
          retryBaseSeconds: 1,
          retryMaxSeconds: 1,
        },
        logger,
      );
    const timerRow = async (queue: string) =>
      (
        await hub
          .em()
          .getConnection()
          .execute<Array<{ every_seconds: number; run_at: Date }>>(
            `select every_seconds, run_at from hub_job where queue = ? and key = 'retention-purge'`,
            [queue],
          )
      )[0];

    it('purges on its timer, then schedules the next run an interval later', async () => {
      const { ems, county } = await reporter();
      const { personId } = await report(ems, county, 400);
      const jobs = worker();
      await scheduleRetention(jobs, hub.server.orm, { ...settings, intervalHours: 24 }, logger, 0);
      jobs.start();
      await waitFor(async () => (await rawPerson(personId)).first_name === null);
      await jobs.stop();
      expect((await rawPerson(personId)).first_name).toBeNull();
      const timer = await timerRow(jobs.queue);
      expect(timer.every_seconds).toBe(24 * 3600);
      expect(new Date(timer.run_at).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    });

    it('does nothing when turned off (interval 0)', async () => {
      const { ems, county } = await reporter();
      const { personId } = await report(ems, county, 400);
      const jobs = worker();
      await scheduleRetention(jobs, hub.server.orm, { ...settings, intervalHours: 0 }, logger, 0);
      jobs.start();
      await new Promise((r) => setTimeout(r, 300));
      await jobs.stop();
      expect(await timerRow(jobs.queue)).toBeUndefined();
      expect((await rawPerson(personId)).first_name).not.toBeNull();
    });
  });
});
