#!/usr/bin/env node
// The bin entry. First the Node version, checked with nothing but syntax and APIs every Node since 14 has, so an
// old Node (a new terminal without `. scripts/env.sh`) gets one line saying what to do, not a SyntaxError. Then
// Node's on-disk compile cache, before anything else loads: it roughly halves the cost of loading our dependencies
// on every start after the first (see bench/cli-startup.ts).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  process.stderr.write(
    `error: confluence-runner needs Node.js 22.22 or newer (24 LTS recommended), and this is Node ${process.versions.node}; ` +
      'run `. scripts/env.sh` in the project folder (it puts Node 24 first on PATH), or install a newer Node\n',
  );
  process.exit(2);
}
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// One import: in the build every module `import()`ed here is a chunk of its own (scripts/build.ts).
const { main, reportError } = await import('./cli.ts');
// `runner ... | head` closes our stdout early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.on('unhandledRejection', (reason) => {
  process.exitCode = reportError(reason);
});
process.exitCode = await main(process.argv.slice(2));
