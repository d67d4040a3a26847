import { graphql, type Answer } from '../src/api/client';
import { fetchMyCases, type CaseView } from '../src/api/operations';
import { carriesPart2, part2NoticeFor } from '../src/ui/part2';

/** 42 CFR §2.32 in the field app: the hub's notice travels with the cases that need it. */
const NOTICE = 'This record which has been disclosed to you is protected by federal rules…';

const kase = (overrides: Partial<CaseView> = {}): CaseView =>
  ({
    id: 'c1',
    part2Protected: false,
    outreachAttempts: [],
    consents: [],
    serviceReferrals: [],
    ...overrides,
  }) as CaseView;

describe('the Part 2 redisclosure notice in the field app', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  const answering = (body: unknown) => {
    global.fetch = (async () =>
      ({ status: 200, json: async () => body }) as unknown as Response) as typeof fetch;
  };

  it('reads the notice from the answer’s extensions', async () => {
    answering({ data: { case: { id: 'c1' } }, extensions: { part2Notice: NOTICE } });
    expect((await graphql('{ case(id: "c1") { id } }')).part2Notice).toBe(NOTICE);
  });

  it('has no notice when the answer carries none', async () => {
    answering({ data: { case: { id: 'c1' } } });
    expect((await graphql('{ case(id: "c1") { id } }')).part2Notice).toBeUndefined();
  });

  it('keeps the notice of any page of the case list', async () => {
    let page = 0;
    const send = async <T>(): Promise<Answer<T>> => {
      page++;
      return {
        data: {
          cases: {
            edges: [{ node: kase({ id: `c${page}` }) }],
            pageInfo: { hasNextPage: page < 2, endCursor: String(page) },
          },
        },
        errors: [],
        ...(page === 2 ? { part2Notice: NOTICE } : {}),
      } as Answer<T>;
    };
    expect((await fetchMyCases(send)).part2Notice).toBe(NOTICE);
  });

  it.each([
    ['the case itself', kase({ part2Protected: true })],
    ['an attempt', kase({ outreachAttempts: [{ part2Protected: true } as never] })],
    ['a consent', kase({ consents: [{ part2Protected: true } as never] })],
    ['a referral', kase({ serviceReferrals: [{ part2Protected: true } as never] })],
  ])('shows it on a case when %s is a Part 2 record', (_label, c) => {
    expect(carriesPart2(c)).toBe(true);
    expect(part2NoticeFor(c, NOTICE)).toBe(NOTICE);
  });

  it('shows nothing on a case without a Part 2 record, nor without a notice from the hub', () => {
    expect(part2NoticeFor(kase(), NOTICE)).toBeNull();
    expect(part2NoticeFor(kase({ part2Protected: true }), null)).toBeNull();
  });
});
