package io.mapcask;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The hash index: key → location of its newest record, off-heap, open addressing with linear
 * probing (Agrona's {@code Long2LongHashMap} shape), no key bytes stored.
 *
 * <p>A table is two arrays in one {@link MemorySegment} from {@link Arena#ofAuto()}: {@code
 * capacity} 8-byte location words, then {@code capacity} 4-byte hash words, 12 bytes a slot. The
 * hash word is the low 32 bits of the key's seeded 64-bit hash; the home slot is derived from
 * that word alone (a bijective mix, then a multiply-shift range reduction), so a table can be
 * rebuilt at any capacity without reading a key, and keys sharing a probe chain still differ in
 * their hash word. The capacity need not be a power of two: growth is to twice the live keys,
 * which keeps between 24 and 16 bytes per key at the 0.75 maximum load.
 *
 * <p>Location word: bit 63 tombstone (the newest record of the key is a delete), bits 27..62
 * segment id, bits 0..26 record offset / 8. {@link #EMPTY} (0) ends a probe; {@link #DEAD} marks
 * a slot whose key is gone, reusable by any key.
 *
 * <p>Threads: one writer at a time (the store's write lock) calls the mutators; any number of
 * readers call {@link #get} with no lock. A location word is written with release and read
 * with acquire semantics, so a reader sees a whole old or new location. The writer writes a
 * slot's hash word before publishing its location, and a reader reads the location first, so
 * a location it sees comes with its own hash word. A reader always confirms the key against
 * the record, so a stale slot costs a retry, never a wrong answer. Growth builds a new table
 * while readers use the old one (which stays complete because writers wait on the write lock)
 * and then publishes it; the old one is freed by the GC when the last reader drops it.
 *
 * <p>Hot path ({@link #get}): no allocation, no locks, no boxing.
 */
final class Keydir {
    static final long EMPTY = 0;
    static final long DEAD = Long.MIN_VALUE;
    static final long TOMBSTONE_BIT = Long.MIN_VALUE;
    static final int OFFSET_BITS = 27;
    static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    static final long MAX_SEGMENT_ID = (1L << 36) - 1;
    static final int SLOT_BYTES = 12;
    static final double MAX_LOAD = 0.75;

    private static final VarHandle LOCATION =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder()).varHandle();

    private volatile Table table;
    /** Slots holding a location (live, tombstone or dead); growth is triggered by these. */
    private long usedSlots;
    private long liveKeys;
    private long tombstones;

    Keydir(int initialCapacity) {
        table = new Table(initialCapacity);
    }

    static long location(long segmentId, long offset, boolean tombstone) {
        return (tombstone ? TOMBSTONE_BIT : 0) | (segmentId << OFFSET_BITS) | (offset >>> 3);
    }

    static long segmentId(long location) {
        return (location & ~TOMBSTONE_BIT) >>> OFFSET_BITS;
    }

    static long offset(long location) {
        return (location & OFFSET_MASK) << 3;
    }

    static boolean isTombstone(long location) {
        return (location & TOMBSTONE_BIT) != 0;
    }

    /** @return the key's location (possibly a tombstone), or {@link #EMPTY} when the key is unknown */
    long get(byte[] key, long hash, KeyMatcher matcher) {
        // Returns the very location it confirmed: reading the slot again could meet another key
        // that reused the slot after this key was forgotten.
        Table t = table;
        int word = (int) hash;
        long cap = t.capacity;
        long i = t.home(word);
        for (long probes = 0; probes < cap; probes++) {
            long loc = t.locationAcquire(i);
            if (loc == EMPTY) {
                return EMPTY;
            }
            if (loc != DEAD && t.word(i) == word && matcher.keyEquals(loc, key)) {
                return loc;
            }
            i = ++i == cap ? 0 : i;
        }
        return EMPTY;
    }

    /**
     * The location of a key given as bytes of a segment: recovery, and compaction (also its copy
     * phase, which runs beside writers). It reads the matched slot twice; that is safe because a
     * slot changes key only when a dead slot is reused, and slots die only in a compaction's
     * commit, which compactions never run concurrently with.
     *
     * @return the location, or {@link #EMPTY}
     */
    long get(MemorySegment src, long keyOffset, int keyLength, long hash, KeyMatcher matcher) {
        Table t = table;
        long slot = slotOf(t, src, keyOffset, keyLength, (int) hash, matcher);
        return slot >= 0 ? t.locationAcquire(slot) : EMPTY;
    }

    /**
     * Writer only: points {@code key} at {@code location}.
     *
     * @return the previous location, or {@link #EMPTY}
     */
    long put(byte[] key, long hash, long location, KeyMatcher matcher) {
        ensureRoom();
        Table t = table;
        long slot = slotOf(t, key, (int) hash, matcher);
        if (slot >= 0) {
            long old = t.locationAcquire(slot);
            replace(t, slot, old, location);
            return old;
        }
        insert(t, -slot - 1, (int) hash, location);
        return EMPTY;
    }

    /**
     * Writer only, for recovery: points the key at {@code location} unless the key already has a
     * record with a higher sequence.
     *
     * @return the location it replaced, {@link #EMPTY} when the key was new, or {@link #DEAD} when
     *     the key's record is newer and nothing changed
     */
    long putIfNewer(MemorySegment src, long keyOffset, int keyLength, long hash, long location, long sequence,
            KeyMatcher matcher) {
        ensureRoom();
        Table t = table;
        long slot = slotOf(t, src, keyOffset, keyLength, (int) hash, matcher);
        if (slot >= 0) {
            long old = t.locationAcquire(slot);
            if (matcher.sequenceAt(old) > sequence) {
                return DEAD;
            }
            replace(t, slot, old, location);
            return old;
        }
        insert(t, -slot - 1, (int) hash, location);
        return EMPTY;
    }

    /**
     * The seed engines' way, kept only for {@link ProtocolMutant#TRUST_ANY_HINT}: takes a matching
     * hash word for the same key without comparing key bytes. Never used otherwise.
     */
    void putTrustingHash(long hash, long location, long sequence, KeyMatcher matcher) {
        ensureRoom();
        Table t = table;
        int word = (int) hash;
        long cap = t.capacity;
        long i = t.home(word);
        for (long probes = 0; probes < cap; probes++) {
            long loc = t.locationAcquire(i);
            if (loc == EMPTY) {
                insert(t, i, word, location);
                return;
            }
            if (loc != DEAD && t.word(i) == word) {
                if (matcher.sequenceAt(loc) <= sequence) {
                    replace(t, i, loc, location);
                }
                return;
            }
            i = ++i == cap ? 0 : i;
        }
    }

    /**
     * Writer only: if the key's location is {@code expected}, sets it to {@code update} ({@link
     * #DEAD} forgets the key). Compaction uses it so that a write newer than the copy wins.
     *
     * @return true when the location was {@code expected} and is now {@code update}
     */
    boolean compareAndSet(MemorySegment src, long keyOffset, int keyLength, long hash, long expected, long update,
            KeyMatcher matcher) {
        Table t = table;
        long slot = slotOf(t, src, keyOffset, keyLength, (int) hash, matcher);
        if (slot < 0 || t.locationAcquire(slot) != expected) {
            return false;
        }
        replace(t, slot, expected, update);
        return true;
    }

    /**
     * Probes for the key given as a {@code byte[]}.
     *
     * @return the slot holding it, or {@code -(free slot) - 1} with the first reusable slot of the
     *     probe (a dead one, else the empty one that ended it); -1 - capacity when the table is full
     */
    private static long slotOf(Table t, byte[] key, int word, KeyMatcher matcher) {
        long cap = t.capacity;
        long i = t.home(word);
        long free = -1;
        for (long probes = 0; probes < cap; probes++) {
            long loc = t.locationAcquire(i);
            if (loc == EMPTY) {
                return -(free >= 0 ? free : i) - 1;
            }
            if (loc == DEAD) {
                free = free >= 0 ? free : i;
            } else if (t.word(i) == word && matcher.keyEquals(loc, key)) {
                return i;
            }
            i = ++i == cap ? 0 : i;
        }
        return -(free >= 0 ? free : cap) - 1;
    }

    /** As {@link #slotOf(Table, byte[], int, KeyMatcher)}, for a key given as bytes of a segment. */
    private static long slotOf(Table t, MemorySegment src, long keyOffset, int keyLength, int word,
            KeyMatcher matcher) {
        long cap = t.capacity;
        long i = t.home(word);
        long free = -1;
        for (long probes = 0; probes < cap; probes++) {
            long loc = t.locationAcquire(i);
            if (loc == EMPTY) {
                return -(free >= 0 ? free : i) - 1;
            }
            if (loc == DEAD) {
                free = free >= 0 ? free : i;
            } else if (t.word(i) == word && matcher.keyEquals(loc, src, keyOffset, keyLength)) {
                return i;
            }
            i = ++i == cap ? 0 : i;
        }
        return -(free >= 0 ? free : cap) - 1;
    }

    private void replace(Table t, long slot, long oldLoc, long newLoc) {
        t.setLocationRelease(slot, newLoc);
        count(oldLoc, -1);
        if (newLoc != DEAD) {
            count(newLoc, +1);
        }
    }

    private void insert(Table t, long slot, int word, long location) {
        if (t.locationAcquire(slot) == EMPTY) {
            usedSlots++;
        }
        t.setWord(slot, word);
        t.setLocationRelease(slot, location);
        count(location, +1);
    }

    private void count(long loc, int delta) {
        if (isTombstone(loc)) {
            tombstones += delta;
        } else {
            liveKeys += delta;
        }
    }

    private void ensureRoom() {
        Table t = table;
        if (usedSlots + 1 <= (long) (t.capacity * MAX_LOAD)) {
            return;
        }
        long keys = liveKeys + tombstones;
        long newCap = Math.max(16, Math.max(keys * 2, (long) ((keys + 1) / MAX_LOAD) + 1));
        Table n = new Table(newCap);
        for (long i = 0; i < t.capacity; i++) {
            long loc = t.locationAcquire(i);
            if (loc != EMPTY && loc != DEAD) {
                n.insertFresh(t.word(i), loc);
            }
        }
        usedSlots = keys;
        table = n;
    }

    /**
     * Calls {@code action} with every location of the current table (puts and tombstones; not
     * empty or dead slots), in slot order. Any thread. Slots of a table never move, so each key
     * is seen once; a table replaced by growth meanwhile is finished as it was at the swap.
     */
    void forEachLocation(java.util.function.LongConsumer action) {
        Table t = table;
        for (long i = 0; i < t.capacity; i++) {
            long loc = t.locationAcquire(i);
            if (loc != EMPTY && loc != DEAD) {
                action.accept(loc);
            }
        }
    }

    /** @return keys whose newest record is a put */
    long size() {
        return liveKeys;
    }

    /** @return keys whose newest record is a delete (kept until compaction drops the tombstone) */
    long tombstones() {
        return tombstones;
    }

    long capacity() {
        return table.capacity;
    }

    /** @return off-heap bytes of the current table */
    long tableBytes() {
        return table.capacity * SLOT_BYTES;
    }

    /** One table generation. Capacity is fixed; a larger table replaces it. */
    private static final class Table {
        final long capacity;
        final MemorySegment slots;
        final long wordsOffset;

        Table(long capacity) {
            if (capacity > Integer.MAX_VALUE) {
                throw new MapcaskException("keydir capacity " + capacity + " exceeds the supported 2^31 slots");
            }
            this.capacity = capacity;
            this.wordsOffset = capacity * 8;
            this.slots = Arena.ofAuto().allocate(capacity * SLOT_BYTES, 8);
        }

        long home(int word) {
            int m = word * 0x85EBCA6B;
            m ^= m >>> 13;
            m *= 0xC2B2AE35;
            m ^= m >>> 16;
            return ((m & 0xFFFFFFFFL) * capacity) >>> 32;
        }

        long locationAcquire(long slot) {
            return (long) LOCATION.getAcquire(slots, slot * 8);
        }

        void setLocationRelease(long slot, long loc) {
            LOCATION.setRelease(slots, slot * 8, loc);
        }

        int word(long slot) {
            return slots.get(ValueLayout.JAVA_INT, wordsOffset + slot * 4);
        }

        void setWord(long slot, int word) {
            slots.set(ValueLayout.JAVA_INT, wordsOffset + slot * 4, word);
        }

        /** Before publication only: no reader sees this table yet. */
        void insertFresh(int word, long loc) {
            long i = home(word);
            while (slots.get(ValueLayout.JAVA_LONG, i * 8) != EMPTY) {
                i = ++i == capacity ? 0 : i;
            }
            setWord(i, word);
            slots.set(ValueLayout.JAVA_LONG, i * 8, loc);
        }
    }

    // ---------------------------------------------------------------- bulk access (keydir checkpoint)

    /**
     * Writer only (the keydir checkpoint written at close): calls {@code action} with the hash word
     * (in the low 32 bits of the first argument) and the location of every entry (puts and
     * tombstones; not empty or dead slots), in slot order, which is the order of the words' home
     * slots at any capacity, so {@link #putAbsent} of the same sequence fills a new table front to back.
     */
    void forEachEntry(org.agrona.collections.LongLongConsumer action) {
        Table t = table;
        for (long i = 0; i < t.capacity; i++) {
            long loc = t.locationAcquire(i);
            if (loc != EMPTY && loc != DEAD) {
                action.accept(t.word(i), loc);
            }
        }
    }

    /**
     * Recovery only, before any reader: inserts the entry of a key that this keydir does not hold
     * (an entry of a keydir checkpoint, which holds each key once, loaded into a new keydir before
     * anything else), without reading a key.
     */
    void putAbsent(int word, long location) {
        ensureRoom();
        table.insertFresh(word, location);
        usedSlots++;
        count(location, +1);
    }
}
