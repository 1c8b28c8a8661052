// The report the child programs of the sql.js and toolchain tests print:
// each case's result or error, with its time, as one JSON line on stdout.
// A failure outside the cases (loading, instantiating) is the report's
// `fatal`; the parent test compares reports across implementations.

/** Runs each case of `cases` ({ name: () => value }) into report.results. */
export async function runCases(report, cases) {
  for (const [name, run] of Object.entries(cases)) {
    const began = performance.now();
    try {
      report.results[name] = { ok: await run() };
    } catch (error) {
      report.results[name] = { error: String(error?.stack ?? error) };
    }
    report.results[name].ms = Math.round(performance.now() - began);
  }
}

/** Runs `body` (which fills `report`), records what it throws as fatal, and prints the report. */
export async function printReport(report, body) {
  try {
    await body();
  } catch (error) {
    report.fatal = String(error?.stack ?? error);
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}
