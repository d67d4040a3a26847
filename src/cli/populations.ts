import { readFile } from 'node:fs/promises';
import {
  decodeCensusFile,
  importPopulations,
  parseCensusPopulation,
} from '../modules/stats/population-import';
import { CliError } from './errors';
import { print } from './output';
import type { CliSession } from './session';

/** `npm run cli -- import populations <file.csv>`: Census county population estimates. */
export async function importPopulationsCommand(
  session: CliSession,
  options: { path: string },
): Promise<void> {
  const bytes = await readFile(options.path).catch(() => {
    throw new CliError(`cannot read ${options.path}`);
  });
  const rows = parseCensusPopulation(decodeCensusFile(bytes));
  const result = await importPopulations(session.em, rows);
  print(
    `Imported ${result.rows} populations: ${result.counties} counties, years ${result.years.join(', ')}.`,
  );
}
