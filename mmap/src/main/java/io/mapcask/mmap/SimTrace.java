package io.mapcask.mmap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link SimHook} that records every op and how it ended. Typical first pass of a crash
 * enumeration: run the workload once with a trace, then crash before and after each op of
 * {@link #ops()} in later runs of the same seed. When combined with other hooks through {@link
 * SimHook#all}, put the trace first so that it sees an op before another hook crashes it.
 */
public final class SimTrace implements SimHook {

    /** One recorded op; {@code failure} is what it threw, or null. */
    public record Entry(SimOp op, IOException failure) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Records the op before it runs, so ops that crash or throw an unchecked exception show too. */
    @Override
    public synchronized SimFault before(SimFs fs, SimOp op) {
        entries.add(new Entry(op, null));
        return null;
    }

    @Override
    public synchronized void after(SimFs fs, SimOp op, IOException failure) {
        if (failure == null) {
            return;
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).op() == op) {
                entries.set(i, new Entry(op, failure));
                return;
            }
        }
        entries.add(new Entry(op, failure));
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized List<SimOp> ops() {
        return entries.stream().map(Entry::op).toList();
    }

    /** Ops of the given kinds, in order. */
    public synchronized List<SimOp> ops(SimOpKind... kinds) {
        List<SimOpKind> wanted = List.of(kinds);
        return entries.stream().map(Entry::op).filter(op -> wanted.contains(op.kind())).toList();
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized Map<SimOpKind, Integer> countsByKind() {
        Map<SimOpKind, Integer> counts = new EnumMap<>(SimOpKind.class);
        for (Entry e : entries) {
            counts.merge(e.op().kind(), 1, Integer::sum);
        }
        return counts;
    }

    public synchronized void clear() {
        entries.clear();
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.op());
            if (e.failure() != null) {
                sb.append("  !! ").append(e.failure().getMessage());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
