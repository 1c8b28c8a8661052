// How a bench child process reports: it runs `main`, prints its result (or
// { error } with the first lines of the stack) as one JSON line on stdout,
// the line the parent parses, and exits at once whatever is still pending.

export async function reportAndExit(main, stackLines = 4) {
  let report;
  try {
    report = await main();
  } catch (error) {
    report = { error: String(error?.stack ?? error).split('\n').slice(0, stackLines).join('\n') };
  }
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(0);
}
