import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { researchExtractCommand } from '../src/cli/research-extract';
import type { CliSession } from '../src/cli/session';
import { Role } from '../src/common/role';
import { AgeBand } from '../src/modules/person/age-band';
import { Sex } from '../src/modules/person/person-codes';
import { makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { alike, makeOverdoses, makeResearcher } from './support/research';

const HEADER = [
  'person_key',
  'period',
  'area',
  'generalisation_level',
  'month',
  'county',
  'age_band',
  'sex',
  'fatal',
  'naloxone_given',
  'contacted',
  'engaged',
  'linked',
  'repeat_overdose_90d',
  'lead_enrolled',
  'officer_presence',
  'hours_to_first_attempt',
  'hours_to_first_contact',
  'attempts',
  'substance_categories',
  'ems_disposition',
  'case_source',
];

describe('npm run cli -- research-extract', () => {
  let hub: TestHub;
  let researcher: Actor;
  let dir: string;
  const audit: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        audit.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const year = new Date().getUTCFullYear() - 1;
  const session = (): CliSession => ({
    config: hub.config,
    em: hub.em(),
    devJwtSecret: false,
    secretsPath: '',
  });

  beforeAll(async () => {
    hub = await startTestHub();
    researcher = await makeResearcher(hub);
    dir = mkdtempSync(join(tmpdir(), 'research-cli-'));
  });
  afterAll(() => hub.stop());

  it('writes the header and one row per published overdose', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, [
      ...alike(11, new Date(Date.UTC(year, 6, 1, 12)), {
        ageBand: AgeBand.AGE_35_44,
        sex: Sex.MALE,
      }),
      ...alike(2, new Date(Date.UTC(year, 6, 3, 12)), { ageBand: AgeBand.UNDER_15 }),
    ]);
    const out = join(dir, 'extract.csv');
    await researchExtractCommand(
      session(),
      { token: researcher.token, from: `${year}-07`, to: `${year}-07`, counties: [county], out },
      logger,
    );
    const [header, ...rows] = parse(readFileSync(out, 'utf8')) as string[][];
    expect(header).toEqual(HEADER);
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      expect(row[0]).toMatch(/^[0-9a-f]{32}$/);
      const line = Object.fromEntries(HEADER.map((h, i) => [h, row[i]]));
      expect(line).toMatchObject({
        period: `${year}-07`,
        area: county,
        generalisation_level: '0',
        month: `${year}-07`,
        county,
        age_band: 'AGE_35_44',
        sex: 'MALE',
        fatal: 'false',
        officer_presence: 'NO_ATTEMPT',
        attempts: '0',
      });
      for (const flag of ['naloxone_given', 'contacted', 'engaged', 'linked', 'lead_enrolled']) {
        expect(['true', 'false']).toContain(line[flag]);
      }
    }
    expect(new Set(rows.map((r) => r[0])).size).toBe(11);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('audits the extract with its row counts, channel cli', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, alike(3, new Date(Date.UTC(year, 7, 1, 12)), {}));
    await researchExtractCommand(
      session(),
      {
        token: researcher.token,
        from: `${year}-08`,
        to: `${year}-08`,
        counties: [county],
        out: join(dir, 'audited.csv'),
      },
      logger,
    );
    expect(audit.at(-1)).toMatchObject({
      audit: 'research',
      action: 'research.extract',
      channel: 'cli',
      outcome: 'ok',
      actor: { userId: researcher.user.id, role: 'RESEARCHER' },
      rowCount: 0,
      suppressedRowCount: 3,
    });
  });

  it('refuses a token of another role, audits the refusal, and writes nothing', async () => {
    const analyst = await makeUser(hub, Role.ANALYST);
    const out = join(dir, 'analyst.csv');
    await expect(
      researchExtractCommand(
        session(),
        { token: analyst.token, from: `${year}-01`, to: `${year}-02`, out },
        logger,
      ),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(existsSync(out)).toBe(false);
    expect(audit.at(-1)).toMatchObject({ outcome: 'FORBIDDEN', actor: { role: 'ANALYST' } });
  });

  it('refuses a range that ends before it starts, naming the option, and leaves no file', async () => {
    const out = join(dir, 'backwards.csv');
    await expect(
      researchExtractCommand(
        session(),
        { token: researcher.token, from: `${year}-05`, to: `${year}-04`, out },
        logger,
      ),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'filter.toMonth' }] },
    });
    expect(readdirSync(dir).filter((f) => f.startsWith('backwards'))).toEqual([]);
  });

  it('refuses an invalid token as UNAUTHENTICATED', async () => {
    await expect(
      researchExtractCommand(
        session(),
        { token: 'not-a-token', from: `${year}-01`, to: `${year}-01`, out: join(dir, 'x.csv') },
        logger,
      ),
    ).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
