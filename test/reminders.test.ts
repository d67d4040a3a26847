import { Role } from '../src/common/role';
import { CaseStatus } from '../src/modules/case/case-codes';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { createLogger } from '../src/logger';
import {
  reminderText,
  runReminderRound,
  type DeliveryChannels,
  type ReminderMessage,
} from '../src/modules/account/reminders';
import { makeAgency, makeRoutedCase, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';

/**
 * Reminders count what is new for a worker and say nothing else: no name, no place, no overdose.
 * Delivery is faked at the channel (mail transport and push service are third parties).
 */
describe('reminders', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  function fakeChannels() {
    const mail: Array<{ to: string; message: ReminderMessage }> = [];
    const push: Array<{ endpoint: string; message: ReminderMessage }> = [];
    const channels: DeliveryChannels = {
      sendMail: async (to, message) => void mail.push({ to, message }),
      sendPush: async (s, message) => {
        push.push({ endpoint: s.endpoint, message });
        return !s.endpoint.includes('gone');
      },
    };
    return { channels, mail, push };
  }

  it('words counts in English and Spanish, and nothing when there is nothing', () => {
    expect(reminderText({ newCases: 2, assigned: 0, due: 1 }, 'en')).toEqual({
      title: 'Hub',
      body: 'You have 2 new cases in the Hub. 1 visit is due.',
    });
    expect(reminderText({ newCases: 1, assigned: 1, due: 0 }, 'es')?.body).toBe(
      'Tiene 1 caso nuevo en el Hub. Le asignaron 1 caso.',
    );
    expect(reminderText({ newCases: 0, assigned: 0, due: 0 }, 'en')).toBeNull();
  });

  it('emails and pushes the worker who chose both, once, without the person or the overdose', async () => {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency });
    const settings = await hub.gql(
      'mutation { updateNotificationSettings(input: { byEmail: true }) { byEmail } }',
      {},
      worker.token,
    );
    expect(settings.errors).toBeUndefined();
    await hub.em().execute(
      `insert into push_subscription (id, created_at, updated_at, user_id, endpoint, p256dh, auth)
       values (gen_random_uuid(), now(), now(), ?, 'https://push.example/ok', 'k'||repeat('x',40), 'authauth'),
              (gen_random_uuid(), now(), now(), ?, 'https://push.example/gone', 'k'||repeat('x',40), 'authauth')`,
      [worker.user.id, worker.user.id],
    );
    await hub
      .em()
      .execute('update notification_setting set by_push = true where user_id = ?', [
        worker.user.id,
      ]);
    const routed = await makeRoutedCase(hub, {
      outreach: agency,
      county,
      person: { firstName: 'Zelda', lastName: 'Quint' },
    });
    await makeRoutedCase(hub, {
      outreach: agency,
      county,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
    });
    const { channels, mail, push } = fakeChannels();
    const logger = createLogger('silent');
    expect(
      await runReminderRound(hub.server.orm, channels, logger, new Date(Date.now() + 1000)),
    ).toBeGreaterThanOrEqual(1);
    const mine = mail.filter((m) => m.to === worker.user.email);
    expect(mine).toHaveLength(1);
    expect(mine[0].message.body).toBe('You have 1 new case in the Hub. 1 case was given to you.');
    const text = JSON.stringify([mine, push]);
    for (const secret of ['Zelda', 'Quint', 'overdose', county, routed.kase.id])
      expect(text).not.toContain(secret);
    expect(push.map((p) => p.endpoint).sort()).toEqual([
      'https://push.example/gone',
      'https://push.example/ok',
    ]);
    // A subscription the push service says is gone is forgotten.
    const left = await hub
      .em()
      .execute('select endpoint from push_subscription where user_id = ?', [worker.user.id]);
    expect(left).toEqual([{ endpoint: 'https://push.example/ok' }]);

    const again = fakeChannels();
    await runReminderRound(hub.server.orm, again.channels, logger, new Date(Date.now() + 2000));
    expect(again.mail.filter((m) => m.to === worker.user.email)).toEqual([]);
  });
});
