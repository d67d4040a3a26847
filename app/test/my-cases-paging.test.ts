import type { Answer } from '../src/api/client';
import { fetchMyCases, type CaseView } from '../src/api/operations';

/** A hub's answers to the app's case list: `pages` of ids, a sealed name on the first page. */
function hub(pages: string[][], deniedOnPage: number[] = []) {
  const afters: Array<string | null> = [];
  const send = async <T>(_query: string, variables: Record<string, unknown> = {}) => {
    const after = (variables.after as string | null) ?? null;
    afters.push(after);
    const index = after === null ? 0 : Number(after);
    const ids = pages[index];
    const answer: Answer<unknown> = {
      data: {
        cases: {
          edges: ids.map((id) => ({
            node: { id, person: deniedOnPage.includes(index) ? null : {} } as CaseView,
          })),
          pageInfo: {
            hasNextPage: index < pages.length - 1,
            endCursor: String(index + 1),
          },
        },
      },
      errors: deniedOnPage.includes(index)
        ? [{ message: 'denied', path: ['cases', 'edges', 0, 'node', 'person'] }]
        : [],
    };
    return answer as Answer<T>;
  };
  return { send, afters };
}

describe('my cases: every page of the caseload', () => {
  it('reads on past a page with a denied (sealed) name, so later cases still show', async () => {
    // The demo worker's first page holds a case whose name is sealed to the reporter: the
    // FORBIDDEN error at that field once stopped the app after 100 cases.
    const { send, afters } = hub([['a', 'b'], ['c'], ['d']], [0]);
    const answer = await fetchMyCases(send);
    expect(answer.data?.cases?.edges.map((e) => e.node.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(afters).toEqual([null, '1', '2']);
  });

  it('keeps each denied field at its place in the whole list', async () => {
    const { send } = hub(
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
      [1],
    );
    const answer = await fetchMyCases(send);
    expect(answer.errors.map((e) => e.path)).toEqual([['cases', 'edges', 2, 'node', 'person']]);
  });

  it('a role that may not list cases gets the hub answer as it is (no list)', async () => {
    const denied = async <T>() =>
      ({
        data: { cases: null },
        errors: [{ message: 'denied', path: ['cases'], extensions: { code: 'FORBIDDEN' } }],
      }) as Answer<T>;
    const answer = await fetchMyCases(denied);
    expect(answer.data?.cases).toBeNull();
    expect(answer.errors[0].extensions?.code).toBe('FORBIDDEN');
  });
});
