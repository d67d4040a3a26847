import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { startTestHub } from './support/hub';

/**
 * The test hub's own failures: a test that cannot get its database or its port fails with one
 * line saying which, and leaves nothing running behind it (the file would otherwise hang jest).
 */
describe('startTestHub when it cannot start', () => {
  it('names the database it could not reach, in one line', async () => {
    const failure = startTestHub({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    await expect(failure).rejects.toThrow(
      /^test hub could not start on PostgreSQL postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere, 127\.0\.0\.1:0: .+$/,
    );
    const message = await failure.catch((error: Error) => error.message);
    expect(message).not.toContain('\n');
  });

  it('names the port it could not listen on, in one line, and leaves no connection open', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const failure = startTestHub({ PORT: String(port) });
      await expect(failure).rejects.toThrow(
        new RegExp(`^test hub could not start on .+, 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*$`),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    if (process.env.DATABASE_URL) {
      // The file's own database: no connection but this one's once the failed hub is gone.
      const client = new Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()`,
        );
        expect(rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    }
  });
});
