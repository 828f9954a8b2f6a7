package io.mapcask;

/**
 * An IO operation of the store failed (write, force, fsync, rename, preallocation). After a
 * failure on the write path the instance is fail-stop: every later write and {@code sync()}
 * throws this exception with the original cause, because a failed fsync cannot be retried
 * safely. Reads of what is already in memory continue; reopening the store (which runs
 * recovery) lifts the state.
 */
public final class MapcaskIOException extends MapcaskException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the file
     * @param cause the original IO failure
     */
    public MapcaskIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
