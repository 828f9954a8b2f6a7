package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian field access shared by the file formats; every access names its byte order. */
final class Layout {
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Layout() {
    }

    static long align8(long n) {
        return (n + 7) & ~7L;
    }

    static long getLong(MemorySegment s, long off) {
        return s.get(LONG, off);
    }

    static int getInt(MemorySegment s, long off) {
        return s.get(INT, off);
    }

    static int getUnsignedShort(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(SHORT, off));
    }

    static void putLong(MemorySegment s, long off, long v) {
        s.set(LONG, off, v);
    }

    static void putInt(MemorySegment s, long off, int v) {
        s.set(INT, off, v);
    }

    static void putShort(MemorySegment s, long off, int v) {
        s.set(SHORT, off, (short) v);
    }

    /** Reads the 8-byte magic at {@code off} as text, for error messages. */
    static String magicText(MemorySegment s, long off) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8 && off + i < s.byteSize(); i++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, off + i);
            sb.append(b >= 32 && b < 127 ? (char) b : '?');
        }
        return sb.toString();
    }

    /**
     * Checks the magic at offset 0 and the format version at offset 8, where every Mapcask file
     * keeps them; a mismatch names the file, what was found and what is supported.
     *
     * @param what the kind of file, for the message ("manifest", "data segment", ...)
     */
    static void requireMagicAndVersion(MemorySegment s, long magic, int version, java.nio.file.Path file, String what) {
        if (getLong(s, 0) != magic) {
            MemorySegment expected = MemorySegment.ofArray(new byte[8]);
            putLong(expected, 0, magic);
            throw new MapcaskCorruptionException(file, 0,
                    "not a Mapcask " + what + " (magic '" + magicText(s, 0) + "', expected '" + magicText(expected, 0) + "')");
        }
        int found = getInt(s, 8);
        if (found != version) {
            throw new MapcaskCorruptionException(file, 8,
                    what + " format version " + found + " is not supported (supported: " + version + ")");
        }
    }

    /** An 8-byte ASCII magic as the little-endian long it is stored as. */
    static long magic(String eightChars) {
        byte[] b = eightChars.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (b.length != 8) {
            throw new IllegalArgumentException(eightChars);
        }
        return MemorySegment.ofArray(b).get(LONG, 0);
    }

    static boolean allZero(MemorySegment s, long from, long to) {
        for (long i = from; i < to; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }
}
