import { reportExtras } from '../src/ui/quick-report-extras';

describe('quick report: kits left behind and "may a peer contact you?"', () => {
  it('sends nothing extra when neither was answered', () => {
    expect(reportExtras('', null)).toEqual({});
    expect(reportExtras('  ', null)).toEqual({});
  });

  it('sends the kits as a whole number and the answer as given', () => {
    expect(reportExtras('2', 'YES')).toEqual({
      naloxoneKitsLeftBehind: 2,
      consentToPeerContact: 'YES',
    });
    expect(reportExtras('0', 'NO')).toEqual({
      naloxoneKitsLeftBehind: 0,
      consentToPeerContact: 'NO',
    });
    expect(reportExtras('', 'NOT_ASKED')).toEqual({ consentToPeerContact: 'NOT_ASKED' });
    expect(reportExtras(' 50 ', null)).toEqual({ naloxoneKitsLeftBehind: 50 });
  });

  it.each(['-1', '51', '2.5', 'two', '1e1'])(
    'catches %s kits before the report is saved on the phone',
    (typed) => {
      expect(reportExtras(typed, 'YES')).toBe('invalid');
    },
  );
});
