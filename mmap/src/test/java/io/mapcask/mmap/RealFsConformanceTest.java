package io.mapcask.mmap;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link FsConformanceTest} against the real file system, in a temporary directory. */
class RealFsConformanceTest extends FsConformanceTest {

    @TempDir
    Path tmp;

    @Override
    protected Fs newFs() {
        return RealFs.INSTANCE;
    }

    @Override
    protected Path newDir() {
        return tmp;
    }
}
