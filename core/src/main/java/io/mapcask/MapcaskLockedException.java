package io.mapcask;

import java.nio.file.Path;

/** The store directory is held by another process or another open instance. */
public final class MapcaskLockedException extends MapcaskException {
    private static final long serialVersionUID = 1L;
    private final transient Path lockFile;

    /**
     * @param lockFile the lock file that is held
     * @param cause the failed lock attempt
     */
    public MapcaskLockedException(Path lockFile, Throwable cause) {
        super("cannot open the Mapcask store: its lock file " + lockFile
                + " is held (" + cause.getMessage() + "); close the other instance first", cause);
        this.lockFile = lockFile;
    }

    /** @return the held lock file */
    public Path lockFile() {
        return lockFile;
    }
}
