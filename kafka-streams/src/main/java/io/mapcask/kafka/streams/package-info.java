/**
 * Mapcask as a persistent key-value state store for Kafka Streams: {@link
 * io.mapcask.kafka.streams.MapcaskStores} supplies {@link
 * io.mapcask.kafka.streams.MapcaskKeyValueStore}s, a drop-in alternative to the RocksDB stores of
 * {@code Stores.persistentKeyValueStore}.
 *
 * <p>The store manages its own changelog offsets (KIP-1035): a commit writes the writes of the
 * interval, the offsets and the position in one atomic Mapcask batch and syncs once, so after a
 * restart or a crash Kafka Streams restores only the changelog after the committed offsets.
 * Mapcask has no ordered index yet: range scans visit every key and sort the matches. See
 * docs/kafka-streams.md for usage, the cost of each operation and measured throughput.
 *
 * <p>Public surface: {@link io.mapcask.kafka.streams.MapcaskStores} and {@link
 * io.mapcask.kafka.streams.MapcaskKeyValueStore}; everything else here is internal.
 */
package io.mapcask.kafka.streams;
