package io.mapcask;

import java.nio.file.Path;

/**
 * A file of the store holds bytes that no correct run of Mapcask (crashed or not) can leave:
 * a bad record below the durable mark, a damaged manifest edit that later edits depend on, a
 * segment shorter than its committed length. Recovery that fails with it has deleted and
 * truncated nothing.
 */
public final class MapcaskCorruptionException extends MapcaskException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;
    private final String detail;

    /**
     * @param file the damaged file
     * @param offset byte offset of the damage in {@code file}, or -1 when it concerns the whole file
     * @param detail what is wrong
     */
    public MapcaskCorruptionException(Path file, long offset, String detail) {
        super("corrupt store file " + file + (offset >= 0 ? " at offset " + offset : "") + ": " + detail);
        this.file = file;
        this.offset = offset;
        this.detail = detail;
    }

    /** @return the damaged file */
    public Path file() {
        return file;
    }

    /** @return byte offset of the damage, or -1 when it concerns the whole file */
    public long offset() {
        return offset;
    }

    /** @return what is wrong, without the file and offset */
    public String detail() {
        return detail;
    }
}
