import { createBackendOpener } from '../backends/open.ts';
import type { BackendOpener } from '../backends/types.ts';
import { loadConfig, type RunnerConfig } from '../config/config.ts';
import { createSandboxLauncher } from '../sandbox/launcher.ts';
import { confluenceCatalogue } from '../toolkit/catalogue.ts';
import type { LoadOptions } from '../workflow/load.ts';

let config: RunnerConfig | undefined;
let opener: BackendOpener | undefined;

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

/**
 * The process's backend opener: one in-process sandbox launcher for every run of this process, so concurrent runs
 * (serve, a worker) share one embedded sandbox per database file.
 */
export function cliBackends(): BackendOpener {
  opener ??= createBackendOpener({ sandbox: createSandboxLauncher() });
  return opener;
}
