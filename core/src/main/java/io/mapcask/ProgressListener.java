package io.mapcask;

/**
 * Told how far a long operation ({@link Mapcask#compact(ProgressListener)}, {@link
 * Mapcask#verify(java.nio.file.Path, ProgressListener)}) has come, on the thread doing the work.
 * It may be called very often (once per record): keep it cheap, and draw at most a few times a
 * second. It must not call back into the store.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores every update. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * @param done units done so far (bytes, for compaction and verification)
     * @param total units the operation expects in all; {@code done} reaches it at the end
     */
    void progress(long done, long total);
}
