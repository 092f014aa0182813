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
    let seen = 0;
    const guard = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          controller.error(
            new ExternalError('model', `the model server's answer passed ${Math.round(limit / 1024)} KB and was cut off (RUNNER_MAX_OUTPUT_CHARS bounds it)`, {
              retryable: false,
            }),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(guard), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
