package io.mapcask.mmap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What a {@link SimFs} would leave on disk if the power failed now: its durable state plus the
 * list of {@link VolatileUnit}s that may or may not have reached the disk. Immutable and
 * independent of the file system it came from (taken with {@link SimFs#crashState()}, which after
 * a crash returns the state frozen at the crash).
 *
 * <p>An <em>image</em> is a new {@link SimFs} whose live and durable contents are both the
 * durable state with a chosen subset of the units applied: kept pages overwrite the durable page
 * (whole, or torn per {@link TornPage}), a kept size unit sets the durable size to the live size,
 * kept directory entry operations are replayed on the durable names in their original order.
 * Bytes past a file's resulting size are zero; a file no durable name reaches is gone; a name in
 * a directory that is not durable (or whose parent is not) is gone. The image has no hook, no
 * locks, no open handles, and its op counter starts at 0.
 *
 * <p>Units are ordered: first, per file (by creation order of its inode), its dirty pages by page
 * number, then its size unit; then the directory entry operations in the order they were made.
 */
public final class CrashState {

    /** {@link #allImages()} refuses more units than this (2^16 images); the spec asks for n &lt;= 10. */
    public static final int MAX_ENUMERATED_UNITS = 16;

    /** A file reachable from the durable names or from a pending entry operation. */
    record FileSnap(long inode, Path name, byte[] durable, long durableSize, long liveSize) {
    }

    private final long opIndex;
    private final List<FileSnap> files;
    private final Map<Long, Integer> fileIndex;
    private final Map<Path, TreeMap<String, Long>> durableEntries;
    private final Set<Path> durableDirs;
    private final List<VolatileUnit> units;

    CrashState(long opIndex, List<FileSnap> files, Map<Path, TreeMap<String, Long>> durableEntries,
               Set<Path> durableDirs, List<VolatileUnit> units) {
        this.opIndex = opIndex;
        this.files = List.copyOf(files);
        this.fileIndex = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            fileIndex.put(files.get(i).inode(), i);
        }
        this.durableEntries = durableEntries;
        this.durableDirs = durableDirs;
        this.units = List.copyOf(units);
    }

    /** The number of ops the file system had started when this state was taken (the next op's index). */
    public long opIndex() {
        return opIndex;
    }

    public int unitCount() {
        return units.size();
    }

    public List<VolatileUnit> units() {
        return units;
    }

    /** The image chosen by {@code policy} (tearing one kept page when the policy says so). */
    public SimFs image(CrashPolicy policy, Random rnd) {
        BitSet keep = policy.choose(this, rnd);
        int torn = -1;
        if (policy.tornPage() != null) {
            int[] pages = keep.stream().filter(i -> units.get(i).kind() == VolatileUnit.Kind.PAGE).toArray();
            if (pages.length > 0) {
                torn = pages[rnd.nextInt(pages.length)];
            }
        }
        return build(keep, torn, torn < 0 ? null : policy.tornPage(), rnd, rnd.nextLong());
    }

    /** The image keeping the units whose bit is set in {@code mask} (bit i = unit i). */
    public SimFs image(long mask) {
        return image(BitSet.valueOf(new long[] {mask}));
    }

    /** The image keeping the units in {@code keep}. */
    public SimFs image(BitSet keep) {
        return build(keep, -1, null, null, seedFor(keep));
    }

    /**
     * The image keeping {@code keep}, with the kept page unit {@code tornUnit} torn by {@code mode}
     * (random choices drawn from {@code rnd}).
     */
    public SimFs image(BitSet keep, int tornUnit, TornPage mode, Random rnd) {
        if (tornUnit < 0 || tornUnit >= units.size() || !keep.get(tornUnit)
                || units.get(tornUnit).kind() != VolatileUnit.Kind.PAGE) {
            throw new IllegalArgumentException("unit " + tornUnit + " is not a kept page unit");
        }
        return build(keep, tornUnit, mode, rnd, rnd.nextLong());
    }

    /** Only the durable state. */
    public SimFs durableImage() {
        return image(new BitSet());
    }

    /** Everything volatile kept: what a process crash (not a power loss) leaves. */
    public SimFs allVolatileImage() {
        BitSet all = new BitSet();
        all.set(0, units.size());
        return image(all);
    }

    /**
     * All 2<sup>n</sup> images, built lazily in mask order (image {@code i} keeps the units whose
     * bit is set in {@code i}, so the first is {@link #durableImage()} and the last {@link
     * #allVolatileImage()}).
     *
     * @throws IllegalStateException when there are more than {@link #MAX_ENUMERATED_UNITS} units
     */
    public Stream<SimFs> allImages() {
        if (units.size() > MAX_ENUMERATED_UNITS) {
            throw new IllegalStateException(units.size() + " volatile units are too many to enumerate all "
                    + "subsets (limit " + MAX_ENUMERATED_UNITS + "); use a CrashPolicy");
        }
        return LongStream.range(0, 1L << units.size()).mapToObj(this::image);
    }

    /** The n images that drop exactly one unit each (image i drops unit i). */
    public Stream<SimFs> imagesAllButOne() {
        return IntStream.range(0, units.size()).mapToObj(i -> {
            BitSet keep = new BitSet();
            keep.set(0, units.size());
            keep.clear(i);
            return image(keep);
        });
    }

    /** The n images that keep exactly one unit each (image i keeps unit i). */
    public Stream<SimFs> imagesOnlyOne() {
        return IntStream.range(0, units.size()).mapToObj(i -> {
            BitSet keep = new BitSet();
            keep.set(i);
            return image(keep);
        });
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("crash state at op #").append(opIndex).append(": ")
                .append(files.size()).append(" file(s), ").append(units.size()).append(" volatile unit(s)");
        for (int i = 0; i < units.size(); i++) {
            sb.append("\n  ").append(i).append(": ").append(units.get(i));
        }
        return sb.toString();
    }

    private long seedFor(BitSet keep) {
        return (opIndex * 0x9E3779B97F4A7C15L) ^ keep.hashCode();
    }

    private SimFs build(BitSet keep, int tornUnit, TornPage mode, Random rnd, long imageSeed) {
        int nf = files.size();
        byte[][] content = new byte[nf][];
        long[] size = new long[nf];
        for (int i = 0; i < nf; i++) {
            content[i] = files.get(i).durable().clone();
            size[i] = files.get(i).durableSize();
        }
        Map<Path, TreeMap<String, Long>> entries = new TreeMap<>();
        durableEntries.forEach((dir, names) -> entries.put(dir, new TreeMap<>(names)));
        Set<Path> dirs = new TreeSet<>(durableDirs);
        for (int i = keep.nextSetBit(0); i >= 0 && i < units.size(); i = keep.nextSetBit(i + 1)) {
            VolatileUnit u = units.get(i);
            switch (u.kind()) {
                case PAGE -> {
                    FileSnap f = files.get(u.file);
                    int off = Math.toIntExact(u.page * SimFs.PAGE_SIZE);
                    if (i == tornUnit) {
                        tear(f, u, content[u.file], off, mode, rnd);
                        if (mode == TornPage.ZEROS_GROWN) {
                            size[u.file] = Math.max(size[u.file], f.liveSize());
                        }
                    } else {
                        System.arraycopy(u.newBytes, 0, content[u.file], off, SimFs.PAGE_SIZE);
                    }
                }
                case SIZE -> size[u.file] = files.get(u.file).liveSize();
                case ENTRY -> u.entry.applyTo(entries, dirs);
            }
        }
        List<byte[]> bytes = new ArrayList<>(nf);
        for (int i = 0; i < nf; i++) {
            byte[] c = content[i];
            int s = Math.toIntExact(size[i]);
            if (s < c.length) {
                java.util.Arrays.fill(c, s, c.length, (byte) 0);
            }
            bytes.add(c);
        }
        return SimFs.fromImage(imageSeed, fileIndex, bytes, size, entries, dirs);
    }

    private static void tear(FileSnap f, VolatileUnit u, byte[] dst, int off, TornPage mode, Random rnd) {
        byte[] old = f.durable();
        byte[] neu = u.newBytes;
        int sectors = SimFs.PAGE_SIZE / SimFs.SECTOR_SIZE;
        switch (mode) {
            case SECTORS -> {
                for (int s = 0; s < sectors; s++) {
                    copySector(rnd.nextBoolean(), s, off, dst, old, neu);
                }
            }
            case PREFIX, SUFFIX -> {
                int k = 1 + rnd.nextInt(sectors - 1);
                for (int s = 0; s < sectors; s++) {
                    boolean isNew = mode == TornPage.PREFIX ? s < k : s >= sectors - k;
                    copySector(isNew, s, off, dst, old, neu);
                }
            }
            case WORDS -> {
                for (int w = 0; w < SimFs.PAGE_SIZE; w += Long.BYTES) {
                    boolean isNew = rnd.nextBoolean();
                    System.arraycopy(isNew ? neu : old, isNew ? w : off + w, dst, off + w, Long.BYTES);
                }
            }
            case GARBAGE -> {
                System.arraycopy(old, off, dst, off, SimFs.PAGE_SIZE);
                for (int i = 0; i < SimFs.PAGE_SIZE; i++) {
                    if (old[off + i] != neu[i]) {
                        dst[off + i] = (byte) rnd.nextInt(256);
                    }
                }
            }
            case ZEROS_GROWN -> {
                System.arraycopy(neu, 0, dst, off, SimFs.PAGE_SIZE);
                long from = Math.max(f.durableSize(), u.page * SimFs.PAGE_SIZE);
                long to = (u.page + 1) * SimFs.PAGE_SIZE;
                if (from < to) {
                    java.util.Arrays.fill(dst, Math.toIntExact(from), Math.toIntExact(to), (byte) 0);
                }
            }
            case HOSTILE -> {
                byte[] g = new byte[SimFs.PAGE_SIZE];
                rnd.nextBytes(g);
                System.arraycopy(g, 0, dst, off, g.length);
            }
        }
    }

    /** Sector {@code s} of the page at file offset {@code off}: new bytes (page-relative) or old (file-relative). */
    private static void copySector(boolean isNew, int s, int off, byte[] dst, byte[] old, byte[] neu) {
        int so = s * SimFs.SECTOR_SIZE;
        if (isNew) {
            System.arraycopy(neu, so, dst, off + so, SimFs.SECTOR_SIZE);
        } else {
            System.arraycopy(old, off + so, dst, off + so, SimFs.SECTOR_SIZE);
        }
    }
}
