package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@code CURRENT}: names the live manifest. Never written in place: a new one is written to
 * {@code CURRENT.tmp}, fsynced, renamed over {@code CURRENT}, and the directory fsynced.
 * Little-endian.
 *
 * <pre>
 * offset  size  field           meaning
 * 0       8     magic           "MCSKCURR"
 * 8       4     version         1
 * 12      4     reserved        zero
 * 16      8     manifestNumber  the live manifest is MANIFEST-&lt;manifestNumber&gt; (6+ digits)
 * 24      4     crc             CRC32C of bytes [0, 24)
 * 28      4     reserved        zero
 * </pre>
 */
final class CurrentFile {
    static final long MAGIC = Layout.magic("MCSKCURR");
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int MANIFEST_NUMBER_OFFSET = VERSION_OFFSET + 8;
    static final int CRC_OFFSET = MANIFEST_NUMBER_OFFSET + 8;
    static final int SIZE = CRC_OFFSET + 8;

    private CurrentFile() {
    }

    static byte[] encode(long manifestNumber) {
        byte[] b = new byte[SIZE];
        MemorySegment s = MemorySegment.ofArray(b);
        Layout.putLong(s, MAGIC_OFFSET, MAGIC);
        Layout.putInt(s, VERSION_OFFSET, VERSION);
        Layout.putLong(s, MANIFEST_NUMBER_OFFSET, manifestNumber);
        Layout.putInt(s, CRC_OFFSET, Crc.of(s, 0, CRC_OFFSET));
        return b;
    }

    /** @return the manifest number named by {@code CURRENT} */
    static long read(Fs fs, Path dir) throws IOException {
        Path file = dir.resolve(FileNames.CURRENT);
        MemorySegment s;
        try (FileHandle h = fs.openReadOnly(file)) {
            s = h.readAll();
        }
        if (s.byteSize() != SIZE) {
            throw new MapcaskCorruptionException(file, 0, "CURRENT has " + s.byteSize() + " bytes, expected " + SIZE);
        }
        Layout.requireMagicAndVersion(s, MAGIC, VERSION, file, "CURRENT file");
        if (Layout.getInt(s, CRC_OFFSET) != Crc.of(s, 0, CRC_OFFSET)) {
            throw new MapcaskCorruptionException(file, CRC_OFFSET, "CURRENT CRC mismatch");
        }
        long n = Layout.getLong(s, MANIFEST_NUMBER_OFFSET);
        if (n <= 0) {
            throw new MapcaskCorruptionException(file, MANIFEST_NUMBER_OFFSET, "CURRENT names manifest number " + n);
        }
        return n;
    }

    /** Points CURRENT at {@code MANIFEST-<manifestNumber>}: temp write, fsync, rename, directory fsync. */
    static void write(Fs fs, Path dir, long manifestNumber) throws IOException {
        Path temp = dir.resolve(FileNames.CURRENT_TEMP);
        try (FileHandle h = fs.open(temp, true)) {
            h.truncate(0);
            h.write(ByteBuffer.wrap(encode(manifestNumber)), 0);
            h.sync();
        }
        fs.rename(temp, dir.resolve(FileNames.CURRENT));
        if (!ProtocolMutant.is(ProtocolMutant.CURRENT_RENAME_WITHOUT_DIRECTORY_SYNC)) {
            fs.syncDirectory(dir);
        }
    }
}
