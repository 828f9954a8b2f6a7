package io.mapcask.mmap;

import java.io.IOException;
import java.nio.file.Path;

/** The lock file is held by another process, or by another holder in this process. */
public final class FileLockedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Path lockFile;

    public FileLockedException(Path lockFile, String detail) {
        super(lockFile + " is locked " + detail);
        this.lockFile = lockFile;
    }

    public Path lockFile() {
        return lockFile;
    }
}
