/**
 * Preloaded (`--import`) into a CLI child by the trace tests: records every OpenTelemetry module the process
 * resolves and prints them on stderr at exit, as `otel modules: [...]`.
 */
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (/\/node_modules\/(@opentelemetry\/|bullmq-otel\/)/.test(resolved.url)) loaded.add(specifier);
    return resolved;
  },
});
process.on('exit', () => process.stderr.write(`otel modules: ${JSON.stringify([...loaded].sort())}\n`));
