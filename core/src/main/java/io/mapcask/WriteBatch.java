package io.mapcask;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts and deletes applied by {@link Mapcask#write(WriteBatch)} as one unit with respect to
 * crashes: after any crash either every operation of the batch is there or none is. The batch
 * copies the arrays it is given; it may be reused after {@link #clear()}. Not thread-safe.
 * Limits are checked by {@code write}: each key and value as for {@code put}, and the whole
 * batch must fit in one segment ({@code mapcask.segment.size}).
 */
public final class WriteBatch {
    private final List<byte[]> keys = new ArrayList<>();
    /** null for a delete */
    private final List<byte[]> values = new ArrayList<>();

    /** An empty batch. */
    public WriteBatch() {
    }

    /**
     * @param key the key
     * @param value its new value
     * @return this batch
     * @throws NullPointerException when {@code key} or {@code value} is null
     */
    public WriteBatch put(byte[] key, byte[] value) {
        keys.add(Objects.requireNonNull(key, "key").clone());
        values.add(Objects.requireNonNull(value, "value").clone());
        return this;
    }

    /**
     * @param key the key to delete (deleting an absent key is allowed and changes nothing)
     * @return this batch
     * @throws NullPointerException when {@code key} is null
     */
    public WriteBatch delete(byte[] key) {
        keys.add(Objects.requireNonNull(key, "key").clone());
        values.add(null);
        return this;
    }

    /** @return the number of operations */
    public int size() {
        return keys.size();
    }

    /** Removes every operation. */
    public void clear() {
        keys.clear();
        values.clear();
    }

    byte[] key(int i) {
        return keys.get(i);
    }

    byte[] value(int i) {
        return values.get(i);
    }

    boolean isDelete(int i) {
        return values.get(i) == null;
    }
}
