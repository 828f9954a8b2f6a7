/**
 * Internal: how bytes reach the disk. Not a public API; it may change in any release.
 *
 * <p>This package maps files into {@link java.lang.foreign.MemorySegment}s, forces ranges of
 * them, fsyncs files and directories, preallocates, renames, unlinks and locks. It knows
 * nothing of keys, records or compaction. The engine performs every IO through {@link
 * io.mapcask.mmap.Fs}, so that a fault-injecting implementation can record each write,
 * force, fsync, rename and unlink, and simulate a power loss.
 */
package io.mapcask.mmap;
