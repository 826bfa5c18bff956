import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

/** Keys that hold a secret, at the top of a logged object or inside one of `LOGGED_OBJECTS`. */
const SECRET_KEYS = ['apiKey', 'previousApiKey', 'privateKey', 'authorization', 'headers.authorization'];

/**
 * The keys under which the service logs whole objects (an error, the configuration, a request, a job's
 * run, a preview build, moved contacts). Named one by one rather than as `*`: a wildcard path makes pino
 * run its redaction over every value of every line and parse the paths again each time (~19 KB a
 * request line), while named paths cost nothing on a line without these keys. A new key that logs an
 * object which can hold a secret belongs here.
 */
const LOGGED_OBJECTS = ['err', 'config', 'req', 'run', 'preview', 'contacts'];

/** Paths pino blanks in every line, wherever a secret could end up in a logged object. */
export const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...LOGGED_OBJECTS.flatMap((object) => SECRET_KEYS.map((key) => `${object}.${key}`)),
];

/** The service's structured logger: JSON lines, secrets redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'switchyard' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
