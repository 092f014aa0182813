/**
 * The build (`npm run build`, also run by `prepare`): bundles the CLI with esbuild into dist/.
 *
 * Why a bundle: `runner validate` used to load ~300 files (ours and the `yaml` package's 189), and resolving,
 * reading and compiling them one by one was a large share of its start-up (bench/cli-startup.ts, BENCHMARKS.md).
 *
 * - Entry points are the files Node is asked to run: the bin (also what `runner worker --processes N` forks, as
 *   node:cluster re-runs it) and the stand-alone stdio MCP server. Everything else is found by following imports,
 *   so a new module needs no configuration here. Each entry point is bundled on its own (see {@link bundle}).
 * - Code splitting keeps every `import()` lazy: each command's code is a chunk under dist/chunks/, loaded only
 *   when that command runs; code shared by several lands in shared chunks.
 * - Our code and the packages in {@link BUNDLED} (those `runner validate` loads) are bundled. Every other package
 *   stays a plain import that Node resolves from node_modules at run time, as it did before bundling, so packages
 *   that find files beside themselves or load native add-ons work unchanged.
 * - Every emitted file sits two folders below the package root (dist/cli/main.js, dist/chunks/x.js), as every
 *   source file does (src/cli/main.ts), so `PACKAGE_ROOT` in src/shared/paths.ts finds package.json and schemas/
 *   from both; {@link bundle} checks it.
 *
 *   node scripts/build.ts [outdir=dist]
 */
import { builtinModules } from 'node:module';
import { chmodSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Files Node runs directly: the bin, and `node dist/mcp/stdio-main.js` (for MCP hosts; tests run its source). */
const ENTRY_POINTS = ['src/cli/main.ts', 'src/mcp/stdio-main.ts'];

/**
 * Packages bundled with our code: the ones on the start-up path of `runner validate` (yaml alone is 189 files).
 * Others stay imports. A package added here must be plain JavaScript that finds nothing beside itself on disk;
 * test/integration/cli/built-cli.test.ts loads every chunk.
 */
const BUNDLED = new Set(['yaml', 'liquidjs']);

// Bundled CommonJS packages call `require` for Node built-ins (yaml: `require('process')`); an ES module has no
// `require`, so every emitted file gets one. The alias avoids clashing with our own `createRequire` imports.
const REQUIRE_SHIM = 'import { createRequire as __runnerCreateRequire } from "node:module"; const require = __runnerCreateRequire(import.meta.url);';

const builtins = new Set(builtinModules);

/** The package a bare import names (`@scope/name/sub` → `@scope/name`), or undefined for a Node built-in. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtins.has(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Leaves every package outside {@link BUNDLED} as an import resolved at run time. */
const externalPackages: esbuild.Plugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || isAbsolute(args.path)) return undefined;
      const name = packageOf(args.path);
      return name && !BUNDLED.has(name) ? { path: args.path, external: true } : undefined;
    });
  },
};

/**
 * Node built-ins that bundled CommonJS packages `require` are loaded on first use, not when the package loads:
 * liquidjs requires `crypto` (for two filters) and `stream` (for streamed rendering) up front, and loading
 * `crypto` alone cost `runner validate` ~5 ms. The package gets a proxy that requires the module when a property
 * is first read, so it behaves as the module does for property use (all these packages make of them).
 */
const lazyBuiltins: esbuild.Plugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.includes(`${sep}node_modules${sep}`) || packageOf(args.path) !== undefined) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' };
    });
    build.onLoad({ filter: /./, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let loaded; const load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const found = Reflect.getOwnPropertyDescriptor(load(), key);
    return found && { ...found, configurable: true };
  },
});`,
      loader: 'js',
    }));
  },
};

/** Builds dist/ (or `outdir`) from scratch. */
async function build(outdir = join(ROOT, 'dist')): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  for (const entryPoint of ENTRY_POINTS) await bundle(entryPoint, outdir);
  chmodSync(join(outdir, 'cli/main.js'), 0o755);
}

/**
 * Bundles one entry point. Each is bundled on its own: in one build, code the two share would be cut out of the
 * bin's chunks into chunks of its own, and every chunk is one more module for Node to load (~0.4 ms each).
 */
async function bundle(entryPoint: string, outdir: string): Promise<void> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entryPoint],
    outbase: 'src',
    outdir,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    banner: { js: REQUIRE_SHIM },
    plugins: [externalPackages, lazyBuiltins],
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of Object.keys(result.metafile.outputs)) {
    const depth = relative(outdir, resolve(ROOT, file)).split(sep).length;
    if (depth !== 2) throw new Error(`${file} is not one folder below ${outdir}: src/shared/paths.ts would not find the package root from it`);
  }
}

await build(process.argv[2] ? resolve(process.argv[2]) : undefined);
