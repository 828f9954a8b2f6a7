package io.mapcask;

import java.util.List;
import org.agrona.concurrent.Agent;

/**
 * The store's background thread, an Agrona {@link org.agrona.concurrent.AgentRunner} agent:
 * forces written records every {@code sync.interval} under {@code sync.mode=interval}, forces
 * for pending {@code putAsync} futures, and runs policy compaction every {@code
 * compaction.interval} unless paused, and takes two costs of a segment roll off the writers'
 * thread: it creates the next data segment ahead of the roll, and writes the hints of sealed
 * segments after it. Failures are the store's (fail-stop or an abandoned compaction); the agent
 * logs a failed compaction and goes on.
 */
final class BackgroundWork implements Agent {
    private static final System.Logger LOG = System.getLogger("io.mapcask");

    private final Store store;
    private final long syncIntervalNanos;
    private final long compactionIntervalNanos;
    private long nextSync;
    private long nextCompaction;

    /**
     * @param syncIntervalNanos 0 when no interval force is wanted
     * @param compactionIntervalNanos 0 when no background compaction is wanted
     */
    BackgroundWork(Store store, long syncIntervalNanos, long compactionIntervalNanos) {
        this.store = store;
        this.syncIntervalNanos = syncIntervalNanos;
        this.compactionIntervalNanos = compactionIntervalNanos;
        long now = System.nanoTime();
        nextSync = now + syncIntervalNanos;
        nextCompaction = now + compactionIntervalNanos;
    }

    @Override
    public int doWork() {
        int work = 0;
        long now = System.nanoTime();
        if (store.hasPendingAsync() || (syncIntervalNanos > 0 && now - nextSync >= 0)) {
            nextSync = now + syncIntervalNanos;
            work += store.syncInBackground() ? 1 : 0;
        }
        work += store.populateAhead() ? 1 : 0;
        work += store.prepareSpareSegment() ? 1 : 0;
        work += store.writePendingHint() ? 1 : 0;
        if (compactionIntervalNanos > 0 && now - nextCompaction >= 0) {
            nextCompaction = now + compactionIntervalNanos;
            if (!store.compactionPaused()) {
                try {
                    List<Long> compacted = store.compactByPolicy();
                    work += compacted.isEmpty() ? 0 : 1;
                } catch (MapcaskClosedException closing) {
                    return work;
                } catch (MapcaskException e) {
                    LOG.log(System.Logger.Level.WARNING, "background compaction of " + store.dir() + " failed: " + e);
                }
            }
        }
        return work;
    }

    @Override
    public String roleName() {
        return "mapcask-background";
    }
}
