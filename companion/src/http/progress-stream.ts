import type { Request, Response } from 'express';
import { toErrorResponse } from './http.errors.js';

/** Whether the caller asked for progress lines (Accept: application/x-ndjson) rather than one JSON answer. */
export function wantsProgress(req: Request): boolean {
  return req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson';
}

/**
 * Runs a long piece of work and streams `{"progress": {done, total}}` lines (at most one per `every`
 * items, and the last), then `{"result": …}`. The status line has gone by the time the work could fail,
 * so a failure is the stream's last line, in the API's error shape.
 */
export async function streamProgress<T>(
  res: Response,
  run: (onProgress: (progress: { done: number; total: number }) => void) => Promise<T>,
  every = 1000,
): Promise<void> {
  let last = 0;
  res.status(200).type('application/x-ndjson');
  try {
    const result = await run((progress) => {
      if (progress.done - last < every && progress.done !== progress.total) return;
      last = progress.done;
      res.write(JSON.stringify({ progress }) + '\n');
    });
    res.end(JSON.stringify({ result }) + '\n');
  } catch (error) {
    res.end(JSON.stringify(toErrorResponse(error).body) + '\n');
  }
}
