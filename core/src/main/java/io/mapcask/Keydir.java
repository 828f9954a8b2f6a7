package io.mapcask;

import io.mapcask.mmap.ZeroedMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hash index: key → location of its newest record, off-heap, open addressing with linear
 * probing (Agrona's {@code Long2LongHashMap} shape), no key bytes stored.
 *
 * <p>A table is two arrays in one {@link MemorySegment} from {@link ZeroedMemory}: {@code
 * capacity} 8-byte location words, then {@code capacity} 4-byte hash words, 12 bytes a slot. The
 * hash word is the low 32 bits of the key's seeded 64-bit hash; the home slot is derived from
 * that word alone (a bijective mix, then a multiply-shift range reduction), so a table can be
 * rebuilt at any capacity without reading a key, and keys sharing a probe chain still differ in
 * their hash word. The capacity need not be a power of two: growth is to twice the keys, which
 * keeps between 24 and 16 bytes per key at the 0.75 maximum load once a growth has finished.
 *
 * <p>Location word: bit 63 tombstone (the newest record of the key is a delete), bits 27..62
 * segment id, bits 0..26 record offset / 8. {@link #EMPTY} (0) ends a probe; {@link #DEAD} marks
 * a slot whose key is gone, reusable by any key; {@link #MOVED} marks a slot whose entry a growth
 * has copied into a newer table. Neither can be a record's location (records start at {@link
 * SegmentHeader#DATA_START}).
 *
 * <p>Growth is incremental, so that no write waits for a whole-table rehash: a full table gets a
 * successor twice the keys' size, linked by {@link Table#next}, and from then on every mutation
 * copies at most {@link #MIGRATION_BATCH} slots of the oldest table ({@link #head}) into the
 * newest, marking each copied slot {@link #MOVED}. Until the oldest table is emptied that way the
 * tables form a chain, and each key lives in exactly one place: unmoved in an older table, or in
 * the newest. A write updates a key where it lives and inserts a new key into the newest table.
 *
 * <p>Threads: one writer at a time (the store's write lock) calls the mutators; any number of
 * readers call {@link #get} with no lock. A location word is written with release and read with
 * acquire semantics, so a reader sees a whole old or new location. The writer writes a slot's
 * hash word before publishing its location, and a reader reads the location first, so a location
 * it sees comes with its own hash word. A reader walks the chain from the oldest table: the copy
 * of a moved entry is published in the newer table before its old slot says {@link #MOVED}, and a
 * successor is linked before anything moves into it, so a reader that passes a moved slot finds
 * the entry further down the chain. A reader always confirms the key against the record, so a
 * stale slot costs a retry, never a wrong answer. A table emptied by growth is dropped and freed by
 * the GC when the last reader lets go of it.
 *
 * <p>Iterations ({@link #forEachLocation}) pause the copying, so that no entry moves from a slot
 * an iteration has passed to one it has still to visit: each key is visited once. A table that
 * fills during a paused growth simply gets its own successor.
 *
 * <p>Hot path ({@link #get}): no allocation, no locks, no boxing.
 */
final class Keydir {
    static final long EMPTY = 0;
    static final long DEAD = Long.MIN_VALUE;
    static final long MOVED = Long.MIN_VALUE | 1;
    static final long TOMBSTONE_BIT = Long.MIN_VALUE;
    static final int OFFSET_BITS = 27;
    static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    static final long MAX_SEGMENT_ID = (1L << 36) - 1;
    static final int SLOT_BYTES = 12;
    static final double MAX_LOAD = 0.75;
    /**
     * Slots of the oldest table copied by one mutation while a growth runs. The successor has room
     * for half as many new keys as there are keys, and a table grows at 3/4 load, so when its slots
     * hold keys (not dead ones) a batch of 3 or more empties it before its successor fills; when
     * the successor fills first, the chain simply grows by one more table. It is 64, not 3: while
     * a growth runs, a new key is probed for in both tables (two cache misses instead of one), so
     * the sooner the copying ends the better; and 64 consecutive slots are a run the hardware
     * prefetcher follows, which 8 between two puts were not (their copies land in about the same
     * order in the successor, since a home slot grows with the mixed hash word). Against 8: a bulk load of 1M keys
     * 5% faster, inserts' median latency 400 → 275 ns, p99 and p99.9 unchanged.
     */
    static final int MIGRATION_BATCH = 64;

    private static final VarHandle LOCATION =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder()).varHandle();

    /** The oldest table that may still hold entries; readers start here. */
    private volatile Table head;
    /** Writer only: the table new keys go into (the end of the chain). */
    private Table newest;
    /** Writer only: the next slot of {@link #head} to copy into {@link #newest}. */
    private long migrated;
    /** Odd while the writer copies a batch; with {@link #iterations}, keeps the two apart. */
    private volatile long migrationEpoch;
    private final AtomicInteger iterations = new AtomicInteger();
    private long liveKeys;
    private long tombstones;
    /** Writer only, for tests: the most slots one mutation copied. */
    private int largestBatch;

    /** Written by {@link #touch} only so that its loads are not optimized away; never read. */
    @SuppressWarnings("unused")
    private long touchSink;

    /** Writer only: where {@link #locate} found the key, or the newest table when it did not. */
    private Table found;

    Keydir(int initialCapacity) {
        head = newest = new Table(initialCapacity);
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
        return find(key, null, 0, key.length, (int) hash, matcher);
    }

    /**
     * The location of a key given as bytes of a segment: recovery, and compaction (also its copy
     * phase, which runs beside writers).
     *
     * @return the location, or {@link #EMPTY}
     */
    long get(MemorySegment src, long keyOffset, int keyLength, long hash, KeyMatcher matcher) {
        return find(null, src, keyOffset, keyLength, (int) hash, matcher);
    }

    /**
     * Any thread: walks the chain for the key given as {@code key[keyOffset, keyOffset +
     * keyLength)}, or else (key null) as those bytes of {@code src}. Returns the very location it confirmed: reading the slot again could meet another key
     * that reused the slot after this key was forgotten, or a slot that has moved.
     */
    private long find(byte[] key, MemorySegment src, long keyOffset, int keyLength, int word, KeyMatcher matcher) {
        for (Table t = head; t != null; t = t.next) {
            long cap = t.capacity;
            long i = t.home(word);
            for (long probes = 0; probes < cap; probes++) {
                long loc = t.locationAcquire(i);
                if (loc == EMPTY) {
                    break;
                }
                if (loc != DEAD && loc != MOVED && t.word(i) == word
                        && keyEquals(matcher, loc, key, src, keyOffset, keyLength)) {
                    return loc;
                }
                i = ++i == cap ? 0 : i;
            }
        }
        return EMPTY;
    }

    /**
     * Any thread, no lock: reads, in every table, the home slot of each hash word found in {@code
     * entries} at {@code from + k * stride} (little-endian, below {@code to}). A batch, or a chunk
     * of a hint being loaded, calls it before its inserts: these loads do not depend on one
     * another, so their cache misses overlap, where the inserts would meet them one at a time
     * (each probe waits for its slot). The slots then stay cached for the inserts (1,000 keys
     * touch about 100 KB). Only a hint to the caches: it changes nothing.
     */
    void touch(MemorySegment entries, long from, long to, int stride) {
        long sink = 0;
        for (Table t = head; t != null; t = t.next) {
            for (long at = from; at < to; at += stride) {
                long i = t.home(Layout.getInt(entries, at));
                sink += t.slots.get(ValueLayout.JAVA_LONG, i * 8) + t.word(i);
            }
        }
        touchSink = sink;
    }

    /**
     * Writer only: points the key {@code key[keyOffset, keyOffset + keyLength)} at {@code location}.
     *
     * @return the previous location, or {@link #EMPTY}
     */
    long put(byte[] key, int keyOffset, int keyLength, long hash, long location, KeyMatcher matcher) {
        ensureRoom();
        long slot = locate(key, null, keyOffset, keyLength, (int) hash, matcher);
        long old = slot >= 0 ? update(found, slot, location) : insert(found, -slot - 1, (int) hash, location);
        migrateBatch();
        return old;
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
        long slot = locate(null, src, keyOffset, keyLength, (int) hash, matcher);
        long old;
        if (slot < 0) {
            old = insert(found, -slot - 1, (int) hash, location);
        } else if (matcher.sequenceAt(found.locationAcquire(slot)) > sequence) {
            old = DEAD;
        } else {
            old = update(found, slot, location);
        }
        migrateBatch();
        return old;
    }

    /**
     * The seed engines' way, kept only for {@link ProtocolMutant#TRUST_ANY_HINT}: takes a matching
     * hash word for the same key without comparing key bytes. Never used otherwise.
     */
    void putTrustingHash(long hash, long location, long sequence, KeyMatcher matcher) {
        ensureRoom();
        int word = (int) hash;
        for (Table t = head; t != null; t = t.next) {
            long cap = t.capacity;
            long i = t.home(word);
            for (long probes = 0; probes < cap; probes++) {
                long loc = t.locationAcquire(i);
                if (loc == EMPTY) {
                    break;
                }
                if (loc != DEAD && loc != MOVED && t.word(i) == word) {
                    if (matcher.sequenceAt(loc) <= sequence) {
                        update(t, i, location);
                    }
                    migrateBatch();
                    return;
                }
                i = ++i == cap ? 0 : i;
            }
        }
        insert(newest, newest.freeSlot(word), word, location);
        migrateBatch();
    }

    /**
     * Writer only: if the key's location is {@code expected}, sets it to {@code update} ({@link
     * #DEAD} forgets the key). Compaction uses it so that a write newer than the copy wins.
     *
     * @return true when the location was {@code expected} and is now {@code update}
     */
    boolean compareAndSet(MemorySegment src, long keyOffset, int keyLength, long hash, long expected, long update,
            KeyMatcher matcher) {
        long slot = locate(null, src, keyOffset, keyLength, (int) hash, matcher);
        boolean set = slot >= 0 && found.locationAcquire(slot) == expected;
        if (set) {
            update(found, slot, update);
        }
        migrateBatch();
        return set;
    }

    /**
     * Writer only: finds the key (given as {@code key[keyOffset, keyOffset + keyLength)}, or else
     * as those bytes of {@code src}) in the chain and sets {@link #found} to its table.
     *
     * @return the slot holding it, or {@code -(free slot) - 1} in the newest table (which then is
     *     {@link #found}): the first reusable slot of the probe there, a dead one, else the empty one
     *     that ended it
     */
    private long locate(byte[] key, MemorySegment src, long keyOffset, int keyLength, int word,
            KeyMatcher matcher) {
        for (Table t = head; ; t = t.next) {
            long cap = t.capacity;
            long i = t.home(word);
            long free = -1;
            for (long probes = 0; probes < cap; probes++) {
                long loc = t.locationAcquire(i);
                if (loc == EMPTY) {
                    free = free >= 0 ? free : i;
                    break;
                }
                if (loc == DEAD) {
                    free = free >= 0 ? free : i;
                } else if (loc != MOVED && t.word(i) == word && keyEquals(matcher, loc, key, src, keyOffset, keyLength)) {
                    found = t;
                    return i;
                }
                i = ++i == cap ? 0 : i;
            }
            if (t == newest) {
                found = t;
                return -free - 1; // ensureRoom keeps the newest table below full, so free >= 0
            }
        }
    }

    private static boolean keyEquals(KeyMatcher matcher, long loc, byte[] key, MemorySegment src, long keyOffset,
            int keyLength) {
        return key != null ? matcher.keyEquals(loc, key, (int) keyOffset, keyLength)
                : matcher.keyEquals(loc, src, keyOffset, keyLength);
    }

    /** @return the location {@code slot} held */
    private long update(Table t, long slot, long newLoc) {
        long oldLoc = t.locationAcquire(slot);
        t.setLocationRelease(slot, newLoc);
        count(oldLoc, -1);
        if (newLoc != DEAD) {
            count(newLoc, +1);
        }
        return oldLoc;
    }

    /** @return {@link #EMPTY}: the key had no location */
    private long insert(Table t, long slot, int word, long location) {
        t.occupy(slot, word, location);
        count(location, +1);
        return EMPTY;
    }

    private void count(long loc, int delta) {
        if (isTombstone(loc)) {
            tombstones += delta;
        } else {
            liveKeys += delta;
        }
    }

    /** Before an insert into the newest table: gives it a successor when it is full. */
    private void ensureRoom() {
        if (newest.used + 1 <= (long) (newest.capacity * MAX_LOAD)) {
            return;
        }
        long keys = liveKeys + tombstones;
        long capacity = Math.max(16, Math.max(keys * 2, (long) ((keys + 1) / MAX_LOAD) + 1));
        Table successor = new Table(capacity);
        newest.next = successor; // linked before anything moves into it (see the class comment)
        newest = successor;
    }

    /**
     * Copies up to {@link #MIGRATION_BATCH} slots of the oldest table into the newest, unless an
     * iteration runs. The epoch is made odd before {@link #iterations} is read, and an iteration
     * counts itself before it reads the epoch, so one of the two always sees the other.
     */
    private void migrateBatch() {
        if (head == newest) {
            return;
        }
        migrationEpoch++;
        try {
            if (iterations.get() > 0) {
                return;
            }
            Table from = head;
            long end = Math.min(from.capacity, migrated + MIGRATION_BATCH);
            largestBatch = Math.max(largestBatch, (int) (end - migrated));
            for (long i = migrated; i < end; i++) {
                long loc = from.locationAcquire(i);
                if (loc != EMPTY && loc != DEAD && loc != MOVED) {
                    ensureRoom(); // copies count against the newest table's load like inserts
                    int word = from.word(i);
                    newest.occupy(newest.freeSlot(word), word, loc);
                    from.setLocationRelease(i, MOVED);
                }
            }
            migrated = end;
            if (end == from.capacity) {
                head = from.next;
                migrated = 0;
            }
        } finally {
            migrationEpoch++;
        }
    }

    /**
     * Calls {@code action} with every location (puts and tombstones; not empty, dead or moved
     * slots), table by table, in slot order. Any thread. Growth copies nothing while an iteration
     * runs and slots never move otherwise, so each key present throughout is seen exactly once.
     */
    void forEachLocation(java.util.function.LongConsumer action) {
        iterations.incrementAndGet();
        try {
            while ((migrationEpoch & 1) != 0) {
                Thread.onSpinWait(); // the writer is inside one batch: a few slots
            }
            for (Table t = head; t != null; t = t.next) {
                for (long i = 0; i < t.capacity; i++) {
                    long loc = t.locationAcquire(i);
                    if (loc != EMPTY && loc != DEAD && loc != MOVED) {
                        action.accept(loc);
                    }
                }
            }
        } finally {
            iterations.decrementAndGet();
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

    /** @return slots of the newest table (the one new keys go into) */
    long capacity() {
        return newest.capacity;
    }

    /** @return off-heap bytes of every table in use (more than one while a growth runs) */
    long tableBytes() {
        long bytes = 0;
        for (Table t = head; t != null; t = t.next) {
            bytes += t.capacity * SLOT_BYTES;
        }
        return bytes;
    }

    /** @return true while a growth still has entries to copy (tests) */
    boolean growing() {
        return head != newest;
    }

    /** @return the most slots a single mutation has copied (tests) */
    int largestMigrationBatch() {
        return largestBatch;
    }

    /** One table of the chain. Capacity is fixed; a larger successor replaces it. */
    private static final class Table {
        final long capacity;
        final MemorySegment slots;
        final long wordsOffset;
        /** The successor a growth copies this table's entries into; null for the newest. */
        volatile Table next;
        /** Writer only: slots holding a location (live, tombstone, dead or moved). */
        long used;

        Table(long capacity) {
            if (capacity > Integer.MAX_VALUE) {
                throw new MapcaskException("keydir capacity " + capacity + " exceeds the supported 2^31 slots");
            }
            this.capacity = capacity;
            this.wordsOffset = capacity * 8;
            this.slots = ZeroedMemory.allocate(capacity * SLOT_BYTES); // no zeroing pause: see ZeroedMemory
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

        /** @return the first empty or dead slot of {@code word}'s probe (the table is never full) */
        long freeSlot(int word) {
            long i = home(word);
            for (long loc = locationAcquire(i); loc != EMPTY && loc != DEAD; loc = locationAcquire(i)) {
                i = ++i == capacity ? 0 : i;
            }
            return i;
        }

        /** Writes the hash word, then publishes the location (see the class comment). */
        void occupy(long slot, int word, long loc) {
            if (locationAcquire(slot) == EMPTY) {
                used++;
            }
            slots.set(ValueLayout.JAVA_INT, wordsOffset + slot * 4, word);
            setLocationRelease(slot, loc);
        }
    }

    // ---------------------------------------------------------------- bulk access (keydir checkpoint)

    /**
     * Writer only (the keydir checkpoint written at close): calls {@code action} with the hash word
     * (in the low 32 bits of the first argument) and the location of every entry (puts and
     * tombstones; not empty, dead or moved slots), table by table in slot order. Outside a growth
     * that is the order of the words' home slots at any capacity, so {@link #putAbsent} of the same
     * sequence fills a new table front to back.
     */
    void forEachEntry(org.agrona.collections.LongLongConsumer action) {
        for (Table t = head; t != null; t = t.next) {
            for (long i = 0; i < t.capacity; i++) {
                long loc = t.locationAcquire(i);
                if (loc != EMPTY && loc != DEAD && loc != MOVED) {
                    action.accept(t.word(i), loc);
                }
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
        insert(newest, newest.freeSlot(word), word, location);
        migrateBatch();
    }
}
