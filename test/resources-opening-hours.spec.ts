import {
  hoursProblems,
  isOpenAt,
  isOpenNow,
  localTime,
  MAX_OPENING_HOURS,
} from '../src/modules/resource/opening-hours';

// Friday 5 January 2024. New York is on EST (UTC-5), Tokyo on JST (UTC+9), neither with DST then.
const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);
const FRIDAY = 5;
const SATURDAY = 6;

describe('localTime', () => {
  it.each([
    ['2024-01-06T03:30:00Z', NY, { day: FRIDAY, minutes: 22 * 60 + 30 }],
    ['2024-01-06T05:00:00Z', NY, { day: SATURDAY, minutes: 0 }],
    ['2024-01-05T16:00:00Z', 'Asia/Tokyo', { day: SATURDAY, minutes: 60 }],
    ['2024-01-05T23:59:00Z', 'UTC', { day: FRIDAY, minutes: 23 * 60 + 59 }],
    // Spring forward in New York: 01:30 EST, then 03:30 EDT one hour later.
    ['2024-03-10T06:30:00Z', NY, { day: 0, minutes: 90 }],
    ['2024-03-10T07:30:00Z', NY, { day: 0, minutes: 210 }],
  ])('reads %s in %s as the wall clock there', (iso, zone, expected) => {
    expect(localTime(at(iso), zone)).toEqual(expected);
  });
});

describe('isOpenAt', () => {
  const fridayNight = [{ day: FRIDAY, opens: '20:00', closes: '02:00' }];

  it.each([
    ['Friday 19:59 (not yet)', false, FRIDAY, '19:59'],
    ['Friday 20:00 (opens, inclusive)', true, FRIDAY, '20:00'],
    ['Friday 23:59', true, FRIDAY, '23:59'],
    ['Saturday 00:00 (past midnight)', true, SATURDAY, '00:00'],
    ['Saturday 01:59', true, SATURDAY, '01:59'],
    ['Saturday 02:00 (closes, exclusive)', false, SATURDAY, '02:00'],
    ['Saturday 22:30 (the hours are Friday’s)', false, SATURDAY, '22:30'],
    ['Friday 01:00 (Thursday has no hours)', false, FRIDAY, '01:00'],
  ])('20:00–02:00 on Friday: %s → open %s', (_label, open, day, hhmm) => {
    expect(isOpenAt(fridayNight, { day, minutes: minutes(hhmm) })).toBe(open);
  });

  it('wraps the week: Saturday 22:00–03:00 is open early on Sunday', () => {
    const hours = [{ day: SATURDAY, opens: '22:00', closes: '03:00' }];
    expect(isOpenAt(hours, { day: 0, minutes: minutes('01:00') })).toBe(true);
    expect(isOpenAt(hours, { day: 0, minutes: minutes('03:00') })).toBe(false);
  });

  it('reads closes 00:00 as midnight', () => {
    const hours = [{ day: 1, opens: '18:00', closes: '00:00' }];
    expect(isOpenAt(hours, { day: 1, minutes: minutes('23:59') })).toBe(true);
    expect(isOpenAt(hours, { day: 2, minutes: minutes('00:00') })).toBe(false);
    expect(isOpenAt(hours, { day: 1, minutes: minutes('17:59') })).toBe(false);
  });

  it('is open in any of several periods of a day, and closed between them', () => {
    const hours = [
      { day: 3, opens: '08:00', closes: '12:00' },
      { day: 3, opens: '13:00', closes: '17:00' },
    ];
    expect(isOpenAt(hours, { day: 3, minutes: minutes('11:00') })).toBe(true);
    expect(isOpenAt(hours, { day: 3, minutes: minutes('12:30') })).toBe(false);
    expect(isOpenAt(hours, { day: 3, minutes: minutes('16:59') })).toBe(true);
  });

  it('is never open without hours', () => {
    expect(isOpenAt([], { day: 3, minutes: 600 })).toBe(false);
  });
});

describe('isOpenNow', () => {
  const fridayNight = { hours: [{ day: FRIDAY, opens: '20:00', closes: '02:00' }], timeZone: NY };

  it('uses the resource’s time zone, not UTC: 03:30 UTC Saturday is 22:30 Friday in New York', () => {
    expect(isOpenNow(fridayNight, at('2024-01-06T03:30:00Z'))).toBe(true);
    expect(isOpenNow({ ...fridayNight, timeZone: 'UTC' }, at('2024-01-06T03:30:00Z'))).toBe(false);
  });

  it('stays open past midnight in the resource’s zone and closes at 02:00 there', () => {
    expect(isOpenNow(fridayNight, at('2024-01-06T06:59:00Z'))).toBe(true);
    expect(isOpenNow(fridayNight, at('2024-01-06T07:00:00Z'))).toBe(false);
  });

  it('follows daylight saving time: 9–17 in New York is 13–21 UTC in summer', () => {
    const weekdays = { hours: [{ day: 3, opens: '09:00', closes: '17:00' }], timeZone: NY };
    // Wednesday 17 July 2024 (EDT, UTC-4) and Wednesday 17 January 2024 (EST, UTC-5).
    expect(isOpenNow(weekdays, at('2024-07-17T13:00:00Z'))).toBe(true);
    expect(isOpenNow(weekdays, at('2024-07-17T21:00:00Z'))).toBe(false);
    expect(isOpenNow(weekdays, at('2024-01-17T13:30:00Z'))).toBe(false);
    expect(isOpenNow(weekdays, at('2024-01-17T21:30:00Z'))).toBe(true);
  });
});

describe('hoursProblems', () => {
  const fields = (hours: unknown) => hoursProblems(hours, 'input.hours').map((p) => p.field);

  it('accepts hours past midnight and up to fourteen periods', () => {
    const fortnight = [0, 1, 2, 3, 4, 5, 6].flatMap((day) => [
      { day, opens: '00:00', closes: '12:00' },
      { day, opens: '12:00', closes: '00:00' },
    ]);
    expect(fortnight).toHaveLength(MAX_OPENING_HOURS);
    expect(fields(fortnight)).toEqual([]);
  });

  it.each([
    ['a day below 0', { day: -1, opens: '09:00', closes: '17:00' }, 'input.hours.0.day'],
    ['a day above 6', { day: 7, opens: '09:00', closes: '17:00' }, 'input.hours.0.day'],
    ['a fractional day', { day: 1.5, opens: '09:00', closes: '17:00' }, 'input.hours.0.day'],
    ['24:00', { day: 1, opens: '24:00', closes: '17:00' }, 'input.hours.0.opens'],
    ['a single-digit hour', { day: 1, opens: '09:00', closes: '9:30' }, 'input.hours.0.closes'],
    ['minute 60', { day: 1, opens: '09:60', closes: '17:00' }, 'input.hours.0.opens'],
    ['opens equal to closes', { day: 1, opens: '09:00', closes: '09:00' }, 'input.hours.0.closes'],
  ])('names the field for %s', (_label, entry, field) => {
    expect(fields([entry])).toEqual([field]);
  });

  it('refuses more than fourteen periods as a whole', () => {
    const many = Array.from({ length: MAX_OPENING_HOURS + 1 }, () => ({
      day: 1,
      opens: '09:00',
      closes: '10:00',
    }));
    expect(fields(many)).toEqual(['input.hours']);
  });

  it('says nothing about the values it refuses', () => {
    const [problem] = hoursProblems([{ day: 1, opens: '99:99', closes: '17:00' }], 'input.hours');
    expect(problem.message).not.toContain('99:99');
  });
});

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
