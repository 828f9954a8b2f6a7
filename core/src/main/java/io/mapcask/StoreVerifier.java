package io.mapcask;

import io.mapcask.mmap.DirectoryLock;
import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import io.mapcask.mmap.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks every file of a store directory and changes nothing ({@link Mapcask#verify}). Unlike
 * recovery, it does not stop at the first damage and repairs nothing: it reports every problem
 * it can place, with its file and byte offset, and goes on where the format allows.
 *
 * <p>What is checked: CURRENT; the manifest's replay (a damaged edit followed by others is a
 * problem, a torn last edit a warning); each live segment's header, reserved bytes and every
 * record (CRC, padding, sequence within the range the manifest committed); in a sealed segment
 * every record up to the committed length must be intact; in the active segment only records
 * below the durable mark must be, and a torn tail above it is a warning; each hint, field by
 * field, against the records of its segment (offset, sequence, lengths, flags, and the hash word
 * recomputed from the key), so that a damaged byte of a hint is reported at the field holding
 * it; files that no edit names (warnings, except a data file holding forced writes, which proves
 * lost manifest edits).
 *
 * <p>The directory lock is held throughout (when the store has a LOCK file), so no instance can
 * change the files meanwhile. Files are opened read-only and mapped read-only.
 */
final class StoreVerifier {
    private final Fs fs;
    private final Path dir;
    private final ProgressListener progress;
    private final List<VerificationReport.Finding> problems = new ArrayList<>();
    private final List<VerificationReport.Finding> warnings = new ArrayList<>();
    private int segmentsChecked;
    private long recordsChecked;
    private int hintsChecked;
    private long bytesChecked;
    private long totalBytes;

    private StoreVerifier(Fs fs, Path dir, ProgressListener progress) {
        this.fs = fs;
        this.dir = dir;
        this.progress = progress;
    }

    static VerificationReport verify(Fs fs, Path dir, ProgressListener progress) {
        List<String> names;
        try {
            if (!fs.isDirectory(dir)) {
                throw new MapcaskException("cannot verify " + dir + ": it is not a directory");
            }
            names = fs.list(dir);
        } catch (IOException e) {
            throw new MapcaskIOException("cannot verify " + dir + ": " + e.getMessage(), e);
        }
        if (!names.contains(FileNames.CURRENT)) {
            throw new MapcaskException("cannot verify " + dir + ": it has no " + FileNames.CURRENT
                    + " file, so it holds no Mapcask store");
        }
        DirectoryLock lock = names.contains(FileNames.LOCK) ? Recovery.lock(fs, dir) : null;
        try {
            StoreVerifier v = new StoreVerifier(fs, dir, progress);
            v.run(names);
            return new VerificationReport(v.problems, v.warnings, v.segmentsChecked, v.recordsChecked, v.hintsChecked,
                    v.bytesChecked);
        } catch (IOException e) {
            throw new MapcaskIOException("cannot verify " + dir + ": " + e.getMessage(), e);
        } finally {
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException e) {
                    // the lock goes with the descriptor; nothing was written
                }
            }
        }
    }

    private void problem(Path file, long offset, String message) {
        problems.add(new VerificationReport.Finding(file, offset, message));
    }

    private void warning(Path file, long offset, String message) {
        warnings.add(new VerificationReport.Finding(file, offset, message));
    }

    private void run(List<String> names) throws IOException {
        long number;
        Manifest.Replay replay;
        try {
            number = CurrentFile.read(fs, dir);
            checkZero(readAll(dir.resolve(FileNames.CURRENT)), CurrentFile.CRC_OFFSET + 4, CurrentFile.SIZE,
                    dir.resolve(FileNames.CURRENT));
            replay = Manifest.replay(fs, dir, number);
        } catch (MapcaskCorruptionException e) {
            problem(e.file(), e.offset(), e.detail() + "; nothing after it can be checked");
            return;
        }
        Path manifest = dir.resolve(FileNames.manifest(number));
        checkZero(readAll(manifest), Manifest.VERSION_OFFSET + 4, Manifest.HASH_SEED_OFFSET, manifest);
        if (replay.tornTail()) {
            warning(manifest, replay.validEnd(), "the last edit is torn or damaged; a crash during its append leaves"
                    + " this, and the next open drops it (the change it recorded is lost)");
        }
        LiveSet live = replay.live();
        checkFileNames(names, replay);
        long seed = seed(replay, manifest);
        for (SegmentMeta m : live.segments()) {
            totalBytes += m.sealed() ? m.length() : sizeOf(FileNames.data(dir, m.id()));
            totalBytes += m.sealed() ? sizeOf(FileNames.hint(dir, m.id())) : 0;
        }
        for (SegmentMeta m : live.segments()) {
            checkSegment(m, seed);
        }
        if (names.contains(FileNames.KEYDIR)) {
            checkKeydirCheckpoint(dir.resolve(FileNames.KEYDIR), replay.hashSeed(), live);
        }
        progress.progress(totalBytes, totalBytes);
    }

    /**
     * The keydir checkpoint is only ever an accelerator: an open that finds it damaged or stale
     * ignores it, deletes it and reads the hints. So what is wrong with it is a warning.
     */
    private void checkKeydirCheckpoint(Path path, long seed, LiveSet live) throws IOException {
        MemorySegment checkpoint = readAll(path);
        String wrong = KeydirCheckpoint.checkIntact(checkpoint, seed);
        if (wrong == null) {
            wrong = KeydirCheckpoint.checkCurrent(checkpoint, live);
        }
        if (wrong != null) {
            warning(path, -1, "keydir checkpoint not usable (" + wrong + "); the next open ignores and deletes it,"
                    + " and reads the hints instead");
        }
    }

    /** Files that no live edit names: leftovers that recovery deletes, or proof of lost edits. */
    private void checkFileNames(List<String> names, Manifest.Replay replay) throws IOException {
        LiveSet live = replay.live();
        for (String name : names) {
            Path path = dir.resolve(name);
            long dataId = FileNames.dataId(name);
            long hintId = FileNames.hintId(name);
            long manifestNo = FileNames.manifestNumber(name);
            if (dataId >= 0 && live.get(dataId) == null) {
                if (!replay.removedIds().contains(dataId) && Recovery.holdsForcedWrites(fs, path, dataId)) {
                    problem(path, SegmentHeader.MARK_SLOT_0, "no manifest edit names this segment, but its durable"
                            + " mark shows forced writes: committed manifest edits are missing");
                } else {
                    warning(path, -1, "no manifest edit names this segment (a leftover); the next open deletes it");
                }
            } else if (hintId >= 0 && (live.get(hintId) == null || !live.get(hintId).sealed())) {
                warning(path, -1, "hint of a segment that is not live and sealed (a leftover); the next open deletes it");
            } else if ((manifestNo >= 0 && manifestNo != replay.number()) || name.equals(FileNames.CURRENT_TEMP)) {
                warning(path, -1, "not the live manifest or CURRENT (a leftover); the next open deletes it");
            }
        }
    }

    /**
     * The seed to check hash words with. The manifest header has no CRC; when every hint agrees
     * on one seed and the manifest holds another, the manifest's is the damaged one.
     */
    private long seed(Manifest.Replay replay, Path manifest) throws IOException {
        Set<Long> hintSeeds = new HashSet<>();
        for (SegmentMeta m : replay.live().segments()) {
            MappedRegion region = m.sealed() ? mapHint(m, false) : null;
            if (region == null) {
                continue;
            }
            try {
                MemorySegment hint = region.segment();
                if (hint.byteSize() >= HintFormat.HEADER_SIZE) {
                    long own = Layout.getLong(hint, HintFormat.HASH_SEED_OFFSET);
                    // Only an intact hint's seed counts: a damaged one fails its own CRC.
                    if (HintFormat.validate(hint, m.id(), m.length(), own) == null) {
                        hintSeeds.add(own);
                    }
                }
            } finally {
                region.close();
            }
        }
        long seed = replay.hashSeed();
        if (hintSeeds.size() == 1 && !hintSeeds.contains(seed)) {
            problem(manifest, Manifest.HASH_SEED_OFFSET, "the manifest's hash seed differs from the one every hint"
                    + " holds: the seed is damaged (the next open ignores every hint and scans every segment)");
            return hintSeeds.iterator().next();
        }
        return seed;
    }

    private void checkSegment(SegmentMeta m, long seed) throws IOException {
        Path path = FileNames.data(dir, m.id());
        if (!fs.exists(path)) {
            problem(path, -1, "the manifest names this " + (m.sealed() ? "sealed" : "active")
                    + " segment but it does not exist");
            return;
        }
        segmentsChecked++;
        MappedRegion region;
        try (FileHandle h = fs.openReadOnly(path)) {
            long size = h.size();
            if (size < SegmentHeader.DATA_START) {
                problem(path, 0, "data segment of " + size + " bytes is shorter than its " + SegmentHeader.DATA_START
                        + "-byte header");
                return;
            }
            long limit = size;
            if (m.sealed()) {
                if (size < m.length()) {
                    problem(path, size, "data segment has " + size + " bytes but the manifest committed " + m.length());
                }
                limit = Math.min(size, m.length());
            }
            region = h.map(0, limit, false);
        }
        try {
            MemorySegment data = region.segment();
            checkHeader(m, data, path);
            progress(0, SegmentHeader.DATA_START);
            if (m.sealed()) {
                MemorySegment hint = null;
                MappedRegion hintRegion = mapHint(m, true);
                try {
                    hint = hintRegion == null ? null : hintRegion.segment();
                    checkSealedRecords(m, data, path, hint, seed);
                    if (hint != null) {
                        checkHint(m, data, hint, FileNames.hint(dir, m.id()), seed);
                    } else if (!fs.exists(FileNames.hint(dir, m.id()))) {
                        warning(FileNames.hint(dir, m.id()), -1, "missing: the next open scans the segment and"
                                + " writes it");
                    }
                } finally {
                    if (hintRegion != null) {
                        hintRegion.close();
                    }
                }
            } else {
                checkActiveRecords(m, data, path);
            }
        } finally {
            region.close();
        }
    }

    /** @return the hint of {@code m} mapped, or null when there is none (or it is empty, a problem when {@code report}) */
    private MappedRegion mapHint(SegmentMeta m, boolean report) throws IOException {
        Path path = FileNames.hint(dir, m.id());
        if (!fs.exists(path)) {
            return null;
        }
        try (FileHandle h = fs.openReadOnly(path)) {
            long size = h.size();
            if (size == 0) {
                if (report) {
                    problem(path, 0, "hint file is empty");
                }
                return null;
            }
            return h.map(0, size, false);
        }
    }

    private void checkHeader(SegmentMeta m, MemorySegment data, Path path) {
        try {
            SegmentHeader.verify(data, m.id(), path);
        } catch (MapcaskCorruptionException e) {
            problem(path, e.offset(), e.detail());
            if (e.offset() != SegmentHeader.SEGMENT_ID_OFFSET
                    && Layout.getLong(data, SegmentHeader.SEGMENT_ID_OFFSET) != m.id()) {
                problem(path, SegmentHeader.SEGMENT_ID_OFFSET, "data segment header names id "
                        + Layout.getLong(data, SegmentHeader.SEGMENT_ID_OFFSET) + " but the manifest expects " + m.id());
            }
        }
        checkZero(data, SegmentHeader.VERSION_OFFSET + 4, SegmentHeader.SEGMENT_ID_OFFSET, path);
        checkZero(data, SegmentHeader.CRC_OFFSET + 4, SegmentHeader.MARK_SLOT_0, path);
        checkZero(data, SegmentHeader.MARK_SLOT_0 + SegmentHeader.MARK_SLOT_SIZE, SegmentHeader.MARK_SLOT_1, path);
        checkZero(data, SegmentHeader.MARK_SLOT_1 + SegmentHeader.MARK_SLOT_SIZE, SegmentHeader.DATA_START, path);
        for (long slot : new long[] {SegmentHeader.MARK_SLOT_0, SegmentHeader.MARK_SLOT_1}) {
            checkZero(data, slot + SegmentHeader.MARK_CRC + 4, slot + SegmentHeader.MARK_SLOT_SIZE, path);
            long counter = Layout.getLong(data, slot + SegmentHeader.MARK_COUNTER);
            if (counter != 0 && Layout.getInt(data, slot + SegmentHeader.MARK_CRC)
                    != Crc.of(data, slot, SegmentHeader.MARK_CRC)) {
                // A crash while writing a mark leaves this; the other slot holds the mark in force.
                warning(path, slot, "durable-mark slot with a CRC mismatch (torn mark write, or damage)");
            }
        }
    }

    /** Every record up to the committed length must be intact; after a bad one, the hint says where the next starts. */
    private void checkSealedRecords(SegmentMeta m, MemorySegment data, Path path, MemorySegment hint, long seed) {
        long limit = data.byteSize();
        boolean hintTiles = hint != null && HintFormat.validate(hint, m.id(), m.length(), seed) == null;
        long off = SegmentHeader.DATA_START;
        while (off < limit) {
            long size = RecordFormat.check(data, off, limit);
            if (size <= 0) {
                problem(path, off, (size == RecordFormat.END ? "zero record header" : "bad record (header or CRC)")
                        + " inside a sealed segment of committed length " + m.length());
                long next = hintTiles ? nextRecordInHint(hint, off) : nextIntactRecord(data, off);
                if (next < 0) {
                    return;
                }
                progress(off, next);
                off = next;
                continue;
            }
            checkRecord(m, data, path, off, size);
            progress(off, off + size);
            off += size;
        }
    }

    /**
     * Without a trusted hint: the next 8-byte boundary after {@code off} where an intact record
     * starts (a complete header that makes sense and a matching CRC), or -1. Only used past damage.
     */
    private static long nextIntactRecord(MemorySegment data, long off) {
        for (long p = off + 8; p + RecordFormat.HEADER_SIZE <= data.byteSize(); p += 8) {
            if (RecordFormat.check(data, p, data.byteSize()) > 0) {
                return p;
            }
        }
        return -1;
    }

    /** @return the offset of the first record the hint lists after {@code off}, or -1 */
    private static long nextRecordInHint(MemorySegment hint, long off) {
        long footer = HintFormat.footerOffset(hint);
        for (long at = HintFormat.HEADER_SIZE; at < footer; at += HintFormat.ENTRY_SIZE) {
            long entry = HintFormat.entryOffset(hint, at);
            if (entry > off) {
                return entry;
            }
        }
        return -1;
    }

    /**
     * Records up to the first that is not intact; it must lie at or above the durable mark (a
     * torn tail, a warning), else data that was forced is damaged. Records of an atomic batch
     * count only once its last record is there, as in recovery.
     */
    private void checkActiveRecords(SegmentMeta m, MemorySegment data, Path path) {
        long size = data.byteSize();
        long mark = SegmentHeader.durableEnd(data);
        if (mark < SegmentHeader.DATA_START || mark > size || mark % 8 != 0) {
            problem(path, SegmentHeader.MARK_SLOT_0, "durable mark " + mark + " lies outside the segment of " + size
                    + " bytes");
            mark = SegmentHeader.DATA_START;
        }
        long off = SegmentHeader.DATA_START;
        long end = off;
        boolean inBatch = false;
        while (off < size) {
            long recordSize = RecordFormat.check(data, off, size);
            if (recordSize <= 0) {
                break;
            }
            int flags = RecordFormat.flags(data, off);
            boolean batch = (flags & RecordFormat.FLAG_BATCH) != 0;
            if (!batch && inBatch) {
                break; // a batch without its end, then another record: not what any run writes
            }
            checkRecord(m, data, path, off, recordSize);
            progress(off, off + recordSize);
            off += recordSize;
            inBatch = batch && (flags & RecordFormat.FLAG_BATCH_END) == 0;
            if (!inBatch) {
                end = off;
            }
        }
        boolean clean = end == off && (off >= size || RecordFormat.check(data, off, size) == RecordFormat.END);
        if (end < mark) {
            problem(path, end, "bad record below the durable mark " + mark
                    + " of the active segment (data that was forced to disk is damaged)");
        } else if (!clean) {
            warning(path, end, "torn tail above the durable mark " + mark
                    + " of the active segment: writes never made durable, which the next open drops");
        }
        progress(off, size);
    }

    /** An intact record: zero padding, and a sequence inside the range its segment committed. */
    private void checkRecord(SegmentMeta m, MemorySegment data, Path path, long off, long size) {
        recordsChecked++;
        long unpadded = RecordFormat.HEADER_SIZE + (long) RecordFormat.keyLength(data, off)
                + RecordFormat.valueLength(data, off);
        checkZero(data, off + unpadded, off + size, path);
        long sequence = RecordFormat.sequence(data, off);
        if (m.sealed() && m.maxSequence() > 0 && (sequence < m.minSequence() || sequence > m.maxSequence())) {
            problem(path, off, "record sequence " + sequence + " lies outside " + m.minSequence() + ".."
                    + m.maxSequence() + ", the range the manifest committed for this segment");
        }
    }

    /**
     * Compares each hint entry, field by field, with the record of the segment it describes, so
     * that damage is reported at the field that holds it; the CRC mismatch is reported only when
     * no field could be blamed.
     */
    private void checkHint(SegmentMeta m, MemorySegment data, MemorySegment hint, Path path, long seed) {
        hintsChecked++;
        int before = problems.size();
        long size = hint.byteSize();
        bytesChecked += size;
        if (size < HintFormat.HEADER_SIZE + HintFormat.FOOTER_SIZE) {
            problem(path, 0, "hint of " + size + " bytes is shorter than its header and footer");
            return;
        }
        if (Layout.getLong(hint, HintFormat.MAGIC_OFFSET) != HintFormat.MAGIC) {
            problem(path, HintFormat.MAGIC_OFFSET, "hint magic is '" + Layout.magicText(hint, 0) + "'");
        }
        if (Layout.getInt(hint, HintFormat.VERSION_OFFSET) != HintFormat.VERSION) {
            problem(path, HintFormat.VERSION_OFFSET, "hint version " + Layout.getInt(hint, HintFormat.VERSION_OFFSET)
                    + " is not supported (supported: " + HintFormat.VERSION + ")");
        }
        checkZero(hint, HintFormat.VERSION_OFFSET + 4, HintFormat.SEGMENT_ID_OFFSET, path);
        expect(path, HintFormat.SEGMENT_ID_OFFSET, Layout.getLong(hint, HintFormat.SEGMENT_ID_OFFSET), m.id(),
                "segment id");
        expect(path, HintFormat.SEGMENT_LENGTH_OFFSET, Layout.getLong(hint, HintFormat.SEGMENT_LENGTH_OFFSET),
                m.length(), "segment length");
        expect(path, HintFormat.HASH_SEED_OFFSET, Layout.getLong(hint, HintFormat.HASH_SEED_OFFSET), seed,
                "hash seed");
        long footer = HintFormat.footerOffset(hint);
        if ((footer - HintFormat.HEADER_SIZE) % HintFormat.ENTRY_SIZE != 0) {
            problem(path, footer, "hint of " + size + " bytes does not hold whole 24-byte entries between its header"
                    + " and footer");
        }
        long entries = 0;
        long record = SegmentHeader.DATA_START;
        long limit = data.byteSize();
        for (long at = HintFormat.HEADER_SIZE; at + HintFormat.ENTRY_SIZE <= footer; at += HintFormat.ENTRY_SIZE) {
            entries++;
            if (record >= limit) {
                problem(path, at, "entry past the last record of the segment (committed length " + m.length() + ")");
                break;
            }
            long offset = HintFormat.entryOffset(hint, at);
            int keyLength = Layout.getUnsignedShort(hint, at + HintFormat.ENTRY_KEY_LENGTH);
            int valueLength = Layout.getInt(hint, at + HintFormat.ENTRY_VALUE_LENGTH);
            long recordSize = RecordFormat.check(data, record, limit);
            if (recordSize <= 0) {
                // The record is damaged (reported with the segment): follow the hint past it.
                if (offset != record || keyLength == 0 || valueLength < 0) {
                    problem(path, at, "entry for the damaged record at " + record + " of " + dataName(m)
                            + " cannot be followed");
                    break;
                }
                record = offset + RecordFormat.size(keyLength, valueLength);
                continue;
            }
            expect(path, at + HintFormat.ENTRY_OFFSET, offset, record, "record offset");
            expect(path, at + HintFormat.ENTRY_SEQUENCE, Layout.getLong(hint, at + HintFormat.ENTRY_SEQUENCE),
                    RecordFormat.sequence(data, record), "sequence of the record at " + record);
            expect(path, at + HintFormat.ENTRY_VALUE_LENGTH, valueLength, RecordFormat.valueLength(data, record),
                    "value length of the record at " + record);
            expect(path, at + HintFormat.ENTRY_FLAGS, Layout.getUnsignedShort(hint, at + HintFormat.ENTRY_FLAGS),
                    RecordFormat.flags(data, record), "flags of the record at " + record);
            int recordKeyLength = RecordFormat.keyLength(data, record);
            expect(path, at + HintFormat.ENTRY_KEY_LENGTH, keyLength, recordKeyLength,
                    "key length of the record at " + record);
            long word = Integer.toUnsignedLong(Layout.getInt(hint, at + HintFormat.ENTRY_HASH_WORD));
            long keyWord = KeyHash.hash(data, RecordFormat.keyOffset(record), recordKeyLength, seed) & 0xFFFFFFFFL;
            expect(path, at + HintFormat.ENTRY_HASH_WORD, word, keyWord, "hash word of the key of the record at "
                    + record);
            record += recordSize;
        }
        if (problems.size() == before && record != m.length()) {
            problem(path, footer, "the entries cover " + dataName(m) + " up to " + record + ", not its committed length "
                    + m.length());
        }
        expect(path, footer + HintFormat.FOOTER_ENTRY_COUNT, Layout.getLong(hint,
                footer + HintFormat.FOOTER_ENTRY_COUNT), entries, "entry count");
        checkZero(hint, footer + HintFormat.FOOTER_CRC + 4, size, path);
        if (problems.size() == before
                && Layout.getInt(hint, footer + HintFormat.FOOTER_CRC) != Crc.of(hint, 0, footer + HintFormat.FOOTER_CRC)) {
            problem(path, footer + HintFormat.FOOTER_CRC, "hint CRC mismatch (the damaged byte is in no field that can"
                    + " be compared with the segment)");
        }
    }

    private void expect(Path path, long at, long found, long expected, String field) {
        if (found != expected) {
            problem(path, at, field + ": the hint holds " + found + ", the store has " + expected);
        }
    }

    private String dataName(SegmentMeta m) {
        return FileNames.data(m.id());
    }

    /** Reports the first non-zero byte of a range that the format keeps zero. */
    private void checkZero(MemorySegment s, long from, long to, Path path) {
        long end = Math.min(to, s.byteSize());
        for (long i = from; i < end; i++) {
            if (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0) {
                problem(path, i, "reserved or padding byte is not zero");
                return;
            }
        }
    }

    private void progress(long from, long to) {
        bytesChecked += to - from;
        progress.progress(bytesChecked, totalBytes);
    }

    private MemorySegment readAll(Path file) throws IOException {
        try (FileHandle h = fs.openReadOnly(file)) {
            return h.readAll();
        }
    }

    private long sizeOf(Path file) throws IOException {
        if (!fs.exists(file)) {
            return 0;
        }
        try (FileHandle h = fs.openReadOnly(file)) {
            return h.size();
        }
    }
}
