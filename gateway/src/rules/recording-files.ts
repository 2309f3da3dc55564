import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface RecordingFilesOptions {
  dir: string;
  maxFileBytes: number;
  keepFiles: number;
  /** Free space to leave on the disk (the alarm database may share it). */
  keepFreeBytes: number;
  /** Gateway time, for the file names. */
  now: () => number;
  /** Free bytes on the disk of `dir` (statfs; injectable so a test can fill the disk). */
  freeBytes?: (dir: string) => Promise<number>;
}

/** Raised when the reserve cannot be kept even with every older recording deleted. */
export class NoRoomError extends Error {
  readonly code = 'ENOSPC';
}

const NAME = /^ingest-.*\.jsonl$/;

const diskFree = async (dir: string) => {
  const { bavail, bsize } = await statfs(dir);
  return bavail * bsize;
};

/**
 * Rotating JSON-lines files `ingest-<start time>.jsonl`, bounded in number and in disk space.
 * All I/O is asynchronous (the thread pool), so a slow card never holds up the event loop, and
 * nothing is fsynced: a recording is for replay, and losing its last second to a power cut
 * costs nothing, while an fsync per write would wear the card and stall the disk the alarm
 * database waits on.
 */
export class RecordingFiles {
  private file: FileHandle | undefined;
  private fileName = '';
  private fileBytes = 0;
  private readonly freeBytes: (dir: string) => Promise<number>;

  constructor(private readonly o: RecordingFilesOptions) {
    this.freeBytes = o.freeBytes ?? diskFree;
  }

  /** The files on disk, oldest first (the names sort by their start time). */
  async list(): Promise<string[]> {
    return (await readdir(this.o.dir)).filter((n) => NAME.test(n)).sort();
  }

  /**
   * Appends a chunk of whole lines, starting a new file first when the current one would pass
   * maxFileBytes. Throws on any I/O failure (a read-only or vanished card) and NoRoomError when
   * the reserve cannot be kept; the caller stops recording and the file is closed.
   */
  async append(chunk: string): Promise<void> {
    const bytes = Buffer.byteLength(chunk);
    try {
      if (this.file && this.fileBytes > 0 && this.fileBytes + bytes > this.o.maxFileBytes) await this.close();
      if (!this.file) await mkdir(this.o.dir, { recursive: true });
      await this.makeRoom(bytes);
      if (!this.file) await this.openNext();
      await this.file!.write(chunk);
      this.fileBytes += bytes;
    } catch (err) {
      await this.close().catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    this.fileName = '';
    this.fileBytes = 0;
    await file?.close();
  }

  private async openNext(): Promise<void> {
    // Two files started in the same millisecond (or after the clock went back): the next free name.
    for (let t = this.o.now(); ; t++) {
      const name = `ingest-${new Date(t).toISOString().replace(/:/g, '-')}.jsonl`;
      try {
        this.file = await open(
          join(this.o.dir, name),
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        );
        this.fileName = name;
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const older = await this.older();
    for (const old of older.slice(0, Math.max(0, older.length + 1 - this.o.keepFiles)))
      await this.remove(old);
  }

  /**
   * Deletes the oldest recordings (not the one being written) until the reserve is kept: the
   * alarm database needs the space more. No new file is started without room for it.
   */
  private async makeRoom(bytes: number): Promise<void> {
    if (this.o.keepFreeBytes <= 0) return;
    while ((await this.freeBytes(this.o.dir)) - bytes < this.o.keepFreeBytes) {
      const older = await this.older();
      if (older.length === 0)
        throw new NoRoomError(
          `less than ${Math.round(this.o.keepFreeBytes / 1048576)} MB free on the disk of ${this.o.dir}`,
        );
      await this.remove(older[0]!);
    }
  }

  /** The recordings other than the one being written, oldest first. */
  private async older(): Promise<string[]> {
    return (await this.list()).filter((n) => n !== this.fileName);
  }

  private async remove(name: string): Promise<void> {
    await unlink(join(this.o.dir, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
