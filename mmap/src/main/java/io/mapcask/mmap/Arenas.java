package io.mapcask.mmap;

import java.lang.foreign.Arena;

/** Closing the shared arena of a mapping while other threads may be using it. */
final class Arenas {
    private Arenas() {
    }

    /**
     * Closes {@code arena}, waiting for threads inside a bulk access of one of its segments
     * ({@code MemorySegment.copy}, {@code toArray}, {@code mismatch}) to leave it: those hold the
     * session for the length of one copy, and {@code close()} refuses with "Session is acquired"
     * meanwhile (Lucene's MMapDirectory retries the same way). Plain reads do not hold it; they
     * fail with {@link IllegalStateException} after the close, and their callers retry elsewhere.
     */
    static void closeWhenReleased(Arena arena) {
        for (int spins = 0; ; spins++) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException acquired) {
                if (spins < 1_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }
}
