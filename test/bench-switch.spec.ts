import { ConfigError, loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import { makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';

const STRONG_JWT = 'jwt-Secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const STRONG_PERSON = 'person-Key-0123456789-abcdefghijklmnopqrstuvwxyz';
const IDENTITY_KEYS = `k1:${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 3)).toString('base64')}`;
const production = {
  NODE_ENV: 'production',
  JWT_SECRET: STRONG_JWT,
  PERSON_KEY_SECRET: STRONG_PERSON,
  IDENTITY_KEYS,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('BENCH_DISABLE_PERMISSIONS (benchmark-only switch)', () => {
  it('is refused at start in production', () => {
    expect(problemsOf({ ...production, BENCH_DISABLE_PERMISSIONS: 'true' })).toEqual([
      'BENCH_DISABLE_PERMISSIONS: only allowed with NODE_ENV=benchmark',
    ]);
  });

  it('is refused in development and test too, rather than silently ignored', () => {
    expect(problemsOf({ BENCH_DISABLE_PERMISSIONS: 'true' })).toHaveLength(1);
    expect(problemsOf({ NODE_ENV: 'test', BENCH_DISABLE_PERMISSIONS: 'true' })).toHaveLength(1);
  });

  it('is off by default, also in production', () => {
    expect(loadConfig(production).benchDisablePermissions).toBe(false);
    expect(loadConfig({ NODE_ENV: 'benchmark' }).benchDisablePermissions).toBe(false);
  });

  it('turns the permission layer off only with NODE_ENV=benchmark', () => {
    const config = loadConfig({ NODE_ENV: 'benchmark', BENCH_DISABLE_PERMISSIONS: 'true' });
    expect(config.benchDisablePermissions).toBe(true);
  });

  describe('over HTTP', () => {
    // `agencies` is a HUB_ADMIN field: the permission layer refuses it to a police officer.
    const query = '{ agencies { id } }';
    const hubs: TestHub[] = [];
    afterAll(async () => {
      await Promise.all(hubs.map((h) => h.stop()));
    });

    it('a normal hub refuses the field at the permission layer', async () => {
      const hub = await startTestHub();
      hubs.push(hub);
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const res = await hub.gql(query, {}, officer.token);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('a benchmark hub with the switch does not run the permission layer', async () => {
      const hub = await startTestHub({ NODE_ENV: 'benchmark', BENCH_DISABLE_PERMISSIONS: 'true' });
      hubs.push(hub);
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const res = await hub.gql<{ agencies: unknown[] }>(query, {}, officer.token);
      expect(res.errors).toBeUndefined();
      expect(Array.isArray(res.data?.agencies)).toBe(true);
    });
  });
});
