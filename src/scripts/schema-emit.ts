import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildResearchBareSchema } from '../research/research-schema';
import { buildBareSchema } from '../schema';

/** Each endpoint's schema and the committed file it is printed to. */
const SCHEMAS: Array<{ file: string; build: () => Promise<GraphQLSchema> }> = [
  { file: 'schema.graphql', build: () => buildBareSchema() },
  { file: 'research.graphql', build: buildResearchBareSchema },
];

/** Writes schema/*.graphql, or with --check fails when a committed file is stale. */
async function main(): Promise<void> {
  let stale = false;
  for (const { file, build } of SCHEMAS) {
    const path = join(__dirname, '..', '..', '..', 'schema', file);
    const printed = `${printSchema(lexicographicSortSchema(await build()))}\n`;
    if (!process.argv.includes('--check')) {
      writeFileSync(path, printed);
      console.log(`wrote ${path}`);
    } else if (readFileSync(path, 'utf8') !== printed) {
      console.error(`schema/${file} is stale: run \`npm run schema:emit\` and commit it.`);
      stale = true;
    } else {
      console.log(`schema/${file} is current.`);
    }
  }
  if (stale) process.exit(1);
}

void main();
