/**
 * A real OTLP/HTTP receiver on loopback for the trace tests: accepts `POST /v1/traces` with the JSON body the
 * OTLP exporter sends and decodes it (resourceSpans → scopeSpans → spans) into plain spans to assert on.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An attribute value as decoded from OTLP JSON's AnyValue. */
export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

/** One span as received. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** The instrumentation scope that made it (`confluence-runner`, `bullmq`). */
  scope: string;
  /** `service.name` of its resource. */
  service: string;
  attributes: Record<string, AttributeValue>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, AttributeValue> }>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  startMs: number;
  endMs: number;
}

/** A running receiver. */
export interface TraceReceiver {
  /** Base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** Every span received, in arrival order. */
  readonly spans: ReceivedSpan[];
  /** Every request body received, as text (to search for what must not be there). */
  readonly bodies: string[];
  /** Requests received on any path. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1. */
export async function startTraceReceiver(): Promise<TraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  let requests = 0;
  const server = createServer(async (req, res) => {
    requests += 1;
    const body = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
      res.writeHead(404).end();
      return;
    }
    bodies.push(body);
    spans.push(...decode(JSON.parse(body)));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** OTLP JSON (ExportTraceServiceRequest) → spans. */
function decode(request: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          scope: ss.scope?.name ?? '',
          service,
          attributes: attributes(s.attributes),
          links: (s.links ?? []).map((l: any) => ({ traceId: l.traceId, spanId: l.spanId, attributes: attributes(l.attributes) })),
          events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attributes(e.attributes) })),
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message,
          startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
          endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
        });
      }
    }
  }
  return out;
}

function attributes(list: any[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) out[key] = anyValue(value);
  return out;
}

function anyValue(v: any): AttributeValue {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  return undefined;
}
