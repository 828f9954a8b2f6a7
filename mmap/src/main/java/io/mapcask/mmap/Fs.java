package io.mapcask.mmap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the engine is allowed to perform. Every call is one observable
 * operation, so a test implementation can crash before or after it.
 *
 * <p>Nothing here is durable until it is made so: file contents by {@link FileHandle#sync()}
 * or {@link MappedRegion#force(long, long)}, names (create, rename, delete) by {@link
 * #syncDirectory(Path)}.
 */
public interface Fs {

    /** Creates {@code dir} and missing parents; no-op when it exists as a directory. */
    void createDirectories(Path dir) throws IOException;

    boolean isDirectory(Path path);

    boolean exists(Path path);

    /** File names (not paths) directly inside {@code dir}, in no particular order. */
    List<String> list(Path dir) throws IOException;

    /** Opens a file for reading and writing, creating it when {@code create} is true. */
    FileHandle open(Path file, boolean create) throws IOException;

    /** Opens an existing file for reading only. */
    FileHandle openReadOnly(Path file) throws IOException;

    /** Renames {@code from} to {@code to}, atomically replacing {@code to} if it exists. */
    void rename(Path from, Path to) throws IOException;

    /**
     * Gives the existing file {@code existing} a second name, {@code link} (a hard link: both
     * names reach the same contents, and the contents stay while either name does). Like a
     * create, the new name is durable once its directory is synced. Fails with an {@link
     * IOException} when {@code link} exists, and when the file system cannot link the two (names on
     * different file systems: EXDEV; no hard links), so that the caller can copy instead.
     */
    void link(Path existing, Path link) throws IOException;

    /** Unlinks a file; no-op when it does not exist. */
    void delete(Path file) throws IOException;

    /** Makes the creates, renames and deletes inside {@code dir} durable. */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Takes an exclusive lock on {@code lockFile} (creating it), held until the returned lock is
     * closed. Fails with {@link FileLockedException} when another process or another holder in
     * this process has it.
     */
    DirectoryLock lock(Path lockFile) throws IOException;
}
