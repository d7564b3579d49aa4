/**
 * Crash-safe file replacement for the local data folder: the new content goes to `<file>.tmp`, is flushed to
 * disk (fsync), then renamed over `<file>` and the folder entry is flushed too. A reader therefore sees either
 * the previous complete file or the new complete file — never a torn one, also after `kill -9` or a power
 * loss. A `<file>.tmp` left behind by an interrupted write is garbage and is simply overwritten next time.
 *
 * (`write-file-atomic` does the same minus the folder fsync, and its current major needs Node ≥ 22.22.)
 */
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Suffix of the temporary file next to the target. */
const TEMP_SUFFIX = '.tmp';

/**
 * Replaces `file` atomically with `content` (UTF-8). `mode` applies to a newly written file (e.g. `0o600`
 * for secrets). Throws the file-system error if the folder is missing or not writable; `file` is then
 * unchanged.
 */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const temp = `${file}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncFolder(dirname(file));
}

/** Removes `file` and a temporary file left next to it (missing files are fine). */
export async function removeWithTemp(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}${TEMP_SUFFIX}`, { force: true });
}

/** Flushes a folder's entries (the rename) to disk; a no-op where folders cannot be opened (Windows). */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Not supported on this platform: the rename is still atomic, only not yet durable.
  } finally {
    await handle?.close();
  }
}
