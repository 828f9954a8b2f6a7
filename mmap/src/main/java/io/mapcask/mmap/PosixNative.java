package io.mapcask.mmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The only class that makes native calls ({@code open}, {@code close}, {@code
 * posix_fallocate}, {@code madvise}, {@code mmap}, {@code munmap} from libc), through FFM
 * downcalls.
 *
 * <p>Native access is probed once: when the JVM was started without {@code
 * --enable-native-access=ALL-UNNAMED} (or the module's name), {@link #available()} is false,
 * callers take their pure-Java fallback, and one message through {@link System.Logger} names
 * the flag. Downcalls are never attempted without the flag, because the JVM would print its
 * own warning on the user's console. Only Linux (64-bit {@code off_t}) is supported; elsewhere
 * the class reports itself unavailable.
 */
final class PosixNative {

    /** {@code <fcntl.h>} on Linux. */
    private static final int O_RDWR = 02;
    private static final int O_CLOEXEC = 02000000;
    /** {@code <errno.h>} on Linux. */
    private static final int EINTR = 4;
    static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    /** {@code <sys/mman.h>} on Linux 5.14+: MADV_POPULATE_WRITE (older kernels refuse it with EINVAL). */
    private static final int MADV_POPULATE_WRITE = 23;
    /** {@code <sys/mman.h>} on Linux: PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS. */
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;

    private static final boolean AVAILABLE;
    private static final String UNAVAILABLE_REASON;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle POSIX_FALLOCATE;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle open = null, close = null, fallocate = null, madvise = null, mmap = null, munmap = null;
        String reason = null;
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            reason = "native file calls are only used on Linux (this is " + os + ")";
        } else if (!PosixNative.class.getModule().isNativeAccessEnabled()) {
            reason = "native access is not enabled; start the JVM with "
                    + "--enable-native-access=ALL-UNNAMED for posix_fallocate and madvise";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                open = downcall(linker, libc, "open",
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
                close = downcall(linker, libc, "close",
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                fallocate = downcall(linker, libc, "posix_fallocate",
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                madvise = downcall(linker, libc, "madvise",
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                mmap = downcall(linker, libc, "mmap",
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG));
                munmap = downcall(linker, libc, "munmap",
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException | LinkageError e) {
                reason = "libc downcalls could not be linked: " + e;
                open = close = fallocate = madvise = mmap = munmap = null;
            }
        }
        OPEN = open;
        CLOSE = close;
        POSIX_FALLOCATE = fallocate;
        MADVISE = madvise;
        MMAP = mmap;
        MUNMAP = munmap;
        AVAILABLE = reason == null;
        UNAVAILABLE_REASON = reason;
        if (reason != null) {
            System.getLogger("io.mapcask.mmap").log(System.Logger.Level.INFO,
                    "Mapcask preallocates segments by writing zeros, skips madvise and zeroes keydir tables"
                            + " as it allocates them: " + reason);
        }
    }

    private PosixNative() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name, FunctionDescriptor fd) {
        MemorySegment symbol = libc.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return linker.downcallHandle(symbol, fd);
    }

    static boolean available() {
        return AVAILABLE;
    }

    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * Reserves blocks for {@code [offset, offset + length)} of {@code file}.
     *
     * @return false when the file system does not support it (the caller falls back)
     * @throws IOException with path, range and errno when the space cannot be reserved
     */
    static boolean fallocate(Path file, long offset, long length) throws IOException {
        if (!AVAILABLE) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(file.toString());
            int fd = (int) OPEN.invokeExact(cPath, O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException(file + ": open(2) for posix_fallocate failed");
            }
            try {
                int rc;
                do {
                    rc = (int) POSIX_FALLOCATE.invokeExact(fd, offset, length);
                } while (rc == EINTR);
                if (rc == EOPNOTSUPP) {
                    return false;
                }
                if (rc != 0) {
                    throw new IOException(file + ": posix_fallocate(offset=" + offset + ", length=" + length
                            + ") failed with errno " + rc + (rc == ENOSPC ? " (ENOSPC: the disk is full)" : ""));
                }
                return true;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(file + ": posix_fallocate downcall failed", t);
        }
    }

    /**
     * Faults in every page of {@code mapped} (anonymous or a shared file mapping) for writing, as
     * if each had been written, without changing a byte, so that later accesses take no page
     * fault; {@code madvise(MADV_POPULATE_WRITE)}. {@code mapped} must start on a page boundary.
     *
     * @return false when refused (a kernel older than Linux 5.14, a closed segment, an unmapped range)
     */
    static boolean populateWrite(MemorySegment mapped) {
        if (!AVAILABLE || mapped.byteSize() == 0) {
            return false;
        }
        try {
            return (int) MADVISE.invokeExact(mapped, mapped.byteSize(), MADV_POPULATE_WRITE) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Maps {@code bytes} of private anonymous memory: zero pages the kernel supplies on first
     * touch, so that a large allocation costs nothing up front.
     *
     * @return the address, or {@link MemorySegment#NULL} when unavailable or refused (the caller
     *     falls back)
     */
    static MemorySegment mapAnonymous(long bytes) {
        if (!AVAILABLE) {
            return MemorySegment.NULL;
        }
        try {
            MemorySegment addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            return addr.address() == -1L ? MemorySegment.NULL : addr; // MAP_FAILED
        } catch (Throwable t) {
            return MemorySegment.NULL;
        }
    }

    /** Unmaps what {@link #mapAnonymous} mapped. */
    static void unmapAnonymous(MemorySegment addr, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(addr, bytes);
        } catch (Throwable ignored) {
            // only fails for a range that was never mapped
        }
    }
}
