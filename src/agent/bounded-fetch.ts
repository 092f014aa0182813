/**
 * A fetch for the model client that stops reading an answer past a size: a model server that sends 60 MB (a
 * runaway open model, a broken proxy) fails the request once the limit is passed, instead of being held in memory
 * whole before the step rejects it.
 */
import { ExternalError } from '../shared/errors.ts';

/** The most an answer may be, bytes, for a step's final answer of at most `maxOutputChars` (room for JSON and UTF-8). */
export function answerByteLimit(maxOutputChars: number): number {
  return maxOutputChars * 4 + 256 * 1024;
}

/** `fetch`, with every response body cut off (as an error) after `limit` bytes. */
export function boundedFetch(limit: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.body) return response;
    // A plain body that says its length is checked by that alone: piping every answer through a guard stream costs
    // CPU on each model request. A compressed one is counted as it is decoded (its length says nothing of that).
    const encoding = response.headers.get('content-encoding');
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if ((!encoding || encoding === 'identity') && Number.isSafeInteger(length) && length >= 0) {
      if (length <= limit) return response;
      await response.body.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    let seen = 0;
    const guard = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          controller.error(tooLarge(limit));
          return;
        }
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(guard), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The error of an answer past `limit` bytes (not retried: the same request would get the same answer). */
function tooLarge(limit: number): ExternalError {
  return new ExternalError('model', `the model server's answer passed ${Math.round(limit / 1024)} KB and was cut off (RUNNER_MAX_OUTPUT_CHARS bounds it)`, {
    retryable: false,
  });
}
