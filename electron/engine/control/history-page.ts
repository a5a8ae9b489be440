// The `history` method in pages: ten minutes of samples with a few links is larger than one
// control frame (MAX_CONTROL_FRAME), so the engine answers with the oldest samples that fit
// and `more: true`; the client asks again from the last sample's `at` until `more` is false.
import { MAX_CONTROL_FRAME, type HistoryResult, type HistorySample } from '../../protocol/control';
import type { ControlClient } from './client';

/** room left for the response envelope: {"id":<id>,"result":{"samples":[...],"more":false}} */
const ENVELOPE_BYTES = 128;

/** the oldest samples whose JSON fits in `budget` bytes; samples must be oldest first */
export function pageHistory(samples: readonly HistorySample[], budget = MAX_CONTROL_FRAME - ENVELOPE_BYTES): HistoryResult {
  let used = 0;
  let count = 0;
  for (const sample of samples) {
    const size = Buffer.byteLength(JSON.stringify(sample)) + 1; // and its comma
    if (used + size > budget) break;
    used += size;
    count++;
  }
  return { samples: samples.slice(0, count), more: count < samples.length };
}

/**
 * Every sample after sinceMs, following pages. Stops after maxPages (a bound in case the engine
 * keeps adding samples as fast as they are read, or repeats one `at`).
 */
export async function fetchHistory(client: Pick<ControlClient, 'call'>, sinceMs?: number, maxPages = 20): Promise<HistorySample[]> {
  const all: HistorySample[] = [];
  let since = sinceMs;
  for (let page = 0; page < maxPages; page++) {
    const result = await client.call('history', since === undefined ? {} : { sinceMs: since });
    all.push(...result.samples);
    const last = result.samples.at(-1);
    if (!result.more || !last || (since !== undefined && last.at <= since)) break;
    since = last.at;
  }
  return all;
}
