// The known-failures list: one failing assertion per line, `file.wast:LINE
// reason`, with # comments. A run fails on a failure that is not listed and
// on a listed assertion that passes, so the list can only shrink.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';

/**
 * @typedef {{ key: string, file: string, line: number, reason: string }} KnownFailure
 */

/** @returns {Map<string, KnownFailure>} by `file:line` */
export function readKnownFailures(path) {
  const known = new Map();
  if (!existsSync(path)) return known;
  readFileSync(path, 'utf8').split('\n').forEach((text, index) => {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(\S+\.wast):(\d+)\s+(\S.*)$/.exec(trimmed);
    if (!match) throw new Error(`${path}:${index + 1}: expected "file.wast:LINE  reason", got: ${trimmed}`);
    const [, file, line, reason] = match;
    const key = `${file}:${line}`;
    if (known.has(key)) throw new Error(`${path}:${index + 1}: ${key} is listed twice`);
    known.set(key, { key, file, line: Number(line), reason });
  });
  return known;
}

/**
 * Compares a run's results with the list.
 * @param {Map<string, import('./script.js').CommandResult[]>} resultsByFile files that ran
 * @param {Map<string, KnownFailure>} known
 */
export function classify(resultsByFile, known) {
  const unexpectedFailures = [];
  const expectedFailures = [];
  const unexpectedPasses = [];
  const stale = [];
  for (const [file, results] of resultsByFile) {
    for (const result of results) {
      const key = `${file}:${result.line}`;
      const entry = known.get(key);
      if (result.status === 'fail') (entry ? expectedFailures : unexpectedFailures).push({ key, file, ...result, reason: entry?.reason });
      else if (entry && result.status === 'pass') unexpectedPasses.push({ key, file, ...result, reason: entry.reason });
      else if (entry) stale.push({ ...entry, why: `is skipped (${result.message})` });
    }
  }
  for (const entry of known.values()) {
    const results = resultsByFile.get(entry.file);
    if (results && !results.some((result) => result.line === entry.line)) stale.push({ ...entry, why: 'is not a command' });
  }
  return { unexpectedFailures, expectedFailures, unexpectedPasses, stale };
}

/**
 * Rewrites the list from a full run: entries that still fail keep their
 * reasons, passing ones go, new failures come in marked UNTRIAGED with the
 * failure message, for a person to replace with the reason.
 */
export function updateKnownFailures(path, resultsByFile, known, header) {
  const lines = [];
  for (const [file, results] of [...resultsByFile].sort(([a], [b]) => a.localeCompare(b))) {
    for (const result of results) {
      if (result.status !== 'fail') continue;
      const key = `${file}:${result.line}`;
      const reason = known.get(key)?.reason ?? `UNTRIAGED ${result.kind}: ${oneLine(result.message)}`;
      lines.push(`${key}  ${reason}`);
    }
  }
  // Entries of files that did not run are kept as they are.
  for (const entry of known.values()) {
    if (!resultsByFile.has(entry.file)) lines.push(`${entry.key}  ${entry.reason}`);
  }
  writeFileSync(path, header + lines.join('\n') + (lines.length ? '\n' : ''));
  return lines.length;
}

export function oneLine(text = '') {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? flat.slice(0, 197) + '...' : flat;
}

/** The comment block at the top of an existing list (kept when it is rewritten). */
export function readHeader(path) {
  if (!existsSync(path)) return '';
  const header = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('#') && line.trim() !== '') break;
    header.push(line);
  }
  return header.length ? header.join('\n').replace(/\n*$/, '\n\n') : '';
}
