/**
 * Metrics of a `node:cluster` of workers, served by the primary: each child answers the primary's request with its
 * run metrics (prom-client's AggregatorRegistry protocol over the cluster's IPC channel), the primary adds them up
 * (counters and histograms summed; process metrics as prom-client aggregates them) and appends the state metrics it
 * reads itself, once (waiting approvals, queue depth: see metrics-state.ts).
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import { joinExposition, type MetricsText } from './metrics-server.ts';

/** In a cluster child: answers the primary's scrapes with `registry` (a child's `createRunMetrics().registry`). */
export function answerPrimaryScrapes(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // The constructor installs the child's listener for the primary's requests (once per process).
  new AggregatorRegistry();
}

/**
 * In the primary: a collect function for `serveMetrics` that asks every live child (5 s at most, else the scrape
 * fails) and appends `state` (the primary's `createStateMetrics().registry`), when given.
 */
export function clusterMetricsText(state?: Registry): () => Promise<MetricsText> {
  const aggregator = new AggregatorRegistry();
  return async () => {
    const [children, own] = await Promise.all([aggregator.clusterMetrics(), state ? state.metrics() : Promise.resolve('')]);
    return { contentType: aggregator.contentType, text: joinExposition([children, own]) };
  };
}
