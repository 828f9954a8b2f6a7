package io.mapcask;

import io.mapcask.mmap.DirectoryLock;
import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.FileLockedException;
import io.mapcask.mmap.Fs;
import io.mapcask.mmap.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.collections.LongArrayList;

/**
 * Opens a store directory: creates a new store in an empty directory, or recovers an existing
 * one (DESIGN §6).
 *
 * <p>Recovery runs in two phases so that it is safe to crash and run again, and so that a
 * recovery that fails on corruption has changed nothing:
 * <ol>
 *   <li><b>Read only.</b> Read CURRENT, replay the manifest, map and load every sealed segment
 *       (from its hint when the hint is intact and matches, else by scanning it), scan the
 *       active segment to the first bad record and check it against the durable mark.
 *   <li><b>Changes</b>, each atomic or idempotent: rotate the manifest if its last edit was
 *       torn; delete files no edit names; seal the recovered active segment at its last good
 *       record (hint, then one manifest edit; a crash's torn tail is thereby excluded for
 *       good); rewrite missing hints; fsync the directory.
 * </ol>
 * A recovered store has no active segment; the first write creates one. So recovering a
 * directory that was just recovered (or closed cleanly) changes nothing.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger("io.mapcask");
    /** Hint entries whose keydir slots are touched together before their inserts ({@link Keydir#touch}). */
    private static final long TOUCH_CHUNK_BYTES = 256L * HintFormat.ENTRY_SIZE;
    private static final Set<String> CREATION_LEFTOVERS =
            Set.of(FileNames.LOCK, FileNames.CURRENT_TEMP, FileNames.manifest(1));

    private final Fs fs;
    private final Path dir;
    private final MapcaskOptions options;
    /** Sized once the manifest says how many records the hints hold. */
    private Keydir keydir;
    private final Segments segments = new Segments();
    private final SegmentUsage usage = new SegmentUsage(segments);
    /** The store's key-hash seed: from the manifest, or new for a new store. */
    private long seed;
    private long maxSequence;
    /** What this open did, for {@link RecoveryReport}. */
    private boolean created;
    private int checkpointSegments;
    private int hintsUsed;
    private int segmentsScanned;
    private int hintsRewritten;
    private boolean tornTail;
    private long bytesTruncated;
    private int orphansDeleted;
    private boolean manifestTailTorn;

    private Recovery(Fs fs, Path dir, MapcaskOptions options) {
        this.fs = fs;
        this.dir = dir;
        this.options = options;
        this.keydir = new Keydir(options.keydirInitialCapacity());  // a new store; recovery resizes
    }

    static Store open(Fs fs, Path dir, MapcaskOptions options) {
        long start = System.nanoTime();
        RecoveryEvent event = Jfr.on() ? new RecoveryEvent() : null;
        if (event != null) {
            event.begin();
        }
        Recovery r = new Recovery(fs, dir, options);
        DirectoryLock lock = r.lockDirectory();
        try {
            return r.openLocked(lock).recovered(r.report(start, event));
        } catch (IOException e) {
            r.unmapAll();
            closeQuietly(lock, e);
            throw new MapcaskIOException("cannot open the Mapcask store at " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            r.unmapAll();
            closeQuietly(lock, e);
            throw e;
        }
    }

    /** Checks that {@code dir} is (or can become) a store, before creating anything in it, then locks it. */
    private DirectoryLock lockDirectory() {
        try {
            if (fs.exists(dir) && !fs.isDirectory(dir)) {
                throw new MapcaskException("cannot open a Mapcask store at " + dir + ": it is not a directory");
            }
            createDirectories(fs, dir);
            List<String> names = fs.list(dir);
            if (!names.contains(FileNames.CURRENT)) {
                for (String name : names) {
                    if (!CREATION_LEFTOVERS.contains(name)) {
                        throw new MapcaskException("refusing to open " + dir + " as a Mapcask store: it has no "
                                + FileNames.CURRENT + " file but holds '" + name
                                + "'; use an empty directory or an existing store. Nothing was changed.");
                    }
                }
            }
        } catch (IOException e) {
            throw new MapcaskIOException("cannot open the Mapcask store at " + dir + ": " + e, e);
        }
        return lock(fs, dir);
    }

    /** Takes the store directory's lock, or fails naming the lock file. */
    static DirectoryLock lock(Fs fs, Path dir) {
        Path lockFile = dir.resolve(FileNames.LOCK);
        try {
            return fs.lock(lockFile);
        } catch (FileLockedException e) {
            throw new MapcaskLockedException(lockFile, e);
        } catch (IOException e) {
            throw new MapcaskIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code dir} and its missing parents, durably: a new directory's name is durable only
     * once its parent is fsynced (without that a power loss could take a whole new store, with
     * every write acknowledged in it).
     */
    static void createDirectories(Fs fs, Path dir) throws IOException {
        List<Path> created = new ArrayList<>();
        for (Path p = dir; p != null && !fs.exists(p); p = p.getParent()) {
            created.add(p);
        }
        fs.createDirectories(dir);
        for (Path p : created) {
            if (p.getParent() != null) {
                fs.syncDirectory(p.getParent());
            }
        }
    }

    private Store openLocked(DirectoryLock lock) throws IOException {
        List<String> names = fs.list(dir);
        if (!names.contains(FileNames.CURRENT)) {
            return create(lock, names);
        }
        long number = CurrentFile.read(fs, dir);
        Manifest.Replay replay = Manifest.replay(fs, dir, number);
        seed = replay.hashSeed();
        LiveSet live = replay.live();
        maxSequence = live.lastSequence();

        // Phase 1: read only.
        for (SegmentMeta m : live.segments()) {
            if (m.sealed()) {
                mapSealed(m);
            }
        }
        Set<Long> covered = names.contains(FileNames.KEYDIR) ? loadCheckpoint(live) : null;
        checkpointSegments = covered == null ? 0 : covered.size();
        if (covered == null) {
            keydir = new Keydir(keydirCapacityFor(live, Set.of(), 0));
        }
        List<Long> unhinted = new ArrayList<>();
        for (SegmentMeta m : live.segments()) {
            if (m.sealed() && (covered == null || !covered.contains(m.id())) && !loadRecords(m)) {
                unhinted.add(m.id());
            }
        }
        if (ProtocolMutant.is(ProtocolMutant.TRUST_ANY_HINT)) {
            // The seed engines' way: every hint found by listing directs reads.
            for (String name : names) {
                long id = FileNames.hintId(name);
                if (id >= 0 && live.get(id) == null) {
                    loadHint(new SegmentMeta(id, true, 0, 0, 0));
                }
            }
        }
        SegmentMeta activeMeta = live.active();
        ActiveScan activeScan = activeMeta == null ? null : scanActive(activeMeta);
        keydir = fitted(keydir);
        checkNoCommittedOrphans(names, replay);

        // Phase 2: changes. Orphans go first, while the manifest that removed them is still current.
        boolean changed = deleteOrphans(names, live, number);
        if (names.contains(FileNames.KEYDIR) && covered == null) {
            fs.delete(dir.resolve(FileNames.KEYDIR)); // refused above: stale or damaged, of no further use
            changed = true;
        }
        if (changed) {
            fs.syncDirectory(dir);
        }
        Manifest manifest = replay.tornTail()
                ? Manifest.create(fs, dir, number + 1, live.snapshot(), seed)
                : Manifest.openForAppend(fs, dir, replay);
        try {
            if (replay.tornTail()) {
                fs.syncDirectory(dir);
                CurrentFile.write(fs, dir, number + 1);
                fs.delete(dir.resolve(FileNames.manifest(number)));
                number++;
                manifestTailTorn = true;
                rotatedTornManifest(number, replay.validEnd());
            }
            if (activeScan != null) {
                sealRecovered(activeScan, manifest, live);
                changed = true;
            }
            for (long id : unhinted) {
                HintWriter.write(fs, dir, id, segments.get(id).data, live.get(id).length(), seed);
                changed = true;
                hintsRewritten++;
            }
            if (changed) {
                fs.syncDirectory(dir);
            }
            if (manifest.size() > options.manifestMaxSize()) {
                manifest = Store.rotateManifest(fs, dir, manifest, live);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(manifest, e);
            throw e;
        }
        Store store = new Store(fs, dir, options, lock, manifest, live, keydir, segments, usage, seed, maxSequence);
        if (covered != null && covered.size() == live.segments().size()) {
            store.checkpointIsCurrent(); // it covers every live segment: its close need not write it again
        }
        return store;
    }

    /** An empty directory (or one left by a crash during creation): write MANIFEST-000001 and CURRENT. */
    private Store create(DirectoryLock lock, List<String> names) throws IOException {
        created = true;
        for (String name : names) {
            if (!name.equals(FileNames.LOCK)) {
                fs.delete(dir.resolve(name));
            }
        }
        LiveSet live = new LiveSet();
        seed = new SecureRandom().nextLong();
        Manifest manifest = Manifest.create(fs, dir, 1, live.snapshot(), seed);
        try {
            fs.syncDirectory(dir);
            CurrentFile.write(fs, dir, 1);
        } catch (IOException | RuntimeException e) {
            closeQuietly(manifest, e);
            throw e;
        }
        return new Store(fs, dir, options, lock, manifest, live, keydir, segments, usage, seed, 0);
    }

    /**
     * Slots for every record the hints of the live segments describe, at the keydir's maximum
     * load: loading then never grows the table (a growth copies it whole; at a million keys the
     * doublings were a third of the reopen time). Records counted this way include overwritten
     * ones, so the table may start larger than the keys need, but never larger than the records
     * on disk, which compaction keeps close to the keys.
     */
    /**
     * The keydir was sized for every record the hints hold, dead ones too, so a store not compacted
     * for a while would keep a table many times larger than its keys need. Such a table is rebuilt
     * at twice the keys (what a growth would give), before any reader sees it.
     */
    private Keydir fitted(Keydir loaded) {
        long wanted = Math.max(options.keydirInitialCapacity(), 2 * (loaded.size() + loaded.tombstones()) + 16);
        if (loaded.capacity() <= 2 * wanted) {
            return loaded;
        }
        Keydir fitted = new Keydir((int) Math.min(Integer.MAX_VALUE - 8, wanted));
        loaded.forEachEntry((word, location) -> fitted.putAbsent((int) word, location));
        return fitted;
    }

    private int keydirCapacityFor(LiveSet live, Set<Long> covered, long coveredEntries) throws IOException {
        long records = coveredEntries;
        for (SegmentMeta m : live.segments()) {
            Path hint = FileNames.hint(dir, m.id());
            if (m.sealed() && !covered.contains(m.id()) && fs.exists(hint)) {
                long fitting = (m.length() - SegmentHeader.DATA_START) / RecordFormat.size(1, 0);
                try (FileHandle h = fs.openReadOnly(hint)) {
                    // Not validated yet: never trust it beyond what the committed segment can hold.
                    records += Math.min(fitting, Math.max(0, (h.size() - HintFormat.HEADER_SIZE - HintFormat.FOOTER_SIZE)
                            / HintFormat.ENTRY_SIZE));
                }
            }
        }
        long slots = (long) (records / Keydir.MAX_LOAD) + 16;
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(options.keydirInitialCapacity(), slots));
    }

    /** The file of a segment the manifest names; its absence is corruption (an edit promised it). */
    private Path namedSegmentFile(SegmentMeta m) {
        Path path = FileNames.data(dir, m.id());
        if (!fs.exists(path)) {
            throw new MapcaskCorruptionException(path, -1, "the manifest names this " + (m.sealed() ? "sealed" : "active")
                    + " segment but it does not exist");
        }
        return path;
    }

    /**
     * Loads the keydir checkpoint into a new keydir when it is intact and describes the live set
     * (see {@link KeydirCheckpoint}). The sealed segments must be mapped (loading records the
     * checkpoint does not cover may read the keys of records it does). A checkpoint that cannot
     * be read or used costs time, never an error: the hints are there.
     *
     * @return the ids of the segments whose records the checkpoint loaded, or null when it was not
     *     used (and the keydir must be made anew)
     */
    private Set<Long> loadCheckpoint(LiveSet live) throws IOException {
        Path path = dir.resolve(FileNames.KEYDIR);
        String problem;
        MappedRegion region = null;
        try {
            try (FileHandle h = fs.openReadOnly(path)) {
                long size = h.size();
                if (size >= KeydirCheckpoint.HEADER_SIZE + KeydirCheckpoint.FOOTER_SIZE) {
                    region = h.map(0, size, false);
                }
            }
            problem = region == null ? "it is too short to hold a header"
                    : KeydirCheckpoint.checkIntact(region.segment(), seed);
            if (problem == null) {
                String stale = KeydirCheckpoint.checkCurrent(region.segment(), live);
                if (stale != null) {
                    // What a crash after a compaction's commit leaves: normal, and the file goes in phase 2.
                    LOG.log(System.Logger.Level.DEBUG, "not using the stale keydir checkpoint " + path + ": " + stale);
                    return null;
                }
                MemorySegment s = region.segment();
                Set<Long> covered = new HashSet<>();
                for (long id : KeydirCheckpoint.coveredIds(s)) {
                    covered.add(id);
                }
                keydir = new Keydir(keydirCapacityFor(live, covered, KeydirCheckpoint.entryCount(s)));
                problem = KeydirCheckpoint.load(s, keydir, usage);
                if (problem == null) {
                    maxSequence = Math.max(maxSequence, Layout.getLong(s, KeydirCheckpoint.LAST_SEQUENCE_OFFSET));
                    return covered;
                }
            }
        } catch (IOException e) {
            problem = "it cannot be read: " + e;
        } finally {
            if (region != null) {
                region.close();
            }
        }
        LOG.log(System.Logger.Level.WARNING, "not using the keydir checkpoint " + path + " (" + problem
                + "); loading the hints instead");
        return null;
    }

    /** Maps a sealed segment (a reader's view of it) and checks its header. */
    private void mapSealed(SegmentMeta m) throws IOException {
        Path path = namedSegmentFile(m);
        MappedRegion region;
        try (FileHandle h = fs.openReadOnly(path)) {
            long size = h.size();
            if (size < m.length()) {
                throw new MapcaskCorruptionException(path, size, "data segment has " + size
                        + " bytes but the manifest committed " + m.length());
            }
            region = h.map(0, m.length(), false);
        }
        Segment seg = new Segment(m.id(), path, region);
        segments.put(seg);
        SegmentHeader.verify(seg.data, m.id(), path);
        maxSequence = Math.max(maxSequence, m.maxSequence());
    }

    /** Loads the records of a mapped sealed segment into the keydir. @return true when its hint was used */
    private boolean loadRecords(SegmentMeta m) throws IOException {
        if (loadHint(m)) {
            hintsUsed++;
            return true;
        }
        segmentsScanned++;
        Segment seg = segments.get(m.id());
        Path path = seg.path;
        long off = SegmentHeader.DATA_START;
        while (off < m.length()) {
            long size = RecordFormat.check(seg.data, off, m.length());
            if (size <= 0) {
                throw new MapcaskCorruptionException(path, off, "bad record inside a sealed segment of committed length "
                        + m.length());
            }
            index(seg, off);
            off += size;
        }
        return false;
    }

    private boolean loadHint(SegmentMeta m) throws IOException {
        Path path = FileNames.hint(dir, m.id());
        if (!fs.exists(path)) {
            return false;
        }
        MappedRegion region;
        try (FileHandle h = fs.openReadOnly(path)) {
            long size = h.size();
            if (size == 0) {
                return false;
            }
            region = h.map(0, size, false);
        }
        try {
            MemorySegment hint = region.segment();
            boolean mutant = ProtocolMutant.is(ProtocolMutant.TRUST_ANY_HINT);
            String problem = mutant
                    ? HintFormat.validate(hint, Layout.getLong(hint, HintFormat.SEGMENT_ID_OFFSET),
                            Layout.getLong(hint, HintFormat.SEGMENT_LENGTH_OFFSET), seed)
                    : HintFormat.validate(hint, m.id(), m.length(), seed);
            if (problem != null) {
                LOG.log(System.Logger.Level.WARNING, "ignoring " + path + " and scanning its segment: " + problem);
                return false;
            }
            Segment seg = segments.find(m.id());
            HintKeyMatcher matcher = new HintKeyMatcher(seg);
            long footer = HintFormat.footerOffset(hint);
            long touched = HintFormat.HEADER_SIZE; // entries below it have had their slots touched
            for (long at = HintFormat.HEADER_SIZE; at < footer; at += HintFormat.ENTRY_SIZE) {
                if (at == touched) { // the next chunk's slots, their misses overlapped
                    touched = Math.min(footer, at + TOUCH_CHUNK_BYTES);
                    keydir.touch(hint, at + HintFormat.ENTRY_HASH_WORD, touched, HintFormat.ENTRY_SIZE);
                }
                long offset = HintFormat.entryOffset(hint, at);
                long sequence = Layout.getLong(hint, at + HintFormat.ENTRY_SEQUENCE);
                boolean tombstone = (Layout.getUnsignedShort(hint, at + HintFormat.ENTRY_FLAGS)
                        & RecordFormat.FLAG_TOMBSTONE) != 0;
                long location = Keydir.location(m.id(), offset, tombstone);
                long hashWord = Integer.toUnsignedLong(Layout.getInt(hint, at + HintFormat.ENTRY_HASH_WORD));
                if (seg == null) {
                    // Only the mutant gets here: a hint of a segment that is gone, trusted as the seed engines did.
                    keydir.putTrustingHash(hashWord, location, sequence, segments);
                } else {
                    // The key bytes are read from the segment only if another key shares the hash word.
                    int keyLength = Layout.getUnsignedShort(hint, at + HintFormat.ENTRY_KEY_LENGTH);
                    matcher.entry(offset, (int) hashWord);
                    account(location, keydir.putIfNewer(seg.data, RecordFormat.keyOffset(offset), keyLength, hashWord,
                            location, sequence, matcher));
                }
                maxSequence = Math.max(maxSequence, sequence);
            }
            return true;
        } finally {
            region.close();
        }
    }

    /**
     * The key matcher of hint loading. A hint holds each record's hash word, not its key, so the
     * key bytes a probe compares are read from the data segment without checking the record's
     * CRC. When the hash word meets a record with another key, the key read must still hash to
     * the hint's word: if it does not, the record's key is damaged, and taking it for another key
     * would leave the older record of its real key in the keydir (a stale value where a
     * corruption must be reported).
     */
    private final class HintKeyMatcher implements KeyMatcher {
        private final Segment seg;
        private long recordOffset;
        private int word;

        HintKeyMatcher(Segment seg) {
            this.seg = seg;
        }

        void entry(long recordOffset, int word) {
            this.recordOffset = recordOffset;
            this.word = word;
        }

        @Override
        public boolean keyEquals(long location, byte[] key, int keyOffset, int keyLength) {
            return segments.keyEquals(location, key, keyOffset, keyLength);
        }

        @Override
        public boolean keyEquals(long location, MemorySegment src, long offset, int length) {
            if (segments.keyEquals(location, src, offset, length)) {
                return true;
            }
            if ((int) KeyHash.hash(src, offset, length, seed) != word) {
                throw new MapcaskCorruptionException(seg.path, recordOffset, "the key of this record in a sealed"
                        + " segment does not match the hash word its hint holds (damaged record)");
            }
            return false;
        }

        @Override
        public long sequenceAt(long location) {
            return segments.sequenceAt(location);
        }
    }

    private void index(Segment seg, long off) {
        int keyLength = RecordFormat.keyLength(seg.data, off);
        long keyOffset = RecordFormat.keyOffset(off);
        long sequence = RecordFormat.sequence(seg.data, off);
        long location = Keydir.location(seg.id, off, RecordFormat.isTombstone(seg.data, off));
        account(location, keydir.putIfNewer(seg.data, keyOffset, keyLength,
                KeyHash.hash(seg.data, keyOffset, keyLength, seed), location, sequence, segments));
        maxSequence = Math.max(maxSequence, sequence);
    }

    private void account(long location, long replaced) {
        if (replaced == Keydir.DEAD) {
            usage.deadOnArrival(location);
        } else {
            usage.superseded(location, replaced);
        }
    }

    /** What scanning the active segment found. */
    private record ActiveScan(Segment segment, long end, long minSequence, long maxSequence) {
    }

    /**
     * Scans the active segment up to the first record that is not intact. Below the durable mark
     * every record must be intact (anything else is corruption); above it, the first bad record
     * starts the torn tail of a crash.
     */
    private ActiveScan scanActive(SegmentMeta m) throws IOException {
        Path path = namedSegmentFile(m);
        MappedRegion region;
        try (FileHandle h = fs.openReadOnly(path)) {
            region = h.map(0, h.size(), false);
        }
        Segment seg = new Segment(m.id(), path, region);
        segments.put(seg);
        SegmentHeader.verify(seg.data, m.id(), path);
        long mark = SegmentHeader.durableEnd(seg.data);
        long size = seg.data.byteSize();
        if (mark < SegmentHeader.DATA_START || mark > size || mark % 8 != 0) {
            throw new MapcaskCorruptionException(path, SegmentHeader.MARK_SLOT_0, "durable mark " + mark
                    + " lies outside the segment of " + size + " bytes");
        }
        // Records of an atomic batch count only once its last record is there: a batch cut by
        // the crash is dropped whole, and the segment ends where it began.
        LongArrayList openBatch = new LongArrayList();
        long off = SegmentHeader.DATA_START;
        long end = off;
        long minSeq = 0;
        long maxSeq = 0;
        while (off < size) {
            long recordSize = RecordFormat.check(seg.data, off, size);
            if (recordSize <= 0) {
                break;
            }
            int flags = RecordFormat.flags(seg.data, off);
            if ((flags & RecordFormat.FLAG_BATCH) == 0 && !openBatch.isEmpty()) {
                break; // a batch without its end, then another record: not what any run writes
            }
            openBatch.addLong(off);
            if ((flags & RecordFormat.FLAG_BATCH) == 0 || (flags & RecordFormat.FLAG_BATCH_END) != 0) {
                for (int i = 0; i < openBatch.size(); i++) {
                    long record = openBatch.getLong(i);
                    long sequence = RecordFormat.sequence(seg.data, record);
                    minSeq = minSeq == 0 ? sequence : minSeq;
                    maxSeq = sequence;
                    index(seg, record);
                }
                openBatch.clear();
                end = off + recordSize;
            }
            off += recordSize;
        }
        segmentsScanned++;
        tornTail = end < off || (off < size && RecordFormat.check(seg.data, off, size) != RecordFormat.END);
        if (end < mark && !ProtocolMutant.is(ProtocolMutant.TRUNCATE_BELOW_DURABLE_MARK)) {
            throw new MapcaskCorruptionException(path, end, "bad record below the durable mark " + mark
                    + " of the active segment (data that was forced to disk is damaged)");
        }
        return new ActiveScan(seg, end, minSeq, maxSeq);
    }

    /**
     * Seals the recovered active segment at its last intact record, or drops it when it holds
     * none. After the manifest edit the torn tail is outside every segment's committed length,
     * so no later write can be followed by stale bytes of an earlier life.
     */
    private void sealRecovered(ActiveScan scan, Manifest manifest, LiveSet live) throws IOException {
        Segment seg = scan.segment();
        if (scan.end() == SegmentHeader.DATA_START) {
            ManifestEdit edit = new ManifestEdit(live.nextSegmentId(), maxSequence, List.of(seg.id), List.of());
            manifest.append(edit);
            live.apply(edit);
            segments.remove(seg.id);
            usage.remove(seg.id);
            bytesTruncated += seg.data.byteSize();
            seg.unmap();
            fs.delete(seg.path);
            return;
        }
        MappedRegion region;
        try (FileHandle h = fs.open(seg.path, false)) {
            // Records above the durable mark may exist only in the page cache of the crashed
            // process: they must be on disk before an edit commits them as part of a sealed segment.
            h.sync();
            HintWriter.write(fs, dir, seg.id, seg.data, scan.end(), seed);
            SegmentMeta sealed = new SegmentMeta(seg.id, true, scan.end(), scan.minSequence(), scan.maxSequence());
            ManifestEdit edit = new ManifestEdit(live.nextSegmentId(), maxSequence, List.of(), List.of(sealed));
            manifest.append(edit);
            live.apply(edit);
            // Give back the preallocated tail, then map exactly the sealed length like any sealed segment.
            seg.unmap();
            bytesTruncated += h.size() - scan.end();
            h.truncate(scan.end());
            region = h.map(0, scan.end(), false);
        }
        segments.put(new Segment(seg.id, seg.path, region));
    }

    /**
     * A data file that no edit names and no edit removed, but whose header holds a durable mark,
     * received forced writes, which happen only after the edit adding it was committed: the
     * manifest has lost committed edits (truncated or damaged where it looked like a torn tail).
     * Deleting such a file would silently lose acknowledged writes, so recovery stops instead.
     * (A segment created by a crashed rotation has no mark; a compaction output never has one.)
     */
    private void checkNoCommittedOrphans(List<String> names, Manifest.Replay replay) throws IOException {
        for (String name : names) {
            long id = FileNames.dataId(name);
            if (id < 0 || replay.live().get(id) != null || replay.removedIds().contains(id)) {
                continue;
            }
            if (holdsForcedWrites(fs, dir.resolve(name), id)) {
                throw new MapcaskCorruptionException(dir.resolve(FileNames.manifest(replay.number())), replay.validEnd(),
                        "the manifest does not name " + name + ", which holds forced writes: committed manifest edits"
                                + " are missing (damaged or truncated manifest); nothing was deleted");
            }
        }
    }

    /** True when {@code path} is data segment {@code id} and its header holds a durable mark: it received forced writes. */
    static boolean holdsForcedWrites(Fs fs, Path path, long id) throws IOException {
        MemorySegment header;
        try (FileHandle h = fs.openReadOnly(path)) {
            if (h.size() < SegmentHeader.DATA_START) {
                return false;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) SegmentHeader.DATA_START);
            h.readFully(buf, 0);
            header = MemorySegment.ofArray(buf.array());
        }
        return Layout.getLong(header, SegmentHeader.MAGIC_OFFSET) == SegmentHeader.MAGIC
                && Layout.getLong(header, SegmentHeader.SEGMENT_ID_OFFSET) == id
                && SegmentHeader.markCounter(header) > 0;
    }

    /** Deletes store files that no edit names. Foreign files are never touched. */
    private boolean deleteOrphans(List<String> names, LiveSet live, long manifestNumber) throws IOException {
        boolean deleted = false;
        for (String name : names) {
            long dataId = FileNames.dataId(name);
            long hintId = FileNames.hintId(name);
            long manifestNo = FileNames.manifestNumber(name);
            boolean orphan = name.equals(FileNames.CURRENT_TEMP) || name.equals(FileNames.KEYDIR_TEMP)
                    || (dataId >= 0 && live.get(dataId) == null)
                    || (hintId >= 0 && (live.get(hintId) == null || !live.get(hintId).sealed()))
                    || (manifestNo >= 0 && manifestNo != manifestNumber);
            if (orphan) {
                fs.delete(dir.resolve(name));
                deleted = true;
                orphansDeleted++;
            }
        }
        return deleted;
    }

    /** What this open did; emits it as the JFR event begun at the start of {@code open} (when there is one). */
    private RecoveryReport report(long startNanos, RecoveryEvent event) {
        RecoveryReport r = new RecoveryReport(created, java.time.Duration.ofNanos(System.nanoTime() - startNanos),
                checkpointSegments, hintsUsed, segmentsScanned, hintsRewritten, tornTail, bytesTruncated, orphansDeleted,
                manifestTailTorn,
                keydir.size());
        if (event != null && event.shouldCommit()) {
            event.directory = dir.toString();
            event.created = r.created();
            event.checkpointSegments = r.checkpointSegments();
            event.hintsUsed = r.hintsUsed();
            event.segmentsScanned = r.segmentsScanned();
            event.hintsRewritten = r.hintsRewritten();
            event.tornTail = r.tornTail();
            event.bytesTruncated = r.bytesTruncated();
            event.orphansDeleted = r.orphansDeleted();
            event.manifestTailTorn = r.manifestTailTorn();
            event.keys = r.keys();
            event.commit();
        }
        return r;
    }

    private void rotatedTornManifest(long number, long previousBytes) {
        if (!Jfr.on()) {
            return;
        }
        ManifestRotationEvent event = new ManifestRotationEvent();
        if (event.shouldCommit()) {
            event.directory = dir.toString();
            event.previousNumber = number - 1;
            event.number = number;
            event.previousBytes = previousBytes;
            event.reason = ManifestRotationEvent.TORN_TAIL;
            event.commit();
        }
    }

    private void unmapAll() {
        for (Segment s : segments.all()) {
            s.unmap();
        }
    }

    private static void closeQuietly(AutoCloseable c, Throwable primary) {
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }
}
