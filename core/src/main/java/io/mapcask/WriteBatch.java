package io.mapcask;

import java.util.Arrays;
import java.util.Objects;

/**
 * Puts and deletes applied by {@link Mapcask#write(WriteBatch)} as one unit with respect to
 * crashes: after any crash either every operation of the batch is there or none is. The batch
 * copies the bytes it is given; it may be reused after {@link #clear()}, which keeps its buffers,
 * so a reused batch allocates nothing. Not thread-safe. Limits are checked by {@code write}: each
 * key and value as for {@code put}, and the whole batch must fit in one segment ({@code
 * mapcask.segment.size}).
 *
 * <p>The keys and values lie back to back in one array, not in an array of their own each: a
 * bulk load of a million small records would otherwise allocate two million arrays (in a profile
 * of loading 1,000,000 100-byte values in batches of 1,000, the kernel zeroing the fresh heap
 * pages they landed on took about 13% of the time).
 */
public final class WriteBatch {
    /** Per operation: where its key starts in {@link #data}, the key's length, the value's (-1: delete). */
    private static final int FIELDS = 3;

    private byte[] data = new byte[1024];
    private int used;
    private int[] ops = new int[16 * FIELDS];
    private int count;

    /** An empty batch. */
    public WriteBatch() {
    }

    /**
     * @param key the key
     * @param value its new value
     * @return this batch
     * @throws NullPointerException when {@code key} or {@code value} is null
     * @throws IllegalArgumentException when the batch would outgrow 2 GiB of keys and values
     */
    public WriteBatch put(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        add(key, value, value.length);
        return this;
    }

    /**
     * @param key the key to delete (deleting an absent key is allowed and changes nothing)
     * @return this batch
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when the batch would outgrow 2 GiB of keys and values
     */
    public WriteBatch delete(byte[] key) {
        Objects.requireNonNull(key, "key");
        add(key, null, -1);
        return this;
    }

    private void add(byte[] key, byte[] value, int valueLength) {
        long needed = (long) used + key.length + Math.max(valueLength, 0);
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch of " + count + " operations would hold more than 2 GiB of keys"
                    + " and values; a batch must fit in one segment (mapcask.segment.size)");
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Math.max(needed, 2L * data.length), Integer.MAX_VALUE - 8));
        }
        if ((count + 1) * FIELDS > ops.length) {
            ops = Arrays.copyOf(ops, ops.length * 2);
        }
        int o = count * FIELDS;
        ops[o] = used;
        ops[o + 1] = key.length;
        ops[o + 2] = valueLength;
        System.arraycopy(key, 0, data, used, key.length);
        used += key.length;
        if (valueLength > 0) {
            System.arraycopy(value, 0, data, used, valueLength);
            used += valueLength;
        }
        count++;
    }

    /** @return the number of operations */
    public int size() {
        return count;
    }

    /** Removes every operation; the buffers are kept for the next use. */
    public void clear() {
        used = 0;
        count = 0;
    }

    /** The keys and values of every operation, back to back; read with the offsets below. */
    byte[] data() {
        return data;
    }

    int keyOffset(int i) {
        return ops[i * FIELDS];
    }

    int keyLength(int i) {
        return ops[i * FIELDS + 1];
    }

    /** @return where the value of operation {@code i} starts in {@link #data()} (right after its key) */
    int valueOffset(int i) {
        return keyOffset(i) + keyLength(i);
    }

    /** @return the value's length; 0 for a delete */
    int valueLength(int i) {
        return Math.max(ops[i * FIELDS + 2], 0);
    }

    boolean isDelete(int i) {
        return ops[i * FIELDS + 2] < 0;
    }
}
