package io.mapcask.kafka.streams;

import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;

/**
 * A range of keys in the lexicographic order of their unsigned bytes (the order of {@link
 * Bytes#compareTo}): from {@code lower} (inclusive; null: unbounded) to {@code upper} (null:
 * unbounded), the upper end inclusive or not.
 */
record KeyRange(Bytes lower, Bytes upper, boolean upperInclusive) {

    /** @return the keys from {@code from} to {@code to}, both inclusive (null: unbounded), as {@code range} takes them */
    static KeyRange between(Bytes from, Bytes to) {
        return new KeyRange(from, to, true);
    }

    /** @return the keys that start with {@code prefix} */
    static KeyRange withPrefix(Bytes prefix) {
        return new KeyRange(prefix, successor(prefix.get()), false);
    }

    boolean contains(Bytes key) {
        if (lower != null && key.compareTo(lower) < 0) {
            return false;
        }
        if (upper == null) {
            return true;
        }
        int c = key.compareTo(upper);
        return upperInclusive ? c <= 0 : c < 0;
    }

    /**
     * @return the least key greater than every key that starts with {@code prefix}, or null when
     *     there is none (the prefix is empty or all 0xff): drop the trailing 0xff bytes and add one
     *     to the last byte left ([0x01, 0xff] gives [0x02], which [0x02, 0x00] would not be)
     */
    static Bytes successor(byte[] prefix) {
        int end = prefix.length;
        while (end > 0 && prefix[end - 1] == (byte) 0xff) {
            end--;
        }
        if (end == 0) {
            return null;
        }
        byte[] next = Arrays.copyOf(prefix, end);
        next[end - 1]++;
        return Bytes.wrap(next);
    }
}
