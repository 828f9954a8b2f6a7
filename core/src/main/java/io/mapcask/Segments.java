package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The mapped segments by id, for readers. Copy-on-write: the map a reader loads is never
 * changed, and the writer (under the store's write lock) publishes a new one when the set of
 * segments changes, which is rare (rotation, recovery, compaction). A location whose segment is
 * not in the map belongs to a retired segment: {@link #get} throws {@link Retired} and the
 * reader retries through the keydir.
 */
final class Segments implements KeyMatcher {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A reader met a retired segment. Preallocated and stackless: it is control flow, not an error. */
    static final class Retired extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        static final Retired INSTANCE = new Retired();

        private Retired() {
            super("segment retired", null);
            setStackTrace(new StackTraceElement[0]);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private volatile Long2ObjectHashMap<Segment> byId = new Long2ObjectHashMap<>();

    Segment get(long id) {
        Segment s = byId.get(id);
        if (s == null) {
            throw Retired.INSTANCE;
        }
        return s;
    }

    Segment find(long id) {
        return byId.get(id);
    }

    /** Writer only: adds or replaces the segment with {@code s.id}. @return the replaced one, or null */
    Segment put(Segment s) {
        Long2ObjectHashMap<Segment> next = copy();
        Segment old = next.put(s.id, s);
        byId = next;
        return old;
    }

    /** Writer only. @return the removed segment, or null */
    Segment remove(long id) {
        Long2ObjectHashMap<Segment> next = copy();
        Segment old = next.remove(id);
        byId = next;
        return old;
    }

    List<Segment> all() {
        return new ArrayList<>(byId.values());
    }

    private Long2ObjectHashMap<Segment> copy() {
        Long2ObjectHashMap<Segment> next = new Long2ObjectHashMap<>();
        byId.forEachLong(next::put);
        return next;
    }

    /**
     * The keydir only asks when the 32-bit hash words match, which for two different keys is
     * rare; so a mismatch is worth a CRC check, which tells a damaged record (reported) from a
     * true collision (the probe goes on). Without it a bit flip in a key would make its key
     * silently absent.
     */
    @Override
    public boolean keyEquals(long location, byte[] key, int keyOffset, int keyLength) {
        Segment seg = get(Keydir.segmentId(location));
        MemorySegment d = seg.data;
        long off = Keydir.offset(location);
        if (off + RecordFormat.HEADER_SIZE + keyLength <= d.byteSize() && RecordFormat.keyLength(d, off) == keyLength
                && equalBytes(d, RecordFormat.keyOffset(off), key, keyOffset, keyLength)) {
            return true;
        }
        long limit = d.byteSize();
        if (off + RecordFormat.HEADER_SIZE > limit || RecordFormat.check(d, off, limit) <= 0) {
            throw new MapcaskCorruptionException(seg.path, off, "the record the keydir points at is damaged");
        }
        return false;
    }

    @Override
    public boolean keyEquals(long location, MemorySegment src, long offset, int length) {
        MemorySegment d = get(Keydir.segmentId(location)).data;
        long off = Keydir.offset(location);
        if (off + RecordFormat.HEADER_SIZE + length > d.byteSize() || RecordFormat.keyLength(d, off) != length) {
            return false;
        }
        long k = RecordFormat.keyOffset(off);
        return MemorySegment.mismatch(d, k, k + length, src, offset, offset + length) < 0;
    }

    @Override
    public long sequenceAt(long location) {
        return RecordFormat.sequence(get(Keydir.segmentId(location)).data, Keydir.offset(location));
    }

    /** Compares {@code len} bytes at {@code off} with {@code key[from, from + len)}; no allocation. */
    static boolean equalBytes(MemorySegment s, long off, byte[] key, int from, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            if (s.get(Layout.LONG, off + i) != (long) LONG_LE.get(key, from + i)) {
                return false;
            }
        }
        for (; i < len; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, off + i) != key[from + i]) {
                return false;
            }
        }
        return true;
    }
}
