package io.mapcask.kafka.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.query.Position;

/**
 * How a {@link MapcaskKeyValueStore} lays out its keys in one Mapcask store. The first byte of
 * every Mapcask key says whose it is, so that no user key can collide with the store's own
 * entries, and the store's own entries can be written in the same atomic batch as the data.
 *
 * <pre>
 * Mapcask key              size            holds                                 value
 * 0x00, k                  1 + |k|         the user key k (0..65,534 bytes)      the user's value
 * 0x01, 'v'                2               layout version                        1 byte: 1
 * 0x01, 'o'                2               committed changelog offsets (KIP-1035) offset map
 * 0x01, 'p'                2               position (interactive-query bound)    offset map
 * 0x01, 'd'                2               present: writes not covered by the    empty
 *                                          committed offsets reached the disk
 * </pre>
 *
 * An offset map, big-endian: {@code int count}, then {@code count} entries of {@code int
 * partition, long offset, short topicLength, topicLength bytes of the topic in UTF-8}. A
 * position is stored as the offset map of its (topic, partition) components.
 *
 * <p>User keys keep their order: {@code 0x00} followed by the key bytes sorts as the key bytes do.
 */
final class StoreLayout {
    static final byte USER = 0x00;
    static final byte META = 0x01;
    static final int VERSION = 1;

    static final byte[] VERSION_KEY = {META, 'v'};
    static final byte[] OFFSETS_KEY = {META, 'o'};
    static final byte[] POSITION_KEY = {META, 'p'};
    static final byte[] DIRTY_KEY = {META, 'd'};
    static final byte[][] META_KEYS = {VERSION_KEY, OFFSETS_KEY, POSITION_KEY, DIRTY_KEY};

    /** Bytes the prefix adds to a user key. */
    static final int PREFIX = 1;

    /**
     * An upper bound of what one Mapcask record adds to a segment beyond its key and value: a
     * 24-byte header and padding to a multiple of 8 (docs/format.md, "Record").
     */
    static final int RECORD_OVERHEAD = 32;
    /** Bytes of a data segment before its first record (docs/format.md, "Header"). */
    static final int SEGMENT_HEADER = 4096;

    private static final int COUNT_SIZE = Integer.BYTES;
    private static final int ENTRY_FIXED_SIZE = Integer.BYTES + Long.BYTES + Short.BYTES;

    private StoreLayout() {
    }

    /** @return an upper bound of the segment bytes of a record of a user key and its value (0 for a delete) */
    static long userRecordBytes(int userKeyLength, int valueLength) {
        return RECORD_OVERHEAD + PREFIX + (long) userKeyLength + valueLength;
    }

    /** @return an upper bound of the segment bytes of a record of one of the store's own entries */
    static long metaRecordBytes(byte[] value) {
        return RECORD_OVERHEAD + 2L + (value == null ? 0 : value.length);
    }

    /** @return the record bytes one atomic Mapcask batch may hold: all of one segment after its header */
    static long batchRoom(long segmentSize) {
        return segmentSize - SEGMENT_HEADER;
    }

    /** @return the Mapcask key of user key {@code key} */
    static byte[] storedKey(byte[] key) {
        byte[] stored = new byte[PREFIX + key.length];
        stored[0] = USER;
        System.arraycopy(key, 0, stored, PREFIX, key.length);
        return stored;
    }

    /** @return whether {@code stored} is a user key (not one of the store's own entries) */
    static boolean isUserKey(byte[] stored) {
        return stored[0] == USER;
    }

    /** @return the user key of the Mapcask key {@code stored}, which {@link #isUserKey} accepted */
    static Bytes userKey(byte[] stored) {
        byte[] key = new byte[stored.length - PREFIX];
        System.arraycopy(stored, PREFIX, key, 0, key.length);
        return Bytes.wrap(key);
    }

    static byte[] versionValue() {
        return new byte[] {VERSION};
    }

    static byte[] encodeOffsets(Map<TopicPartition, Long> offsets) {
        int size = COUNT_SIZE;
        for (TopicPartition tp : offsets.keySet()) {
            size += ENTRY_FIXED_SIZE + tp.topic().getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(offsets.size());
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            byte[] topic = e.getKey().topic().getBytes(StandardCharsets.UTF_8);
            out.putInt(e.getKey().partition()).putLong(e.getValue()).putShort((short) topic.length).put(topic);
        }
        return out.array();
    }

    /**
     * @param what names the entry in the error ("committed offsets", "position")
     * @throws ProcessorStateException when the bytes are not an offset map
     */
    static Map<TopicPartition, Long> decodeOffsets(byte[] bytes, String what) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int count = in.getInt();
            if (count < 0) {
                throw new IllegalArgumentException("negative entry count " + count);
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int partition = in.getInt();
                long offset = in.getLong();
                byte[] topic = new byte[Short.toUnsignedInt(in.getShort())];
                in.get(topic);
                offsets.put(new TopicPartition(new String(topic, StandardCharsets.UTF_8), partition), offset);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the last entry");
            }
            return offsets;
        } catch (RuntimeException e) {
            throw new ProcessorStateException("the " + what + " entry of a Mapcask state store is damaged ("
                    + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    static byte[] encodePosition(Position position) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String topic : position.getTopics()) {
            position.getPartitionPositions(topic).forEach((partition, offset) ->
                    offsets.put(new TopicPartition(topic, partition), offset));
        }
        return encodeOffsets(offsets);
    }

    static Position decodePosition(byte[] bytes) {
        Position position = Position.emptyPosition();
        decodeOffsets(bytes, "position").forEach((tp, offset) ->
                position.withComponent(tp.topic(), tp.partition(), offset));
        return position;
    }
}
