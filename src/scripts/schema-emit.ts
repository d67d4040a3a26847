import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildBareSchema } from '../schema';

/** Writes schema/schema.graphql, or with --check fails when the committed file is stale. */
async function main(): Promise<void> {
  const file = join(__dirname, '..', '..', '..', 'schema', 'schema.graphql');
  const printed = `${printSchema(lexicographicSortSchema(await buildBareSchema()))}\n`;
  if (process.argv.includes('--check')) {
    const committed = readFileSync(file, 'utf8');
    if (committed !== printed) {
      console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit it.');
      process.exit(1);
    }
    console.log('schema/schema.graphql is current.');
    return;
  }
  writeFileSync(file, printed);
  console.log(`wrote ${file}`);
}

void main();
