package io.mapcask.mmap;

import java.io.IOException;
import java.nio.file.Path;

/** {@link FsConformanceTest} against {@link SimFs}: it must behave like the real file system. */
class SimFsConformanceTest extends FsConformanceTest {

    @Override
    protected Fs newFs() {
        return new SimFs(1);
    }

    @Override
    protected Path newDir() throws IOException {
        Path d = Path.of("/sim/conformance");
        fs.createDirectories(d);
        return d;
    }
}
