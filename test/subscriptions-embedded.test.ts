import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signUserToken } from '../src/auth/tokens';
import { Role } from '../src/common/role';
import { loadConfig } from '../src/config';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';
import { DEMO_COUNTIES, isEmpty, seedDemoData } from '../src/seed/demo-data';
import { createServer, type HubServer } from '../src/server';
import { postGraphQL } from './support/hub';
import {
  connectLive,
  disposeAll,
  listening,
  subscribe,
  waitFor,
  type LiveClient,
} from './support/live';
import { REPORT_MUTATION, reportInput } from './support/reports';

/**
 * A hub started the way the README starts it (`npm start`: no DATABASE_URL, so the embedded
 * database kept in files under DATA_DIR, secrets generated there, demo data seeded), whatever
 * database the rest of the suite runs on: live subscriptions must work there too. The case is
 * routed after the report's transaction commits, on the embedded database's single connection.
 */
describe('caseRouted on the embedded database, as `npm start` runs it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-embedded-'));
  let server: HubServer;
  let hub: { url: string };
  const clients: LiveClient[] = [];
  let tokens: Partial<Record<Role, string>>;

  beforeAll(async () => {
    // As src/index.ts does, with a free port and without the log on stdout.
    const config = withDevSecrets(
      loadConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    expect(config.database).toMatchObject({ kind: 'embedded', storage: 'file' });
    server = await createServer(config, createLogger(config.logLevel));
    hub = { url: server.url };
    const em = server.orm.em.fork();
    expect(await isEmpty(em)).toBe(true);
    const users = await seedDemoData(em);
    tokens = {};
    // Each role's own demo user (the second story's cast shares roles with them).
    for (const user of users.filter((u) => u.key === u.role)) {
      tokens[user.role] = await signUserToken(config.auth, user.userId);
    }
  });
  afterAll(async () => {
    if (server) {
      await disposeAll(hub, clients);
      await server.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a case the demo police officer reports to the demo outreach worker', async () => {
    const worker = connectLive(hub, tokens[Role.OUTREACH_WORKER]);
    clients.push(worker);
    subscribe(worker, `subscription { caseRouted { id status county routedAgency { name } } }`);
    await listening(hub, 1);

    const res = await postGraphQL<{ reportIncident: { incident: { id: string } } }>(
      server.url,
      REPORT_MUTATION,
      { input: reportInput(DEMO_COUNTIES[0]) },
      tokens[Role.POLICE_OFFICER],
    );
    expect(res.errors).toBeUndefined();
    await waitFor(() => worker.received.length === 1);
    expect(worker.received[0].errors).toBeUndefined();
    expect(worker.received[0].data!.caseRouted).toMatchObject({
      status: 'REFERRED',
      county: DEMO_COUNTIES[0],
      routedAgency: { name: expect.any(String) },
    });
  });
});
