/**
 * The Queue page: Bull Board (`@bull-board/api` with its Express adapter) over the runs queue and the notify queue,
 * read-only (its buttons that retry, promote or delete jobs are off, and the dashboard lets only GET reach it). Its
 * UI assets come from the installed `@bull-board/ui` package, so it works offline too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';

/** A request handler for everything under the base path. */
export type Mounted = (req: IncomingMessage, res: ServerResponse) => void;

/** Builds the read-only board over `queues` at `basePath` (e.g. `/queues`). */
export async function mountBullBoard(queues: readonly Queue[], basePath: string): Promise<Mounted> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'confluence-runner queue' } },
  });
  const router = serverAdapter.getRouter() as (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  // Express expects to be mounted: strip the base path, as app.use(basePath, router) would.
  return (req, res) => {
    const original = req.url ?? '/';
    req.url = original.slice(basePath.length) || '/';
    router(req, res, (error?: unknown) => {
      if (res.headersSent) return;
      res.writeHead(error ? 500 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(error ? 'the queue board failed' : 'not found');
    });
  };
}
