import { ESLint } from 'eslint';

/**
 * DESIGN.md: dependencies point one way and only the case workflow writes case tables. The
 * rules live in eslint.config.mjs (`npm run lint`); these probes show that each one bites.
 */
describe('module boundaries (npm run lint)', () => {
  const eslint = new ESLint({ cwd: process.cwd() });

  async function problems(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    ['src/modules/incident/probe.ts', '../case/case.entity', 'incident sits below case'],
    ['src/modules/person/probe.ts', '../case/case.entity', 'person (the identity vault)'],
    ['src/modules/person/probe.ts', '../outreach/consent.entity', 'person (the identity vault)'],
    ['src/modules/person/probe.ts', '../incident/incident.entity', 'person (the identity vault)'],
    ['src/modules/case/probe.ts', '../outreach/consent.entity', 'case sits below outreach'],
    ['src/modules/case/workflow/probe.ts', '../../outcome/outcome.entity', 'case sits below'],
    [
      'src/modules/outreach/probe.ts',
      '../../stories/report-incidents/intake-batch',
      'stories sit above',
    ],
  ])('%s may not import %s', async (filePath, source, why) => {
    const found = await problems(
      filePath,
      `import * as m from '${source}';\nexport const x = m;\n`,
    );
    expect(found.some((p) => p.startsWith('no-restricted-imports') && p.includes(why))).toBe(true);
  });

  it('lets a module import what sits below it', async () => {
    const found = await problems(
      'src/modules/outreach/probe.ts',
      `import * as m from '../case/case.entity';\nexport const x = m;\n`,
    );
    expect(found).toEqual([]);
  });

  it('refuses case-table writes outside the workflow, and allows them inside', async () => {
    const code = `import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseEvent } from '../case/case-event.entity';
export async function f(em: EntityManager): Promise<void> {
  em.create(CaseEvent, {} as never);
  await em.getConnection().execute('update overdose_case set status = 1');
}
`;
    const outside = await problems('src/modules/outcome/probe.ts', code);
    expect(outside.filter((p) => p.startsWith('no-restricted-syntax'))).toHaveLength(2);
    const inside = await problems(
      'src/modules/case/workflow/probe.ts',
      code.replace('../case/', '../'),
    );
    expect(inside.filter((p) => p.startsWith('no-restricted-syntax'))).toEqual([]);
  });
});
