package io.mapcask.mmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory, fault-injecting {@link Fs} for crash tests (CRASH-TESTING.md §2, §3, §6). No real
 * file is touched; paths are default-file-system {@link Path}s used as keys, normalized with
 * {@code toAbsolutePath().normalize()}.
 *
 * <h2>State</h2>
 *
 * <p>Each file (inode) has <em>live</em> bytes (the page cache: what every read and mapping of
 * the running process sees) and <em>durable</em> bytes (the disk), a live and a durable size, and
 * a set of allocated 4 KiB pages. A page is <em>dirty</em> when its live bytes differ from its
 * reference bytes ({@code MemorySegment.mismatch}, computed, never tracked); the reference is
 * the durable page, except for a page lost by a failed sync (below). Each directory has live
 * names and durable names (name &rarr; inode); a directory itself exists live and durably.
 *
 * <h2>What is durable when</h2>
 *
 * <ul>
 *   <li>{@link FileHandle#write}, {@link FileHandle#allocate}, {@link FileHandle#truncate} and
 *       writes through a mapping change live bytes and the live size only.
 *   <li>{@link FileHandle#sync()} copies every dirty page of the file to durable and makes the
 *       live size durable. {@link MappedRegion#force(long, long)} copies only the dirty pages
 *       covering the range and never the size (msync is not guaranteed to persist metadata;
 *       the engine must {@code sync()} after {@code allocate()}).
 *   <li>Creating a name ({@link #open} with {@code create}, {@link #lock}, {@link #link} of an
 *       existing file), {@link #rename} (one atomic operation, replacing the target), {@link
 *       #delete} and {@link #createDirectories}
 *       change live names only and append an <em>entry operation</em> to a pending log.
 *       {@link #syncDirectory(Path) syncDirectory(d)} makes durable every pending operation that
 *       touches {@code d} (a rename touches both directories; a mkdir/rmdir touches the parent),
 *       plus, so that every directory's durable names stay a prefix of its history, every earlier
 *       pending operation on a directory that such an operation also touches. Syncing a file
 *       never makes its name durable: a file created, written and fsynced is absent after a power
 *       loss until its directory is synced. A file whose last durable name is gone is unreachable
 *       after a crash even if the process still holds it open.
 * </ul>
 *
 * <h2>Ops, hooks, faults, crashes</h2>
 *
 * <p>Every method call of {@link Fs}, {@link FileHandle}, {@link MappedRegion} and {@link
 * DirectoryLock} (except {@link MappedRegion#segment()} and {@link FileHandle#path()}) is an
 * {@link SimOp} with the next index (0, 1, 2, ...) and a {@link SimOpKind}. Ops run one at a time
 * under this object's lock; a {@link SimHook} ({@link #setHook}) sees each before and after it
 * and can record it ({@link SimTrace}), throw {@link SimulatedCrash} before or after it, inject a
 * {@link SimFault}, or take a crash state without stopping ({@link #crashState()}). A failed op
 * throws {@link SimIOException} and:
 *
 * <ul>
 *   <li>for {@code SYNC} and {@code FORCE}: each dirty page in the covered range is written to
 *       durable or not with probability 1/2 (drawn from this file system's {@link Random}); the
 *       pages not written are <b>lost</b> (fsyncgate): the kernel marks them clean, so the process
 *       keeps seeing their live bytes, but they are not dirty any more and a later {@code sync()}
 *       or {@code force()} "succeeds" without writing them; after a crash they hold their durable
 *       bytes. Modelled by a per-page snapshot of the live bytes at the failure, which replaces
 *       the durable page as the dirty reference: a later write of that page (through {@code
 *       write} or a mapping) makes it dirty again, and the next sync writes the whole page. The
 *       size is not made durable by a failed sync.
 *   <li>for every other op: nothing changes ({@code DIR_SYNC} persists nothing; a failed write
 *       writes nothing).
 * </ul>
 *
 * <p>After a crash (a hook threw {@link SimulatedCrash}, or {@link #crash(String)} was called)
 * this file system is frozen: the crash state is captured at that instant, every mapping is
 * unmapped (further accesses through it throw {@link IllegalStateException}), and every later op
 * throws {@link SimulatedCrash}. The test then builds the next file system from {@link
 * #crashState()}: a {@link CrashState} holds the durable state and the {@link VolatileUnit}s
 * (each dirty page, each unsynced size change, each pending entry operation), and its images
 * (new {@code SimFs} instances) keep a subset of them chosen by a {@link CrashPolicy}, a mask, or
 * enumerated exhaustively, optionally with a torn page ({@link TornPage}). Lost pages are not
 * volatile units: they are gone.
 *
 * <h2>Mappings and space</h2>
 *
 * <p>{@link FileHandle#map} hands out a view of the live bytes themselves, page-aligned native
 * memory, so the engine's hot path runs unchanged; each mapping has its own shared arena, and
 * {@link MappedRegion#close()} makes further access through it throw {@link
 * IllegalStateException}, as with {@link RealFs}. Stricter than Linux: a mapping must lie inside
 * the file's size, and a writable one only over allocated pages ({@code allocate()} or {@code
 * write()} allocate; growing with {@code truncate()} leaves a hole), else {@code map} throws
 * {@link IOException} ("mapped past preallocation" shows at once instead of as SIGBUS on a full
 * disk). Not emulated: SIGBUS ({@link InternalError}) for an access past the end of a file that
 * was shrunk while mapped: such an access reaches memory that is zeroed at the truncation and
 * whose writes are never persisted. A file's backing memory cannot move while it is mapped, so
 * growing a mapped file past its backing capacity (the largest size it had before being mapped,
 * rounded up, at least doubled on each growth) throws {@link IOException}; the engine allocates
 * before it maps, so this does not arise. Files are limited to {@link #MAX_FILE_SIZE}. An
 * optional space limit ({@link #setSpaceLimit}) makes {@code allocate} and {@code write} fail
 * with ENOSPC when allocated pages of existing files would exceed it. All paths are on one file
 * system, so {@link #link} never fails for want of hard links; inject a fault to see what a
 * caller does when it does.
 *
 * <h2>Use in a crash test</h2>
 *
 * <pre>{@code
 * // A durable empty directory to start from (ops #0.. of every run are the same).
 * SimFs fresh(long seed) { SimFs fs = new SimFs(seed); fs.createDirectories(dir); fs.syncAll(); return fs; }
 *
 * // 1. Probe run: which ops does the workload make?
 * SimFs probe = fresh(seed);
 * SimTrace trace = new SimTrace();
 * probe.setHook(trace);
 * runWorkload(probe, model);                      // e.g. Mapcask.open(probe, dir, options) ...
 *
 * // 2. Crash before and after each op; check every image of every crash state.
 * for (SimOp op : trace.ops()) {
 *     for (boolean after : new boolean[] {false, true}) {
 *         SimFs fs = fresh(seed);
 *         fs.setHook(after ? SimHook.crashAfter(op.index()) : SimHook.crashBefore(op.index()));
 *         try { runWorkload(fs, model); } catch (SimulatedCrash expected) { }
 *         CrashState state = fs.crashState();        // frozen at the crash
 *         Stream<SimFs> images = state.unitCount() <= 10 ? state.allImages()
 *                 : CrashPolicy.standard().stream().map(p -> state.image(p, rnd));
 *         images.forEach(image -> checkRecovery(image, model));  // open, compare with the oracle
 *     }
 * }
 * }</pre>
 *
 * <p>A single run can do the same without stopping: a hook whose {@code before} and {@code after}
 * call {@link #crashState()} collects the state at every op (the model must be snapshotted
 * alongside). IO errors: {@code SimHook.failNth(SimOpKind.SYNC, n, SimFault.EIO)} and friends, or
 * {@link SimHook#failAt}. To crash the recovery itself, run it on an image with a crash hook
 * and take images of that crash in turn.
 *
 * <h2>Determinism and threads</h2>
 *
 * <p>Randomness comes from the {@link Random} given at construction (failed-sync outcomes) and
 * the ones passed to {@link CrashState} (images); directory listings are sorted. With the
 * engine's background work on the calling thread, a seed reproduces a run op for op. All ops are
 * thread-safe; mapped accesses are plain memory accesses, as with a real mapping.
 */
public final class SimFs implements Fs {

    public static final int PAGE_SIZE = 4096;
    public static final int SECTOR_SIZE = 512;
    /** Largest file size SimFs supports (its durable bytes live in a Java array). */
    public static final long MAX_FILE_SIZE = 1L << 30;

    private final Random random;
    private SimHook hook = SimHook.NONE;
    private long nextOp;
    private long nextInode = 1;
    private long spaceLimitPages = Long.MAX_VALUE;
    private SimulatedCrash crash;
    private CrashState frozen;

    private final TreeMap<Long, Inode> inodes = new TreeMap<>();
    /** Live directories (roots are created on first use) and their file entries. */
    private final TreeMap<Path, TreeMap<String, Inode>> liveDirs = new TreeMap<>();
    /** Durable file entries (inode ids) per directory; kept for directories not yet durable too. */
    private final TreeMap<Path, TreeMap<String, Long>> durableEntries = new TreeMap<>();
    /** Durable non-root directories. */
    private final TreeSet<Path> durableDirs = new TreeSet<>();
    private final ArrayList<EntryOp> pending = new ArrayList<>();
    private final TreeSet<Path> locks = new TreeSet<>();
    private final LinkedHashSet<SimMapping> mappings = new LinkedHashSet<>();

    /** An empty file system (only roots exist) drawing failed-sync outcomes from {@code new Random(seed)}. */
    public SimFs(long seed) {
        this(new Random(seed));
    }

    public SimFs(Random random) {
        this.random = Objects.requireNonNull(random);
    }

    // ------------------------------------------------------------------ test controls (not ops)

    public synchronized void setHook(SimHook hook) {
        this.hook = hook == null ? SimHook.NONE : hook;
    }

    public synchronized SimHook hook() {
        return hook;
    }

    /** The number of ops issued so far, i.e. the index the next op will get. */
    public synchronized long opCount() {
        return nextOp;
    }

    public synchronized boolean isCrashed() {
        return crash != null;
    }

    /**
     * Crashes now (from a hook, or from a test thread at any moment): freezes this file system as
     * described in the class comment and returns the crash for the caller to throw. Idempotent:
     * after a crash it returns the first one.
     */
    public synchronized SimulatedCrash crash(String reason) {
        onCrash(new SimulatedCrash(reason));
        return crash;
    }

    /**
     * The crash state as of now (durable state and volatile units), or, after a crash, as frozen
     * at the crash. Not an op; cheap enough to call at every op of a small workload.
     */
    public synchronized CrashState crashState() {
        return crash != null ? frozen : capture();
    }

    /** Shorthand for {@code crashState().image(policy, rnd)}. */
    public SimFs crashImage(CrashPolicy policy, Random rnd) {
        return crashState().image(policy, rnd);
    }

    /** Shorthand for {@code crashState().unitCount()}. */
    public int volatileUnitCount() {
        return crashState().unitCount();
    }

    /**
     * Makes everything durable as it is live (every file's bytes, lost pages included, and size;
     * every directory and name), like a clean shutdown. Not an op; meant for test setup.
     */
    public synchronized void syncAll() {
        checkAlive("syncAll", null);
        for (Inode ino : inodes.values()) {
            MemorySegment.copy(ino.live, 0, ino.durableSeg, 0, ino.capacity());
            ino.durableSeg.asSlice(ino.liveSize).fill((byte) 0);
            ino.durableSize = ino.liveSize;
            ino.lost.clear();
        }
        durableEntries.clear();
        durableDirs.clear();
        liveDirs.forEach((dir, names) -> {
            if (dir.getParent() != null) {
                durableDirs.add(dir);
            }
            TreeMap<String, Long> ids = new TreeMap<>();
            names.forEach((n, ino) -> ids.put(n, ino.id));
            durableEntries.put(dir, ids);
        });
        pending.clear();
        prune();
    }

    /**
     * Limits the space of all existing files' allocated pages to {@code bytes} (rounded down to
     * pages); {@code allocate} and {@code write} that would need more fail with ENOSPC ({@link
     * SimIOException#injected()} false). {@code Long.MAX_VALUE} (the default) means no limit.
     */
    public synchronized void setSpaceLimit(long bytes) {
        spaceLimitPages = bytes == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, bytes / PAGE_SIZE);
    }

    /** Bytes in allocated pages of existing (named or open) files. */
    public synchronized long spaceUsed() {
        return usedPages() * PAGE_SIZE;
    }

    /** Dirty pages of the file now named {@code file} (not an op). */
    public synchronized int dirtyPageCount(Path file) {
        Inode ino = requireFile(file);
        int n = 0;
        for (long p = 0; p < pages(ino.liveSize); p++) {
            if (dirty(ino, p)) {
                n++;
            }
        }
        return n;
    }

    /** Pages of the file now named {@code file} lost by a failed sync and not written since (not an op). */
    public synchronized int lostPageCount(Path file) {
        Inode ino = requireFile(file);
        int n = 0;
        for (long p : ino.lost.keySet()) {
            if (!dirty(ino, p)) {
                n++;
            }
        }
        return n;
    }

    /** A human-readable dump: files with sizes and dirty pages, pending entry operations. */
    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder("SimFs at op #").append(nextOp).append(crash != null ? " (crashed)" : "");
        liveDirs.forEach((dir, names) -> {
            sb.append("\n  ").append(dir).append(durableDirs.contains(dir) || dir.getParent() == null ? "" : " (dir not durable)");
            names.forEach((n, ino) -> sb.append("\n    ").append(n).append(" #").append(ino.id).append(" size ")
                    .append(ino.liveSize).append(" (durable ").append(ino.durableSize).append("), dirty pages ")
                    .append(dirtyPages(ino)).append(ino.lost.isEmpty() ? "" : ", lost pages " + ino.lost.keySet()));
        });
        for (EntryOp e : pending) {
            sb.append("\n  pending: ").append(e);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ Fs

    @Override
    public void createDirectories(Path dir) throws IOException {
        Path p = norm(dir);
        op(SimOpKind.CREATE_DIRECTORIES, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            List<Path> chain = new ArrayList<>();
            for (Path q = p; q.getParent() != null; q = q.getParent()) {
                chain.addFirst(q);
            }
            for (Path q : chain) {
                if (liveDirs.containsKey(q)) {
                    continue;
                }
                if (lookup(q) != null) {
                    throw new FileAlreadyExistsException(q.toString());
                }
                liveDirs.put(q, new TreeMap<>());
                pending.add(new EntryOp(EntryOp.Type.MKDIR, q.getParent(), name(q), null, null, 0));
            }
            return null;
        });
    }

    @Override
    public boolean isDirectory(Path path) {
        Path p = norm(path);
        return unchecked(SimOpKind.IS_DIRECTORY, p, (op, fault) -> isLiveDir(p));
    }

    @Override
    public boolean exists(Path path) {
        Path p = norm(path);
        return unchecked(SimOpKind.EXISTS, p, (op, fault) -> isLiveDir(p) || lookup(p) != null);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        Path p = norm(dir);
        return op(SimOpKind.LIST, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            if (!isLiveDir(p)) {
                if (lookup(p) != null) {
                    throw new NotDirectoryException(p.toString());
                }
                throw new NoSuchFileException(p.toString());
            }
            TreeSet<String> names = new TreeSet<>(liveEntries(p).keySet());
            for (Path d : liveDirs.keySet()) {
                if (p.equals(d.getParent())) {
                    names.add(name(d));
                }
            }
            return List.copyOf(names);
        });
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        Path p = norm(file);
        synchronized (this) {
            SimOpKind kind = create && !isLiveDir(p) && lookup(p) == null ? SimOpKind.CREATE : SimOpKind.OPEN;
            return op(kind, p, null, -1, -1, (op, fault) -> {
                throwIf(op, fault);
                Inode ino = openInode(p, create);
                return new SimFile(file, p, ino, true);
            });
        }
    }

    @Override
    public FileHandle openReadOnly(Path file) throws IOException {
        Path p = norm(file);
        return op(SimOpKind.OPEN_READ_ONLY, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            return new SimFile(file, p, openInode(p, false), false);
        });
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Path f = norm(from);
        Path t = norm(to);
        op(SimOpKind.RENAME, f, t, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            if (isLiveDir(f)) {
                throw new FileSystemException(f.toString(), t.toString(), "SimFs does not rename directories");
            }
            Inode ino = lookup(f);
            if (ino == null) {
                throw new NoSuchFileException(f.toString());
            }
            if (!isLiveDir(t.getParent())) {
                throw new NoSuchFileException(t.toString());
            }
            if (isLiveDir(t)) {
                throw new FileSystemException(f.toString(), t.toString(), "Is a directory");
            }
            Inode old = lookup(t);
            if (f.equals(t) || old == ino) {
                return null; // POSIX: renaming a file onto itself does nothing
            }
            liveEntries(f.getParent()).remove(name(f));
            liveEntries(t.getParent()).put(name(t), ino);
            if (old != null) {
                old.links--;
            }
            pending.add(new EntryOp(EntryOp.Type.RENAME, f.getParent(), name(f), t.getParent(), name(t), ino.id));
            prune();
            return null;
        });
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        Path f = norm(existing);
        Path t = norm(link);
        op(SimOpKind.LINK, f, t, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            Inode ino = lookup(f);
            if (ino == null) {
                if (isLiveDir(f)) {
                    throw new FileSystemException(f.toString(), t.toString(), "SimFs does not link directories");
                }
                throw new NoSuchFileException(f.toString());
            }
            if (!isLiveDir(t.getParent())) {
                throw new NoSuchFileException(t.toString());
            }
            if (isLiveDir(t) || lookup(t) != null) {
                throw new FileAlreadyExistsException(t.toString());
            }
            liveEntries(t.getParent()).put(name(t), ino);
            ino.links++;
            pending.add(new EntryOp(EntryOp.Type.LINK, t.getParent(), name(t), null, null, ino.id));
            return null;
        });
    }

    @Override
    public void delete(Path file) throws IOException {
        Path p = norm(file);
        op(SimOpKind.DELETE, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            if (p.getParent() != null && liveDirs.containsKey(p)) {
                boolean empty = liveDirs.get(p).isEmpty()
                        && liveDirs.keySet().stream().noneMatch(d -> p.equals(d.getParent()));
                if (!empty) {
                    throw new DirectoryNotEmptyException(p.toString());
                }
                liveDirs.remove(p);
                pending.add(new EntryOp(EntryOp.Type.RMDIR, p.getParent(), name(p), null, null, 0));
                return null;
            }
            Inode ino = lookup(p);
            if (ino == null) {
                return null;
            }
            liveEntries(p.getParent()).remove(name(p));
            ino.links--;
            pending.add(new EntryOp(EntryOp.Type.UNLINK, p.getParent(), name(p), null, null, ino.id));
            prune();
            return null;
        });
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        Path p = norm(dir);
        op(SimOpKind.DIR_SYNC, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            if (!isLiveDir(p)) {
                throw new NoSuchFileException(p.toString());
            }
            Set<Path> touched = new HashSet<>();
            touched.add(p);
            boolean[] apply = new boolean[pending.size()];
            for (int i = pending.size() - 1; i >= 0; i--) {
                EntryOp e = pending.get(i);
                if (touched.contains(e.dir()) || (e.toDir() != null && touched.contains(e.toDir()))) {
                    apply[i] = true;
                    touched.add(e.dir());
                    if (e.toDir() != null) {
                        touched.add(e.toDir());
                    }
                }
            }
            List<EntryOp> rest = new ArrayList<>();
            for (int i = 0; i < apply.length; i++) {
                if (apply[i]) {
                    pending.get(i).applyTo(durableEntries, durableDirs);
                } else {
                    rest.add(pending.get(i));
                }
            }
            pending.clear();
            pending.addAll(rest);
            prune();
            return null;
        });
    }

    @Override
    public DirectoryLock lock(Path lockFile) throws IOException {
        Path p = norm(lockFile);
        return op(SimOpKind.LOCK, p, null, -1, -1, (op, fault) -> {
            throwIf(op, fault);
            Inode ino = openInode(p, true);
            if (!locks.add(p)) {
                ino.opens--;
                prune();
                throw new FileLockedException(lockFile, "by another open instance in this JVM");
            }
            return new SimLock(lockFile, p, ino);
        });
    }

    // ------------------------------------------------------------------ op machinery

    @FunctionalInterface
    private interface Body<T> {
        /** Runs the op; {@code fault} is the injected fault or null. */
        T run(SimOp op, SimFault fault) throws IOException;
    }

    private synchronized <T> T op(SimOpKind kind, Path path, Path target, long offset, long length, Body<T> body)
            throws IOException {
        checkAlive(kind.toString(), path);
        SimOp op = new SimOp(nextOp++, kind, path, target, offset, length);
        SimFault fault;
        try {
            fault = hook.before(this, op);
        } catch (SimulatedCrash c) {
            onCrash(c);
            throw c;
        }
        checkAlive(kind.toString(), path); // the hook may have called crash()
        if (!kind.canFail()) {
            fault = null;
        }
        T result = null;
        IOException failure = null;
        try {
            result = body.run(op, fault);
        } catch (IOException e) {
            failure = e;
        }
        try {
            hook.after(this, op, failure);
        } catch (SimulatedCrash c) {
            onCrash(c);
            throw c;
        }
        checkAlive(kind.toString(), path);
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private <T> T unchecked(SimOpKind kind, Path path, Body<T> body) {
        try {
            return op(kind, path, null, -1, -1, body);
        } catch (IOException e) {
            throw new AssertionError("op " + kind + " cannot fail", e);
        }
    }

    private static void throwIf(SimOp op, SimFault fault) throws SimIOException {
        if (fault != null) {
            throw new SimIOException(op, fault, true);
        }
    }

    private void checkAlive(String what, Path path) {
        if (crash != null) {
            throw new SimulatedCrash("the file system crashed (" + crash.getMessage() + "); " + what
                    + (path == null ? "" : " " + path) + " refused");
        }
    }

    private void onCrash(SimulatedCrash c) {
        if (crash != null) {
            return;
        }
        frozen = capture();
        crash = c;
        for (SimMapping m : mappings) {
            m.unmapAtCrash();
        }
    }

    // ------------------------------------------------------------------ namespace helpers

    static Path norm(Path p) {
        return Objects.requireNonNull(p, "path").toAbsolutePath().normalize();
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private boolean isLiveDir(Path p) {
        return p != null && (p.getParent() == null || liveDirs.containsKey(p));
    }

    /** The file entries of a live directory (creating a root's map on first use), or null. */
    private TreeMap<String, Inode> liveEntries(Path dir) {
        if (dir.getParent() == null) {
            return liveDirs.computeIfAbsent(dir, k -> new TreeMap<>());
        }
        return liveDirs.get(dir);
    }

    private Inode lookup(Path p) {
        if (p.getParent() == null) {
            return null;
        }
        TreeMap<String, Inode> names = liveEntries(p.getParent());
        return names == null ? null : names.get(name(p));
    }

    private Inode requireFile(Path file) {
        Inode ino = lookup(norm(file));
        if (ino == null) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        return ino;
    }

    /** Looks up (or, with {@code create}, creates) a file and counts one more open reference. */
    private Inode openInode(Path p, boolean create) throws IOException {
        if (isLiveDir(p)) {
            throw new FileSystemException(p.toString(), null, "Is a directory");
        }
        Inode ino = lookup(p);
        if (ino == null) {
            if (!create || !isLiveDir(p.getParent())) {
                throw new NoSuchFileException(p.toString());
            }
            ino = new Inode(nextInode++, PAGE_SIZE);
            inodes.put(ino.id, ino);
            ino.links = 1;
            liveEntries(p.getParent()).put(name(p), ino);
            pending.add(new EntryOp(EntryOp.Type.LINK, p.getParent(), name(p), null, null, ino.id));
        }
        ino.opens++;
        return ino;
    }

    /** Forgets inodes that nothing can reach any more: no live name, not open, no durable or pending name. */
    private void prune() {
        Set<Long> referenced = new HashSet<>();
        durableEntries.values().forEach(m -> referenced.addAll(m.values()));
        for (EntryOp e : pending) {
            referenced.add(e.inode());
        }
        inodes.values().removeIf(ino -> ino.links <= 0 && ino.opens <= 0 && !referenced.contains(ino.id));
    }

    private Path someName(Inode ino) {
        for (Map.Entry<Path, TreeMap<String, Inode>> d : liveDirs.entrySet()) {
            for (Map.Entry<String, Inode> e : d.getValue().entrySet()) {
                if (e.getValue() == ino) {
                    return d.getKey().resolve(e.getKey());
                }
            }
        }
        for (Map.Entry<Path, TreeMap<String, Long>> d : durableEntries.entrySet()) {
            for (Map.Entry<String, Long> e : d.getValue().entrySet()) {
                if (e.getValue() == ino.id) {
                    return d.getKey().resolve(e.getKey());
                }
            }
        }
        for (EntryOp e : pending) {
            if (e.inode() == ino.id) {
                return e.path();
            }
        }
        return Path.of("/<inode " + ino.id + ">");
    }

    // ------------------------------------------------------------------ page helpers

    static long pages(long bytes) {
        return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    private static long roundUp(long bytes) {
        return pages(bytes) * PAGE_SIZE;
    }

    private boolean dirty(Inode ino, long page) {
        long off = page * PAGE_SIZE;
        byte[] ref = ino.lost.get(page);
        if (ref != null) {
            return MemorySegment.mismatch(ino.live, off, off + PAGE_SIZE, MemorySegment.ofArray(ref), 0, PAGE_SIZE) >= 0;
        }
        return MemorySegment.mismatch(ino.live, off, off + PAGE_SIZE, ino.durableSeg, off, off + PAGE_SIZE) >= 0;
    }

    private List<Long> dirtyPages(Inode ino) {
        List<Long> list = new ArrayList<>();
        for (long p = 0; p < pages(ino.liveSize); p++) {
            if (dirty(ino, p)) {
                list.add(p);
            }
        }
        return list;
    }

    /**
     * Writes back the dirty pages in {@code [fromPage, toPage)}: all of them, or, for a failed
     * barrier, a random subset with the rest lost (see the class comment).
     */
    private void writeBack(Inode ino, long fromPage, long toPage, boolean failed) {
        long end = Math.min(toPage, pages(ino.liveSize));
        for (long p = Math.max(0, fromPage); p < end; p++) {
            if (!dirty(ino, p)) {
                continue;
            }
            long off = p * PAGE_SIZE;
            if (!failed || random.nextBoolean()) {
                MemorySegment.copy(ino.live, off, ino.durableSeg, off, PAGE_SIZE);
                ino.lost.remove(p);
            } else {
                ino.lost.put(p, ino.live.asSlice(off, PAGE_SIZE).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    private long usedPages() {
        long n = 0;
        for (Inode ino : inodes.values()) {
            if (ino.links > 0 || ino.opens > 0) {
                n += ino.allocated.cardinality();
            }
        }
        return n;
    }

    /** Allocates the pages of {@code [from, to)} bytes, failing with ENOSPC past the space limit. */
    private void allocatePages(Inode ino, long from, long to, SimOp op) throws SimIOException {
        if (to <= from) {
            return;
        }
        int first = Math.toIntExact(from / PAGE_SIZE);
        int last = Math.toIntExact(pages(to));
        if (spaceLimitPages != Long.MAX_VALUE) {
            int missing = (last - first) - ino.allocated.get(first, last).cardinality();
            if (missing > 0 && usedPages() + missing > spaceLimitPages) {
                throw new SimIOException(op, SimFault.ENOSPC, false);
            }
        }
        ino.allocated.set(first, last);
    }

    private static void ensureCapacity(Inode ino, long need, Path path) throws IOException {
        if (need <= ino.capacity()) {
            return;
        }
        if (need > MAX_FILE_SIZE) {
            throw new IOException(path + ": SimFs files are limited to " + MAX_FILE_SIZE + " bytes, " + need + " requested");
        }
        if (ino.maps > 0) {
            throw new IOException(path + ": SimFs cannot grow a mapped file past its backing capacity ("
                    + ino.capacity() + " bytes) to " + need + " bytes; allocate() the full size before map()");
        }
        ino.resize(Math.min(MAX_FILE_SIZE, Math.max(roundUp(need), 2 * ino.capacity())));
    }

    /** Sets the live size; bytes between the old and the new size read as zero. */
    private static void setLiveSize(Inode ino, long size) {
        if (size > ino.liveSize) {
            ino.live.asSlice(ino.liveSize, size - ino.liveSize).fill((byte) 0);
        } else if (size < ino.liveSize) {
            ino.live.asSlice(size, ino.liveSize - size).fill((byte) 0);
            long keep = pages(size);
            ino.allocated.clear(Math.toIntExact(keep), Math.max(Math.toIntExact(keep), ino.allocated.length()));
            ino.lost.tailMap(keep).clear();
        }
        ino.liveSize = size;
    }

    // ------------------------------------------------------------------ crash states and images

    private CrashState capture() {
        TreeSet<Long> ids = new TreeSet<>();
        durableEntries.values().forEach(m -> ids.addAll(m.values()));
        for (EntryOp e : pending) {
            if (e.inode() > 0) {
                ids.add(e.inode());
            }
        }
        List<CrashState.FileSnap> files = new ArrayList<>();
        List<VolatileUnit> units = new ArrayList<>();
        for (long id : ids) {
            Inode ino = inodes.get(id);
            if (ino == null) {
                continue;
            }
            int fi = files.size();
            Path name = someName(ino);
            long extent = Math.max(pages(ino.durableSize), pages(ino.liveSize)) * PAGE_SIZE;
            files.add(new CrashState.FileSnap(id, name, Arrays.copyOf(ino.durable, Math.toIntExact(extent)),
                    ino.durableSize, ino.liveSize));
            for (long p : dirtyPages(ino)) {
                long off = p * PAGE_SIZE;
                units.add(new VolatileUnit(VolatileUnit.Kind.PAGE, name,
                        "page " + p + " of " + name + " [" + off + ", " + (off + PAGE_SIZE) + ")", fi, p,
                        ino.live.asSlice(off, PAGE_SIZE).toArray(ValueLayout.JAVA_BYTE), null));
            }
            if (ino.liveSize != ino.durableSize) {
                units.add(new VolatileUnit(VolatileUnit.Kind.SIZE, name,
                        "size of " + name + ": " + ino.durableSize + " -> " + ino.liveSize, fi, -1, null, null));
            }
        }
        for (EntryOp e : pending) {
            units.add(new VolatileUnit(VolatileUnit.Kind.ENTRY, e.path(), e.toString(), -1, -1, null, e));
        }
        TreeMap<Path, TreeMap<String, Long>> entries = new TreeMap<>();
        durableEntries.forEach((dir, names) -> entries.put(dir, new TreeMap<>(names)));
        return new CrashState(nextOp, files, entries, new TreeSet<>(durableDirs), units);
    }

    /** Builds an image: every reachable name gets its file with live = durable = the given bytes. */
    static SimFs fromImage(long seed, Map<Long, Integer> fileIndex, List<byte[]> bytes, long[] size,
                           Map<Path, TreeMap<String, Long>> entries, Set<Path> dirs) {
        SimFs fs = new SimFs(new Random(seed));
        for (Path d : dirs) {
            if (reachable(d, dirs)) {
                fs.liveDirs.put(d, new TreeMap<>());
                fs.durableDirs.add(d);
            }
        }
        Inode[] made = new Inode[bytes.size()];
        for (Map.Entry<Path, TreeMap<String, Long>> d : entries.entrySet()) {
            Path dir = d.getKey();
            if (!reachable(dir, dirs)) {
                continue;
            }
            for (Map.Entry<String, Long> e : d.getValue().entrySet()) {
                Integer fi = fileIndex.get(e.getValue());
                if (fi == null || fs.liveDirs.containsKey(dir.resolve(e.getKey()))) {
                    continue;
                }
                Inode ino = made[fi];
                if (ino == null) {
                    long s = size[fi];
                    ino = new Inode(fs.nextInode++, Math.max(PAGE_SIZE, roundUp(s)));
                    MemorySegment src = MemorySegment.ofArray(bytes.get(fi));
                    long n = Math.min(s, src.byteSize());
                    MemorySegment.copy(src, 0, ino.live, 0, n);
                    MemorySegment.copy(src, 0, ino.durableSeg, 0, n);
                    ino.liveSize = s;
                    ino.durableSize = s;
                    ino.allocated.set(0, Math.toIntExact(pages(s)));
                    fs.inodes.put(ino.id, ino);
                    made[fi] = ino;
                }
                ino.links++;
                fs.liveEntries(dir).put(e.getKey(), ino);
                fs.durableEntries.computeIfAbsent(dir, k -> new TreeMap<>()).put(e.getKey(), ino.id);
            }
        }
        return fs;
    }

    private static boolean reachable(Path dir, Set<Path> dirs) {
        for (Path d = dir; d.getParent() != null; d = d.getParent()) {
            if (!dirs.contains(d)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ inner types

    /** A file's bytes and sizes. Guarded by the owning SimFs. */
    static final class Inode {
        final long id;
        /** Live bytes: native, page-aligned, capacity bytes; mappings are views of it. */
        MemorySegment live;
        /** Durable bytes, same capacity. */
        byte[] durable;
        MemorySegment durableSeg;
        long liveSize;
        long durableSize;
        final BitSet allocated = new BitSet();
        /** fsyncgate: page -> the live bytes the kernel considered clean after a failed write-back. */
        final TreeMap<Long, byte[]> lost = new TreeMap<>();
        int links;
        /** Open handles, mappings and locks. */
        int opens;
        int maps;

        Inode(long id, long capacity) {
            this.id = id;
            this.live = Arena.ofAuto().allocate(capacity, PAGE_SIZE);
            this.durable = new byte[Math.toIntExact(capacity)];
            this.durableSeg = MemorySegment.ofArray(durable);
        }

        long capacity() {
            return durable.length;
        }

        void resize(long capacity) {
            MemorySegment l = Arena.ofAuto().allocate(capacity, PAGE_SIZE);
            MemorySegment.copy(live, 0, l, 0, live.byteSize());
            live = l;
            durable = Arrays.copyOf(durable, Math.toIntExact(capacity));
            durableSeg = MemorySegment.ofArray(durable);
        }
    }

    /**
     * A pending directory entry operation. {@code dir}/{@code name} is the entry (the source of a
     * rename; for MKDIR/RMDIR the parent and the directory's name); {@code inode} is 0 for
     * directories.
     */
    record EntryOp(Type type, Path dir, String name, Path toDir, String toName, long inode) {
        enum Type { LINK, UNLINK, RENAME, MKDIR, RMDIR }

        Path path() {
            return type == Type.RENAME ? toDir.resolve(toName) : dir.resolve(name);
        }

        /** Replays this operation on durable names. */
        void applyTo(Map<Path, TreeMap<String, Long>> entries, Set<Path> dirs) {
            switch (type) {
                case LINK -> entries.computeIfAbsent(dir, k -> new TreeMap<>()).put(name, inode);
                case UNLINK -> removeIfSame(entries, dir, name, inode);
                case RENAME -> {
                    removeIfSame(entries, dir, name, inode);
                    entries.computeIfAbsent(toDir, k -> new TreeMap<>()).put(toName, inode);
                }
                case MKDIR -> dirs.add(dir.resolve(name));
                case RMDIR -> dirs.remove(dir.resolve(name));
            }
        }

        private static void removeIfSame(Map<Path, TreeMap<String, Long>> entries, Path dir, String name, long inode) {
            TreeMap<String, Long> names = entries.get(dir);
            if (names != null && Objects.equals(names.get(name), inode)) {
                names.remove(name);
            }
        }

        @Override
        public String toString() {
            return switch (type) {
                case LINK -> "create " + dir.resolve(name);
                case UNLINK -> "unlink " + dir.resolve(name);
                case RENAME -> "rename " + dir.resolve(name) + " -> " + toDir.resolve(toName);
                case MKDIR -> "mkdir " + dir.resolve(name);
                case RMDIR -> "rmdir " + dir.resolve(name);
            };
        }
    }

    private final class SimFile implements FileHandle {
        private final Path path;
        private final Path norm;
        private final Inode ino;
        private final boolean writable;
        private boolean closed;

        SimFile(Path path, Path norm, Inode ino, boolean writable) {
            this.path = path;
            this.norm = norm;
            this.ino = ino;
            this.writable = writable;
        }

        @Override
        public Path path() {
            return path;
        }

        private void checkOpen() throws ClosedChannelException {
            if (closed) {
                throw new ClosedChannelException();
            }
        }

        private void checkWritable() {
            if (!writable) {
                throw new NonWritableChannelException();
            }
        }

        @Override
        public long size() throws IOException {
            return op(SimOpKind.SIZE, norm, null, -1, -1, (op, fault) -> {
                checkOpen();
                throwIf(op, fault);
                return ino.liveSize;
            });
        }

        @Override
        public void allocate(long size) throws IOException {
            op(SimOpKind.ALLOCATE, norm, null, size, -1, (op, fault) -> {
                checkOpen();
                checkWritable();
                if (size < 0) {
                    throw new IllegalArgumentException("negative size " + size);
                }
                throwIf(op, fault);
                ensureCapacity(ino, size, norm);
                allocatePages(ino, 0, size, op);
                if (size > ino.liveSize) {
                    setLiveSize(ino, size);
                }
                return null;
            });
        }

        @Override
        public void truncate(long size) throws IOException {
            op(SimOpKind.TRUNCATE, norm, null, size, -1, (op, fault) -> {
                checkOpen();
                checkWritable();
                if (size < 0) {
                    throw new IllegalArgumentException("negative size " + size);
                }
                throwIf(op, fault);
                ensureCapacity(ino, size, norm);
                setLiveSize(ino, size);
                return null;
            });
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return op(SimOpKind.READ, norm, null, position, dst.remaining(), (op, fault) -> {
                checkOpen();
                if (position < 0) {
                    throw new IllegalArgumentException("negative position " + position);
                }
                throwIf(op, fault);
                if (position >= ino.liveSize) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), ino.liveSize - position);
                MemorySegment.copy(ino.live, position, MemorySegment.ofBuffer(dst), 0, n);
                dst.position(dst.position() + n);
                return n;
            });
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            op(SimOpKind.WRITE, norm, null, position, src.remaining(), (op, fault) -> {
                checkOpen();
                checkWritable();
                if (position < 0) {
                    throw new IllegalArgumentException("negative position " + position);
                }
                throwIf(op, fault);
                int n = src.remaining();
                if (n == 0) {
                    return null;
                }
                long end = position + n;
                ensureCapacity(ino, end, norm);
                allocatePages(ino, position, end, op);
                if (end > ino.liveSize) {
                    setLiveSize(ino, end);
                }
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, ino.live, position, n);
                src.position(src.limit());
                return null;
            });
        }

        @Override
        public void sync() throws IOException {
            op(SimOpKind.SYNC, norm, null, -1, -1, (op, fault) -> {
                checkOpen();
                writeBack(ino, 0, Long.MAX_VALUE, fault != null);
                throwIf(op, fault);
                ino.durableSize = ino.liveSize;
                ino.durableSeg.asSlice(ino.liveSize).fill((byte) 0);
                return null;
            });
        }

        @Override
        public MappedRegion map(long position, long length, boolean write) throws IOException {
            return op(SimOpKind.MAP, norm, null, position, length, (op, fault) -> {
                checkOpen();
                if (write && !writable) {
                    throw new IOException(path + ": opened read-only, cannot map for writing");
                }
                if (position < 0 || length < 0) {
                    throw new IllegalArgumentException("negative position or length: " + position + ", " + length);
                }
                throwIf(op, fault);
                long end = position + length;
                if (end > ino.liveSize) {
                    throw new IOException(path + ": cannot map [" + position + ", " + end + "): past the end of the file ("
                            + ino.liveSize + " bytes); SimFs maps only inside the file's allocated size");
                }
                if (write && length > 0) {
                    int first = Math.toIntExact(position / PAGE_SIZE);
                    int last = Math.toIntExact(pages(end));
                    int hole = ino.allocated.get(first, last).nextClearBit(0);
                    if (hole < last - first) {
                        throw new IOException(path + ": cannot map [" + position + ", " + end + ") for writing: page "
                                + (first + hole) + " is not allocated (past the allocated size; allocate() first)");
                    }
                }
                SimMapping m = new SimMapping(path, norm, ino, position, length, write);
                mappings.add(m);
                ino.maps++;
                ino.opens++;
                return m;
            });
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            op(SimOpKind.CLOSE, norm, null, -1, -1, (op, fault) -> {
                if (!closed) {
                    closed = true;
                    ino.opens--;
                    prune();
                }
                throwIf(op, fault);
                return null;
            });
        }
    }

    private final class SimMapping implements MappedRegion {
        private final Path path;
        private final Path norm;
        private final Inode ino;
        private final long position;
        private final long length;
        private final Arena arena;
        private final MemorySegment view;
        private volatile boolean closed;
        private boolean unmapped;

        @SuppressWarnings("restricted")
        SimMapping(Path path, Path norm, Inode ino, long position, long length, boolean write) {
            this.path = path;
            this.norm = norm;
            this.ino = ino;
            this.position = position;
            this.length = length;
            this.arena = Arena.ofShared();
            MemorySegment backing = ino.live;
            // The view lives in this mapping's arena (so close() makes it inaccessible, like
            // munmap), and the cleanup action keeps the backing memory reachable while it is open.
            MemorySegment v = backing.asSlice(position, length).reinterpret(arena, s -> Reference.reachabilityFence(backing));
            this.view = write ? v : v.asReadOnly();
        }

        @Override
        public MemorySegment segment() {
            return view;
        }

        /** Simulated memory takes no page faults: nothing to do, as the real call changes no byte. */
        @Override
        public void populateForWrite(long offset, long length) {
        }

        @Override
        public void force(long offset, long len) throws IOException {
            op(SimOpKind.FORCE, norm, null, position + offset, len, (op, fault) -> {
                if (len <= 0) {
                    return null;
                }
                Objects.checkFromIndexSize(offset, len, length);
                if (closed) {
                    throw new IllegalStateException("Already closed");
                }
                long start = position + offset;
                writeBack(ino, start / PAGE_SIZE, pages(start + len), fault != null);
                throwIf(op, fault);
                return null;
            });
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            unchecked(SimOpKind.UNMAP, norm, (op, fault) -> {
                if (!closed) {
                    closed = true;
                    unmap();
                    mappings.remove(this);
                    ino.maps--;
                    ino.opens--;
                    prune();
                }
                return null;
            });
        }

        /** At a crash: the process's memory is gone, so is the mapping (not an op). */
        void unmapAtCrash() {
            unmap();
        }

        private void unmap() {
            if (unmapped) {
                return;
            }
            Arenas.closeWhenReleased(arena);
            unmapped = true;
        }

        @Override
        public String toString() {
            return "mapping of " + path + " [" + position + ", " + (position + length) + ")";
        }
    }

    private final class SimLock implements DirectoryLock {
        private final Path path;
        private final Path norm;
        private final Inode ino;
        private volatile boolean released;

        SimLock(Path path, Path norm, Inode ino) {
            this.path = path;
            this.norm = norm;
            this.ino = ino;
        }

        @Override
        public void close() throws IOException {
            if (released) {
                return;
            }
            op(SimOpKind.UNLOCK, norm, null, -1, -1, (op, fault) -> {
                if (!released) {
                    released = true;
                    locks.remove(norm);
                    ino.opens--;
                    prune();
                }
                throwIf(op, fault);
                return null;
            });
        }

        @Override
        public String toString() {
            return "lock on " + path;
        }
    }
}
