// X-Request-ID: an inbound id is kept when it is 1–128 characters of [A-Za-z0-9._:-]; otherwise a new req_<ULID>.
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/random.js';

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdHeader = 'x-request-id';

export const requestIdGenerator =
  (clock: Clock) =>
  (raw: IncomingMessage): string => {
    const inbound = raw.headers[requestIdHeader];
    return typeof inbound === 'string' && acceptable.test(inbound) ? inbound : newId('req', clock.nowMs());
  };
