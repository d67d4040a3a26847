import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Redaction is a safety net: code never logs personal data on purpose, but
 * if an object with one of these keys slips into a log call its value is censored.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'authorization',
  'token',
  'apiKey',
  'password',
  'variables',
  '*.variables',
  '*.firstName',
  '*.lastName',
  '*.dateOfBirth',
  '*.phone',
  '*.address',
  '*.street',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'overdose-response-hub' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
