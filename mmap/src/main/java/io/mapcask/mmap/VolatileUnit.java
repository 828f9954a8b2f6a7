package io.mapcask.mmap;

import java.nio.file.Path;

/**
 * One piece of state that a crash may or may not have made durable (CRASH-TESTING.md §3): a dirty
 * page of a file, a file's unsynced size change, or one unsynced directory entry operation
 * (create, unlink, rename, mkdir, rmdir; a rename is one unit). Units are numbered by their index
 * in {@link CrashState#units()}; a crash image keeps a subset of them.
 */
public final class VolatileUnit {

    public enum Kind {
        /** One 4 KiB page whose live bytes differ from its durable bytes. */
        PAGE,
        /** A file whose live size differs from its durable size. */
        SIZE,
        /** A directory entry operation not yet made durable by a directory sync. */
        ENTRY
    }

    private final Kind kind;
    private final Path path;
    private final String description;
    final int file;
    final long page;
    final byte[] newBytes;
    final SimFs.EntryOp entry;

    VolatileUnit(Kind kind, Path path, String description, int file, long page, byte[] newBytes, SimFs.EntryOp entry) {
        this.kind = kind;
        this.path = path;
        this.description = description;
        this.file = file;
        this.page = page;
        this.newBytes = newBytes;
        this.entry = entry;
    }

    public Kind kind() {
        return kind;
    }

    /** The file (a name it has or had) or, for an entry operation, the entry's path. */
    public Path path() {
        return path;
    }

    /** The page index for {@link Kind#PAGE}, else -1. */
    public long page() {
        return page;
    }

    @Override
    public String toString() {
        return description;
    }
}
