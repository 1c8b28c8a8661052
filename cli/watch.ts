// --watch: runs `rebuild(input)` whenever an input file changes, until the
// process is stopped. Each input's directory is watched rather than the file
// itself, because editors and build tools replace a file (write a new one,
// rename it over the old) and a watch on the old file would go quiet. Events
// are debounced and checked against the file's size and modification time,
// so one save rebuilds once; a change during a rebuild rebuilds again after.

import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

const DEBOUNCE_MS = 50;

interface Watched {
  input: string;
  signature: string;
  timer: NodeJS.Timeout | null;
  running: boolean;
  again: boolean;
}

const signatureOf = (path: string): string => {
  try {
    const stats = statSync(path);
    return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
  } catch {
    return 'missing';
  }
};

export function watchInputs(inputs: string[], rebuild: (input: string) => Promise<void>): Promise<never> {
  const byDirectory = new Map<string, Map<string, Watched>>();
  for (const input of inputs) {
    const dir = dirname(resolve(input));
    const entries = byDirectory.get(dir) ?? new Map<string, Watched>();
    entries.set(basename(input), { input, signature: signatureOf(input), timer: null, running: false, again: false });
    byDirectory.set(dir, entries);
  }

  const run = async (watched: Watched): Promise<void> => {
    if (watched.running) {
      watched.again = true;
      return;
    }
    watched.running = true;
    do {
      watched.again = false;
      await rebuild(watched.input);
    } while (watched.again);
    watched.running = false;
  };

  const changed = (watched: Watched): void => {
    if (watched.timer !== null) clearTimeout(watched.timer);
    watched.timer = setTimeout(() => {
      watched.timer = null;
      const signature = signatureOf(watched.input);
      // Removed (an editor's save in progress): wait for the new file.
      if (signature === watched.signature || signature === 'missing') return;
      watched.signature = signature;
      void run(watched);
    }, DEBOUNCE_MS);
  };

  const watchers: FSWatcher[] = [];
  for (const [dir, entries] of byDirectory) {
    watchers.push(watch(dir, (_event, name) => {
      // Some platforms do not say which file: check them all.
      if (name === null) for (const watched of entries.values()) changed(watched);
      else {
        const watched = entries.get(name.toString());
        if (watched !== undefined) changed(watched);
      }
    }));
  }
  return new Promise<never>(() => {});
}
