package io.mapcask.mmap;

import java.io.IOException;

/** An exclusive lock on a store directory, held until closed. */
public interface DirectoryLock extends AutoCloseable {
    @Override
    void close() throws IOException;
}
