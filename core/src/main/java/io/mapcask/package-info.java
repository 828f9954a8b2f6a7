/**
 * Mapcask: an embeddable, crash-safe key-value store on memory-mapped segments.
 *
 * <p><b>Priorities</b>, in order: crash safety (no acknowledged write lost, no deleted key
 * back, no foreign bytes returned, after any crash), then latency of {@code get} and {@code
 * put}, then throughput.
 *
 * <p><b>Public surface</b>: {@link io.mapcask.Mapcask}, {@link io.mapcask.MapcaskOptions},
 * {@link io.mapcask.MapcaskConfig} and {@link io.mapcask.MapcaskException} with its
 * subclasses; for operators the snapshots {@link io.mapcask.MapcaskStats} (with {@link
 * io.mapcask.SegmentStats} and {@link io.mapcask.RecoveryReport}) and {@link
 * io.mapcask.VerificationReport}, and {@link io.mapcask.ProgressListener}. Everything else in
 * this package is internal, the {@code io.mapcask.*} JFR event classes included (their names
 * and fields are the contract, see {@code docs/operations.md}).
 *
 * <p><b>Hot paths</b>: {@code get} hashes the key, probes the off-heap {@code Keydir}, confirms
 * the key against the mapped record and copies the value out; {@code put} appends one record
 * into the active segment's mapping and publishes its location in the keydir. Neither
 * allocates (beyond the returned value), logs, boxes or uses lambdas.
 *
 * <p><b>Threads</b>: every method is thread-safe. {@code get} takes no lock and runs
 * concurrently with writers, segment rotation, compaction and {@code close()}; a reader that
 * meets a segment being unmapped retries through the keydir, and after {@code close()} it gets
 * {@link io.mapcask.MapcaskClosedException}. Writers ({@code put}, {@code delete}, {@code
 * write}, conditional writes) serialize on one write lock for the length of an append; under
 * {@code sync.mode=group} they wait for durability outside it, sharing forces. {@code compact()}
 * (and background compaction, on its own thread) copies without that lock and takes it only to
 * commit and repoint; one compaction runs at a time, and it waits for running iterations
 * ({@code forEach}) before it unmaps segments. {@code backup()} takes the write lock for one
 * force, then links and copies without it while holding off compactions (one backup or
 * compaction at a time). {@code close()} stops the background thread, then takes the write
 * lock (and writes the keydir checkpoint under it).
 *
 * <p><b>Errors</b>: bad arguments throw {@link java.lang.NullPointerException} or {@link
 * java.lang.IllegalArgumentException} naming the argument and the limit, and change nothing.
 * Everything else is an unchecked {@link io.mapcask.MapcaskException}. After an IO failure on
 * the write path the instance is fail-stop: writes and {@code sync()} throw {@link
 * io.mapcask.MapcaskIOException} carrying the original cause until the store is reopened;
 * reads continue. A failed fsync is never retried and reported as success.
 */
package io.mapcask;
