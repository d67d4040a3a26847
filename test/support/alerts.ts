import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { neighbouringCounties } from '../../src/modules/spike/county-adjacency';
import type { TestHub } from './hub';

const DAY = 86_400_000;

/**
 * A real county (from the us-atlas boundaries) with at least `minNeighbours` neighbours, where
 * neither it nor its neighbours had an overdose in the last ten weeks on this database: spike
 * tests need real adjacency and a history of their own, also when run again on a kept database.
 */
export async function quietRealCounty(hub: TestHub, minNeighbours = 2): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const state = 1 + Math.floor(Math.random() * 48);
    const county = `${String(state).padStart(2, '0')}${String(1 + 2 * Math.floor(Math.random() * 60)).padStart(3, '0')}`;
    const neighbours = neighbouringCounties(county);
    if (neighbours.length < minNeighbours) continue;
    const [row] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: number }>>(
        `select count(*)::int as n from overdose_incident
          where county = any(?::bpchar[]) and occurred_at > now() - interval '70 days'`,
        [`{${[county, ...neighbours].join(',')}}`],
      );
    if (row.n === 0) return county;
  }
  throw new Error('no quiet county found');
}

/**
 * Past overdoses in a county, written straight to the table (the API refuses reports older
 * than the intake limit): `perDay` a day (fractions spread them out) from `fromDay` to `toDay`
 * days ago, each with the given substances.
 */
export async function seedHistory(
  hub: TestHub,
  agencyId: string,
  county: string,
  options: { perDay: number; fromDay: number; toDay: number; substances?: string[] },
): Promise<number> {
  const times: Date[] = [];
  const step = 1 / options.perDay;
  for (let d = options.toDay; d > options.fromDay; d -= step) {
    times.push(new Date(Date.now() - d * DAY));
  }
  await hub
    .em()
    .getConnection()
    .execute(
      `insert into overdose_incident (id, created_at, updated_at, reporting_agency_id, external_id,
         occurred_at, county, fatal, suspected_substances, officer_warm_handoff, reported_by_id, version)
       select gen_random_uuid(), now(), now(), ?::uuid, 'HIST-' || gen_random_uuid()::text, t, ?,
              false, ?::suspected_substance[], false, gen_random_uuid(), 1
         from unnest(?::timestamptz[]) t`,
      [
        agencyId,
        county,
        `{${(options.substances ?? ['FENTANYL']).join(',')}}`,
        `{${times.map((t) => `"${t.toISOString()}"`).join(',')}}`,
      ],
    );
  return times.length;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  path: string;
}

/** A local HTTP endpoint (webhook or push service) whose answer a test can change. */
export interface Receiver {
  url: string;
  received: Received[];
  status: number;
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const state = { received: [] as Received[], status: 200, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        if (state.status < 300) {
          state.received.push({
            headers: req.headers,
            body: Buffer.concat(chunks),
            path: req.url ?? '',
          });
        }
        res.statusCode = state.status;
        res.end();
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as Receiver;
}

export interface Mail {
  to: string[];
  data: string;
}

/** A local SMTP server; `refuse` makes it answer 550 to every recipient. */
export interface MailServer {
  url: string;
  mails: Mail[];
  refuse: boolean;
  close(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const state = { mails: [] as Mail[], refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.refuse) {
        const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(state, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as MailServer;
}

export const uniqueEmail = () => `alerts-${randomUUID().slice(0, 8)}@health.example`;

export const SET_SETTINGS = `mutation ($input: SpikeSettingsInput!) {
  setSpikeSettings(input: $input) { exceedanceProbability minCount poolNeighbours substances isDefault }
}`;
export const ADD_CONTACT = `mutation ($input: AddAlertContactInput!) {
  addAlertContact(input: $input) { contact { id channel label target active } webhookSecret }
}`;
export const DELIVERIES = `query ($status: String) {
  alertDeliveries(status: $status) { id alertId contactId channel status attempts lastError nextAttemptAt sentAt }
}`;
export type Delivery = {
  id: string;
  alertId: string;
  contactId: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
};
