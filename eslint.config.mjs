import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries (DESIGN.md "Architecture and conventions"): dependencies point one way.
 * Platform code below the modules; incident and person below case; outreach, outcome and lead
 * above it; stories that cross modules (src/stories) above them all.
 */
const STORIES = {
  modules: ['stories'],
  why: 'stories sit above the modules: no module imports one.',
};
const BELOW = {
  incident: { modules: ['case'], why: 'incident sits below case: it never imports case.' },
  person: {
    modules: ['case', 'outreach', 'incident'],
    why: 'person (the identity vault) sits below incident, case and outreach: it imports none of them.',
  },
  case: {
    modules: ['outreach', 'outcome'],
    why: 'case sits below outreach and outcome: it imports neither (they extend it).',
  },
};
// One rule entry per folder (a later flat-config entry would replace, not add to, an earlier one).
const forbidImports = (...groups) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: groups.map(({ modules, why }) => ({
        group: modules.flatMap((m) => [`**/${m}/**`, `./${m}/**`]),
        message: why,
      })),
    },
  ],
});
const boundaries = [
  ...Object.entries(BELOW).map(([module, below]) => ({
    files: [`src/modules/${module}/**/*.ts`],
    rules: forbidImports(below, STORIES),
  })),
  {
    files: ['src/modules/**/*.ts'],
    // Import feeds NEMSIS/RMS files through the reporting story: it is a story itself.
    ignores: [...Object.keys(BELOW).map((m) => `src/modules/${m}/**`), 'src/modules/import/**'],
    rules: forbidImports(STORIES),
  },
];

/** Only the case workflow writes case tables: cases, their timeline, routing referrals, links. */
const CASE_ENTITY = '/^(Case|CaseEvent|Referral)$/';
const WRITE_METHOD =
  '/^(create|insert|insertMany|nativeInsert|nativeUpdate|nativeDelete|upsert|upsertMany|assign)$/';
const CASE_TABLE_SQL =
  '/(insert\\s+into|update|delete\\s+from|copy)\\s+"?(overdose_case|case_event|referral|case_link)\\b/i';
const onlyWorkflowWritesCases = {
  'no-restricted-syntax': [
    'error',
    {
      selector: `CallExpression[callee.property.name=${WRITE_METHOD}][arguments.0.name=${CASE_ENTITY}]`,
      message: 'Only src/modules/case/workflow writes cases, case events and referrals.',
    },
    {
      selector: `CallExpression[callee.name=insertJsonRows][arguments.1.name=${CASE_ENTITY}]`,
      message: 'Only src/modules/case/workflow writes cases, case events and referrals.',
    },
    {
      selector: `Literal[value=${CASE_TABLE_SQL}], TemplateElement[value.raw=${CASE_TABLE_SQL}]`,
      message: 'Only src/modules/case/workflow writes case tables.',
    },
    {
      selector: 'AssignmentExpression[left.type="MemberExpression"][left.object.name="kase"]',
      message: 'A case changes only through src/modules/case/workflow.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly' },
    },
  },
  ...boundaries,
  {
    files: ['src/**/*.ts'],
    // Seeders only: the synthetic seeder bulk-loads a benchmark world with COPY
    // (src/seed/synthetic), and the demo world (src/seed/demo-world.ts) writes cases already at
    // every stage of their history with back-dated timelines, which the workflow (taking cases
    // forward from now) cannot produce. Neither runs in production.
    ignores: ['src/modules/case/workflow/**', 'src/seed/synthetic/**', 'src/seed/demo-world.ts'],
    rules: onlyWorkflowWritesCases,
  },
  {
    // The field app's service worker: plain browser JavaScript in a worker's global scope.
    files: ['app/public/sw.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['src/cli.ts', 'src/scripts/**', 'bench/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
);
