import { loadConfig, type RunnerConfig } from '../config/config.ts';
import { confluenceCatalogue } from '../toolkit/catalogue.ts';
import type { LoadOptions } from '../workflow/load.ts';

let config: RunnerConfig | undefined;

/** The configuration for this CLI invocation (read once). */
export function cliConfig(flags?: { backend?: string; model?: string }): RunnerConfig {
  if (flags && (flags.backend || flags.model)) return loadConfig({ flags });
  config ??= loadConfig();
  return config;
}

/** Loader options backed by the embedded Confluence catalogue. */
export function loadOptions(): LoadOptions {
  return { tools: confluenceCatalogue() };
}
