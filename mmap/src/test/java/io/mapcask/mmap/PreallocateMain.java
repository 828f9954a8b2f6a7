package io.mapcask.mmap;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Child-JVM entry point of {@link RealFsTest}: preallocates files through {@link RealFs} and
 * reports on stdout what happened, so the parent can run it with and without
 * {@code --enable-native-access} and check both the files and the child's stderr.
 *
 * <p>Arguments: a directory and a size in bytes. Allocates {@code first.data} to the size and
 * {@code second.data} to half of it (two allocations, to show the message about native access
 * comes once), then tries an impossible allocation of 2^50 bytes in {@code huge.data}.
 */
public final class PreallocateMain {

    private PreallocateMain() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        allocate(dir.resolve("first.data"), size);
        allocate(dir.resolve("second.data"), size / 2);
        try (FileHandle h = RealFs.INSTANCE.open(dir.resolve("huge.data"), true)) {
            h.allocate(1L << 50);
            System.out.println("huge allocated");
        } catch (IOException e) {
            System.out.println("huge failed: " + e.getMessage());
        }
        System.out.println("native " + RealFs.nativePreallocation());
    }

    private static void allocate(Path file, long size) throws IOException {
        try (FileHandle h = RealFs.INSTANCE.open(file, true)) {
            h.allocate(size);
            System.out.println(file.getFileName() + " " + h.size());
        }
    }
}
