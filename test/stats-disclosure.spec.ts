import 'reflect-metadata';
import fc from 'fast-check';
import { buildSchema } from 'type-graphql';
import { isObjectType } from 'graphql';
import { ConfigError, loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import type { Context } from '../src/context';
import { ageBandAt } from '../src/modules/person/age-band';
import { StatsScope } from '../src/modules/stats/aggregate.input';
import { AggregateStatsResolver } from '../src/modules/stats/aggregate.resolver';
import { protect } from '../src/modules/stats/aggregate.service';
import {
  KEY_SPACE,
  noiseFor,
  perturb,
  PERTURBATION_MAX_NOISE,
  PERTURBATION_TABLE,
  PERTURBATION_VARIANCE,
  perturbHours,
} from '../src/modules/stats/cell-key';
import { resolveRange } from '../src/modules/stats/calendar';
import {
  DEFAULT_DISCLOSURE,
  publishInternal,
  publishRate,
  publishShared,
} from '../src/modules/stats/disclosure';
import {
  aggregateAccess,
  checkGroupBy,
  RESEARCH_ENDPOINT,
} from '../src/modules/stats/stats-access';
import { StatsDimension } from '../src/modules/stats/stats-dimension';
import { TEST_SECRETS } from './support/hub';

const UTC = { timeZone: 'UTC', fiscalYearStartMonth: 1 };

describe('disclosure control', () => {
  it('never publishes a shared count from 1 to the threshold, and perturbs others by at most 2', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: KEY_SPACE * 50 }),
        fc.integer({ min: 4, max: 20 }),
        (n, keySum, max) => {
          const p = publishShared(n, keySum, max);
          if (n === 0) expect(p).toEqual({ value: 0, suppressed: false, internal: false });
          else if (n <= max) expect(p.suppressed).toBe(true);
          if (p.value !== null && n > 0) {
            expect(p.value).toBeGreaterThan(max);
            expect(Math.abs(p.value - n)).toBeLessThanOrEqual(PERTURBATION_MAX_NOISE);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same records the same noise, and the published table its stated distribution', () => {
    expect(publishShared(40, 123_456)).toEqual(publishShared(40, 123_456));
    // Key sums congruent modulo 2^20 are the same cell key.
    expect(publishShared(40, 5)).toEqual(publishShared(40, 5 + 7 * KEY_SPACE));
    const counts = new Map<number, number>();
    const steps = 10_000;
    for (let k = 0; k < steps; k++) {
      const noise = noiseFor(50, Math.floor((k / steps) * KEY_SPACE));
      counts.set(noise, (counts.get(noise) ?? 0) + 1);
    }
    const row = PERTURBATION_TABLE[PERTURBATION_TABLE.length - 1];
    for (const [noise, probability] of row.noise) {
      expect((counts.get(noise) ?? 0) / steps).toBeCloseTo(probability, 2);
    }
    const variance = row.noise.reduce((v, [noise, p]) => v + p * noise * noise, 0);
    expect(variance).toBeCloseTo(PERTURBATION_VARIANCE, 10);
    expect(row.noise.reduce((m, [noise, p]) => m + p * noise, 0)).toBeCloseTo(0, 10);
  });

  it('never turns a non-empty cell into zero', () => {
    for (let k = 0; k < KEY_SPACE; k += 997) {
      for (const n of [1, 2, 3]) expect(perturb(n, k)).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps internal counts exact and marks them', () => {
    expect(publishInternal(4)).toEqual({ value: 4, suppressed: false, internal: true });
    const rows = [
      { g: 0, k0: '37021', n: 4, n__key: '17' },
      { g: 1, k0: null, n: 4, n__key: '17' },
    ];
    const table = protect(rows, [StatsDimension.COUNTY], DEFAULT_DISCLOSURE, 'internal', UTC);
    expect(table.internal).toBe(true);
    expect(table.cells.map((c) => c.count('n'))).toEqual([
      { value: 4, suppressed: false, internal: true },
      { value: 4, suppressed: false, internal: true },
    ]);
    const shared = protect(rows, [StatsDimension.COUNTY], DEFAULT_DISCLOSURE, 'shared', UTC);
    expect(shared.cells.every((c) => c.count('n').suppressed)).toBe(true);
  });

  it('hides a rate whose numerator or denominator is hidden and flags small numerators', () => {
    const shown = (value: number) => ({ value, suppressed: false, internal: false });
    const hidden = { value: null, suppressed: true, internal: false };
    expect(publishRate(hidden, shown(40))).toEqual({
      value: null,
      suppressed: true,
      unstable: false,
    });
    expect(publishRate(shown(30), hidden)).toEqual({
      value: null,
      suppressed: true,
      unstable: false,
    });
    expect(publishRate(shown(20), shown(40))).toEqual({
      value: 0.5,
      suppressed: false,
      unstable: true,
    });
    expect(publishRate(shown(21), shown(42))).toEqual({
      value: 0.5,
      suppressed: false,
      unstable: false,
    });
    expect(
      publishRate(shown(21), shown(42), { smallCellMax: 10, unstableNumeratorMax: 30 }).unstable,
    ).toBe(true);
  });

  it('takes the threshold from the configuration, down to NC DETECT’s 1–4 and no lower', () => {
    const base = { NODE_ENV: 'test', ...TEST_SECRETS };
    expect(loadConfig({ ...base, STATS_SMALL_CELL_MAX: '15' }).disclosure).toEqual({
      smallCellMax: 15,
      unstableNumeratorMax: 20,
      overlap: { windowDays: 365, maxRegions: 200 },
    });
    expect(loadConfig({ ...base, STATS_SMALL_CELL_MAX: '4' }).disclosure.smallCellMax).toBe(4);
    expect(() => loadConfig({ ...base, STATS_SMALL_CELL_MAX: '3' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, STATS_UNSTABLE_NUMERATOR_MAX: '19' })).toThrow(
      /STATS_UNSTABLE_NUMERATOR_MAX/,
    );
    expect(() => loadConfig({ ...base, HUB_TIME_ZONE: 'Mars/Base' })).toThrow(/HUB_TIME_ZONE/);
  });

  it('applies the configured threshold', () => {
    const rows = [
      { g: 0, k0: 'a', n: 4, n__key: '1' },
      { g: 0, k0: 'b', n: 14, n__key: '2' },
      { g: 1, k0: null, n: 18, n__key: '3' },
    ];
    const at = (max: number) =>
      protect(
        rows,
        [StatsDimension.COUNTY],
        { smallCellMax: max, unstableNumeratorMax: 20 },
        'shared',
        UTC,
      ).cells.map((c) => c.count('n').suppressed);
    // 4 is hidden; the total minus b would give it back, so b is hidden with it (complementary).
    expect(at(4)).toEqual([true, true, false]);
    expect(at(15)).toEqual([true, true, false]);
    expect(at(20)).toEqual([true, true, true]);
  });

  it('leaves no margin that gives a small hidden sum back by subtraction (complementary suppression)', () => {
    const max = DEFAULT_DISCLOSURE.smallCellMax;
    const counts = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 60 })),
      {
        minLength: 6,
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(counts, fc.integer({ min: 0, max: 1000 }), (values, salt) => {
        // A 2 × 3 table (county × sex) with both margins and the total.
        const cell = (i: number) => values[i];
        const rows: Array<Record<string, string | number | null>> = [];
        const add = (g: number, k0: string | null, k1: string | null, n: number, key: number) =>
          rows.push({ g, k0, k1, n, n__key: String(key + salt) });
        for (let i = 0; i < 6; i++) add(0, `c${i % 2}`, `s${Math.floor(i / 2)}`, cell(i), i);
        for (let c = 0; c < 2; c++) {
          add(
            2,
            `c${c}`,
            null,
            [0, 2, 4].reduce((s, j) => s + cell(j + c), 0),
            10 + c,
          );
        }
        for (let x = 0; x < 3; x++) add(1, null, `s${x}`, cell(2 * x) + cell(2 * x + 1), 20 + x);
        add(
          3,
          null,
          null,
          values.reduce((s, v) => s + v, 0),
          30,
        );
        const table = protect(
          rows,
          [StatsDimension.COUNTY, StatsDimension.SEX],
          DEFAULT_DISCLOSURE,
          'shared',
          UTC,
        );
        const hidden = table.cells.map((c) => c.count('n').suppressed);
        // Every relation margin = Σ cells: a published margin never has hidden cells that sum to 1..max.
        const check = (parent: number, children: number[]) => {
          if (hidden[parent]) return;
          const sum = children.filter((i) => hidden[i]).reduce((s, i) => s + Number(rows[i].n), 0);
          expect(sum === 0 || sum > max).toBe(true);
        };
        check(6, [0, 2, 4]);
        check(7, [1, 3, 5]);
        for (let x = 0; x < 3; x++) check(8 + x, [2 * x, 2 * x + 1]);
        check(11, [6, 7]);
        check(11, [8, 9, 10]);
      }),
      { numRuns: 300 },
    );
  });

  it('shows shared hours only over a published basis, perturbed by at most 10 % by its cell key', () => {
    const row = (g: number, k0: string | null, n: number, key: string, median: number) => ({
      g,
      k0,
      attempted: n,
      attempted__key: key,
      attemptMedian: median,
    });
    const rows = [row(0, 'a', 4, '5', 10), row(0, 'b', 40, '77', 30), row(0, 'c', 50, '901', 20)];
    rows.push(row(1, null, 94, '983', 25));
    const shared = protect(rows, [StatsDimension.COUNTY], DEFAULT_DISCLOSURE, 'shared', UTC);
    const hours = shared.cells.map((c) => c.hours('attemptMedian', 'attempted'));
    // a is suppressed (4), b with it (complementary): no median of a hidden cell.
    expect(hours[0]).toBeNull();
    expect(hours[1]).toBeNull();
    expect(Math.abs(hours[2]! - 20)).toBeLessThanOrEqual(2);
    expect(Math.abs(hours[3]! - 25)).toBeLessThanOrEqual(2.5);
    // The same records give the same hours; other records other noise.
    expect(perturbHours(20, 901)).toBe(hours[2]);
    const factors = new Set(Array.from({ length: 200 }, (_, key) => perturbHours(100, key * 5000)));
    expect(factors.size).toBeGreaterThan(50);
    for (const f of factors) expect(Math.abs(f - 100)).toBeLessThanOrEqual(10);
    // Internal hours are exact.
    const internal = protect(rows, [StatsDimension.COUNTY], DEFAULT_DISCLOSURE, 'internal', UTC);
    expect(internal.cells[0].hours('attemptMedian', 'attempted')).toBe(10);
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
    expect(() => resolveRange({ fromDate: '2025-03-03' }, UTC, access.grain, 3700)).toThrow(
      /filter\.fromDate/,
    );
    expect(() => resolveRange({ fromDate: '2025-03-01' }, UTC, access.grain, 3700)).not.toThrow();
    expect(access.tier).toBe('shared');
  });

  it('gives analysts days (shared; internal for their own agency) and denies the operational roles', () => {
    expect(aggregateAccess(ctx(Role.ANALYST)).grain).toBe('day');
    expect(aggregateAccess(ctx(Role.ANALYST)).tier).toBe('shared');
    expect(aggregateAccess(ctx(Role.ANALYST), StatsScope.OWN_AGENCY).tier).toBe('internal');
    expect(aggregateAccess(ctx(Role.AGENCY_ADMIN)).tier).toBe('internal');
    expect(aggregateAccess(ctx(Role.AGENCY_ADMIN, RESEARCH_ENDPOINT)).tier).toBe('shared');
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
    expect(ageBandAt('1990-04-12', at)).toBe('AGE_35_44');
    expect(ageBandAt('1991-04-12', at)).toBe('AGE_25_34');
    expect(ageBandAt('2012-01-01', at)).toBe('UNDER_15');
    expect(ageBandAt('1950-01-01', at)).toBe('AGE_65_PLUS');
    expect(ageBandAt(undefined, at)).toBeUndefined();
    expect(ageBandAt('2030-01-01', at)).toBeUndefined();
  });
});
