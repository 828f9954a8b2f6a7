package io.mapcask;

import java.lang.foreign.MemorySegment;

/**
 * Answers the keydir's questions about the record at a location, because the keydir holds no
 * key bytes. Implementations read the mapped segments; a location in a segment that has been
 * retired throws {@link IllegalStateException}, and the caller retries through the keydir.
 */
interface KeyMatcher {

    /** Compares the record's key with {@code key[keyOffset, keyOffset + keyLength)}. */
    boolean keyEquals(long location, byte[] key, int keyOffset, int keyLength);

    boolean keyEquals(long location, MemorySegment src, long offset, int length);

    long sequenceAt(long location);
}
