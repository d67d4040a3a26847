import 'reflect-metadata';
import fc from 'fast-check';
import { buildSchema } from 'type-graphql';
import { isObjectType } from 'graphql';
import { ConfigError, loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import type { Context } from '../src/context';
import { ageBandOf } from '../src/modules/stats/age-band';
import { AggregateStatsResolver } from '../src/modules/stats/aggregate.resolver';
import { protect } from '../src/modules/stats/aggregate.service';
import { DEFAULT_DISCLOSURE, publishRate, suppressTable } from '../src/modules/stats/disclosure';
import {
  aggregateAccess,
  checkDateRange,
  checkGroupBy,
  RESEARCH_ENDPOINT,
} from '../src/modules/stats/stats-access';
import { StatsDimension } from '../src/modules/stats/stats-dimension';
import { TEST_SECRETS } from './support/hub';

/** A two-way table as the grouping-set rows PostgreSQL returns (g, k0, k1, n). */
function twoWay(table: number[][]) {
  const rows: Array<Record<string, string | number | null>> = [];
  table.forEach((row, i) =>
    row.forEach((n, j) => {
      if (n > 0) rows.push({ g: 0, k0: `r${i}`, k1: `c${j}`, n });
    }),
  );
  table.forEach((row, i) =>
    rows.push({ g: 1, k0: `r${i}`, k1: null, n: row.reduce((a, b) => a + b, 0) }),
  );
  table[0].forEach((_, j) =>
    rows.push({ g: 2, k0: null, k1: `c${j}`, n: table.reduce((a, row) => a + row[j], 0) }),
  );
  rows.push({ g: 3, k0: null, k1: null, n: table.flat().reduce((a, b) => a + b, 0) });
  return rows;
}

describe('disclosure control', () => {
  it('never leaves a count from 1 to 10 published, nor a relation with a single unknown', () => {
    const cell = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 200 }));
    const table = fc
      .integer({ min: 1, max: 5 })
      .chain((cols) =>
        fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), {
          minLength: 1,
          maxLength: 5,
        }),
      );
    fc.assert(
      fc.property(table, (t) => {
        const rows = twoWay(t);
        const { cells } = protect(
          rows,
          [StatsDimension.COUNTY, StatsDimension.MONTH],
          ['n'],
          DEFAULT_DISCLOSURE,
        );
        const hidden = cells.map((c) => c.count('n').suppressed);
        cells.forEach((c) => {
          const { value } = c.count('n');
          if (value !== null) expect(value === 0 || value > 10).toBe(true);
        });
        const idx = (pred: (r: (typeof rows)[number]) => boolean) =>
          rows
            .map((r, i) => ({ r, i }))
            .filter(({ r }) => pred(r))
            .map(({ i }) => i);
        const check = (members: number[]) =>
          expect(members.filter((i) => hidden[i]).length).not.toBe(1);
        t.forEach((_, i) => check(idx((r) => r.k0 === `r${i}`)));
        t[0].forEach((_, j) => check(idx((r) => r.k1 === `c${j}`)));
        check(idx((r) => r.g === 1 || r.g === 3));
        check(idx((r) => r.g === 2 || r.g === 3));
      }),
      { numRuns: 300 },
    );
  });

  it('hides the total when a lone small cell has no partner', () => {
    expect(suppressTable([5, 0, 5], [{ total: 2, parts: [0, 1] }])).toEqual([true, false, true]);
  });

  it('hides a rate whose numerator or denominator is hidden and flags small numerators', () => {
    expect(publishRate(5, true, 40, false)).toEqual({
      value: null,
      suppressed: true,
      unstable: false,
    });
    expect(publishRate(30, false, 40, true)).toEqual({
      value: null,
      suppressed: true,
      unstable: false,
    });
    expect(publishRate(20, false, 40, false)).toEqual({
      value: 0.5,
      suppressed: false,
      unstable: true,
    });
    expect(publishRate(21, false, 42, false)).toEqual({
      value: 0.5,
      suppressed: false,
      unstable: false,
    });
    expect(
      publishRate(21, false, 42, false, { smallCellMax: 10, unstableNumeratorMax: 30 }).unstable,
    ).toBe(true);
  });

  it('takes thresholds from the configuration upward only', () => {
    const base = { NODE_ENV: 'test', ...TEST_SECRETS };
    expect(loadConfig({ ...base, STATS_SMALL_CELL_MAX: '15' }).disclosure).toEqual({
      smallCellMax: 15,
      unstableNumeratorMax: 20,
    });
    expect(() => loadConfig({ ...base, STATS_SMALL_CELL_MAX: '9' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, STATS_UNSTABLE_NUMERATOR_MAX: '19' })).toThrow(
      /STATS_UNSTABLE_NUMERATOR_MAX/,
    );
  });

  it('applies a raised threshold', () => {
    const rows = [
      { g: 0, k0: 'a', n: 14 },
      { g: 0, k0: 'b', n: 30 },
      { g: 0, k0: 'c', n: 40 },
      { g: 1, k0: null, n: 84 },
    ];
    const rules = { smallCellMax: 15, unstableNumeratorMax: 20 };
    const { cells } = protect(rows, [StatsDimension.COUNTY], ['n'], rules);
    expect(cells.map((c) => c.count('n').value)).toEqual([null, null, 40, 84]);
  });
});

describe('who may ask for what', () => {
  const ctx = (role: Role, endpoint?: string) =>
    ({
      viewer: { kind: 'USER', agencyId: 'a', agencyKind: 'RESEARCH', role },
      endpoint,
    }) as unknown as Context;

  it('gives researchers months and counties on the research endpoint only', () => {
    expect(() => aggregateAccess(ctx(Role.RESEARCHER))).toThrow(/Not allowed/);
    const access = aggregateAccess(ctx(Role.RESEARCHER, RESEARCH_ENDPOINT));
    expect(access.grain).toBe('month');
    expect(() => checkGroupBy(access, [StatsDimension.MONTH, StatsDimension.COUNTY])).not.toThrow();
    for (const finer of [StatsDimension.WEEK, StatsDimension.AGENCY]) {
      expect(() => checkGroupBy(access, [finer])).toThrow(
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      );
      expect(() => checkGroupBy(access, [finer])).toThrow(/groupBy/);
    }
    expect(() => checkDateRange(access.grain, { from: new Date('2025-03-03T00:00:00Z') })).toThrow(
      /filter\.from/,
    );
    expect(() =>
      checkDateRange(access.grain, { from: new Date('2025-03-01T00:00:00Z') }),
    ).not.toThrow();
  });

  it('gives analysts weeks and denies the operational roles', () => {
    expect(aggregateAccess(ctx(Role.ANALYST)).grain).toBe('week');
    for (const role of [
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.OUTREACH_WORKER,
      Role.HUB_ADMIN,
    ]) {
      expect(() => aggregateAccess(ctx(role))).toThrow(/Not allowed/);
    }
  });

  it('reaches no person, case or incident type from the aggregate resolver', async () => {
    const schema = await buildSchema({
      resolvers: [AggregateStatsResolver],
      nullableByDefault: true,
    });
    const names = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
      .map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['OutcomeStats', 'DashboardGrid', 'PublishedCount']),
    );
    for (const name of names) {
      expect(name).not.toMatch(
        /Person|Case|Incident|Identity|Attempt|Agency|User|Consent|Referral/,
      );
    }
  });
});

describe('age bands', () => {
  it('bands the age at the time of the overdose', () => {
    const at = new Date('2026-04-11T12:00:00Z');
    expect(ageBandOf('1990-04-12', at)).toBe('35-44'); // 35 the next day
    expect(ageBandOf('1991-04-12', at)).toBe('25-34');
    expect(ageBandOf('2010-01-01', at)).toBe('0-17');
    expect(ageBandOf('1950-01-01', at)).toBe('65+');
    expect(ageBandOf(undefined, at)).toBe('UNKNOWN');
    expect(ageBandOf('2030-01-01', at)).toBe('UNKNOWN');
  });
});
