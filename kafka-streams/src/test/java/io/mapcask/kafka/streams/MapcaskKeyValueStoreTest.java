package io.mapcask.kafka.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class MapcaskKeyValueStoreTest {
    private static final TopicPartition CHANGELOG = new TopicPartition("app-store-changelog", 0);

    @TempDir
    Path stateDir;

    static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(UTF_8));
    }

    static byte[] value(String s) {
        return s.getBytes(UTF_8);
    }

    static List<String> keysOf(KeyValueIterator<Bytes, byte[]> it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> keys.add(new String(kv.key.get(), UTF_8)));
        }
        return keys;
    }

    @Test
    void shouldReadItsWritesBeforeAndAfterCommitAndReturnTheOldValueFromDelete() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        store.put(key("a"), value("1"));
        assertArrayEquals(value("1"), store.get(key("a")));
        store.commit(Map.of(CHANGELOG, 0L));
        assertArrayEquals(value("1"), store.get(key("a")));
        store.put(key("b"), new byte[0]);
        assertArrayEquals(new byte[0], store.get(key("b")), "an empty value is a value");
        assertArrayEquals(value("1"), store.delete(key("a")));
        assertNull(store.get(key("a")));
        assertNull(store.delete(key("a")), "deleting an absent key returns null");
        store.put(key("b"), null);
        assertNull(store.get(key("b")), "a null value deletes");
        store.commit(Map.of(CHANGELOG, 1L));
        assertNull(store.get(key("a")));
        assertNull(store.get(key("b")));
        store.close();
    }

    @Test
    void shouldPutIfAbsentOnlyWhenAbsentAndReturnTheOldValue() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        assertNull(store.putIfAbsent(key("k"), value("1")));
        assertArrayEquals(value("1"), store.putIfAbsent(key("k"), value("2")));
        assertArrayEquals(value("1"), store.get(key("k")));
        assertNull(store.putIfAbsent(key("n"), null));
        assertNull(store.get(key("n")));
        store.close();
    }

    @Test
    void shouldWritePutAllAsOneAtomicBatchAndRefuseOneThatCannotBe() {
        MapcaskOptions small = MapcaskOptions.builder().segmentSize(64 << 10).build();
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s", small);
        store.put(key("gone"), value("x"));
        store.putAll(List.of(KeyValue.pair(key("a"), value("1")), KeyValue.pair(key("b"), value("2")),
                KeyValue.pair(key("gone"), null)));
        assertEquals(List.of("a", "b"), keysOf(store.all()));

        List<KeyValue<Bytes, byte[]>> tooLarge = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            tooLarge.add(KeyValue.pair(key("big" + i), new byte[1000]));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.putAll(tooLarge));
        assertTrue(e.getMessage().contains("mapcask.segment.size"), e.getMessage());
        assertEquals(List.of("a", "b"), keysOf(store.all()), "nothing of a refused putAll is stored");

        List<KeyValue<Bytes, byte[]>> withNullKey = new ArrayList<>();
        withNullKey.add(KeyValue.pair(key("c"), value("3")));
        withNullKey.add(KeyValue.pair(null, value("4")));
        assertThrows(NullPointerException.class, () -> store.putAll(withNullKey));
        assertNull(store.get(key("c")), "nothing of a putAll with a null key is stored");
        store.close();
    }

    @Test
    void shouldKeepCommittedStateAndOffsetsAcrossReopenAndDropUncommittedWrites() {
        StoreFixture fixture = new StoreFixture(stateDir);
        MapcaskKeyValueStore store = fixture.mapcask("s");
        assertNull(store.committedOffset(CHANGELOG));
        store.put(key("a"), value("1"));
        store.put(key("b"), value("2"));
        store.commit(Map.of(CHANGELOG, 41L));
        store.put(key("a"), value("changed"));
        store.delete(key("b"));
        store.put(key("c"), value("3"));
        store.close(); // no commit: a dirty close, or what a crash leaves

        MapcaskKeyValueStore reopened = fixture.mapcask("s");
        assertEquals(41L, reopened.committedOffset(CHANGELOG));
        assertArrayEquals(value("1"), reopened.get(key("a")));
        assertArrayEquals(value("2"), reopened.get(key("b")));
        assertNull(reopened.get(key("c")));
        assertEquals(List.of("a", "b"), keysOf(reopened.all()));

        reopened.commit(Map.of(CHANGELOG, 50L, new TopicPartition("other", 3), 7L));
        reopened.commit(Map.of(new TopicPartition("other", 3), 8L));
        reopened.close();
        MapcaskKeyValueStore again = fixture.mapcask("s");
        assertEquals(50L, again.committedOffset(CHANGELOG), "a commit keeps the offsets of partitions it does not name");
        assertEquals(8L, again.committedOffset(new TopicPartition("other", 3)));
        again.commit(Map.of());
        assertNull(again.committedOffset(CHANGELOG), "an empty commit forgets every offset");
        again.close();
        MapcaskKeyValueStore last = fixture.mapcask("s");
        assertNull(last.committedOffset(CHANGELOG));
        assertEquals(List.of("a", "b"), keysOf(last.all()));
        last.close();
    }

    @Test
    void shouldLeaveTheDataAndTheOffsetsOfACommitInMapcaskUnderItsKeyLayout() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        store.put(key("a"), value("1"));
        store.commit(Map.of(CHANGELOG, 9L));
        store.close();
        try (Mapcask db = Mapcask.open(stateDir.resolve(MapcaskKeyValueStore.DIRECTORY).resolve("s"))) {
            assertArrayEquals(value("1"), db.get(StoreLayout.storedKey(value("a"))));
            assertEquals(Map.of(CHANGELOG, 9L),
                    StoreLayout.decodeOffsets(db.get(StoreLayout.OFFSETS_KEY), "committed offsets"));
            assertFalse(db.containsKey(StoreLayout.DIRTY_KEY));
        }
    }

    @Test
    void shouldHideItsOwnEntriesFromScansAndCounts() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        store.put(key("a"), value("1"));
        store.put(key("b"), value("2"));
        store.put(Bytes.wrap(new byte[0]), value("empty key"));
        store.commit(Map.of(CHANGELOG, 3L));
        assertEquals(List.of("", "a", "b"), keysOf(store.all()));
        assertEquals(List.of("b", "a", ""), keysOf(store.reverseAll()));
        assertEquals(3, store.approximateNumEntries());
        store.put(key("c"), value("3"));
        store.delete(key("a"));
        store.put(key("b"), value("2'"));
        assertEquals(3, store.approximateNumEntries(), "buffered writes are counted");
        assertArrayEquals(value("empty key"), store.get(Bytes.wrap(new byte[0])));
        store.close();
    }

    @Test
    void shouldGiveIteratorsThatPeekAndEndAndStayStableWhileTheStoreChanges() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        for (String k : List.of("a", "b", "c", "d")) {
            store.put(key(k), value(k));
        }
        store.commit(Map.of(CHANGELOG, 0L));
        KeyValueIterator<Bytes, byte[]> it = store.all();
        assertEquals(key("a"), it.peekNextKey());
        List<String> seen = new ArrayList<>();
        while (it.hasNext()) {
            KeyValue<Bytes, byte[]> kv = it.next();
            seen.add(new String(kv.key.get(), UTF_8));
            store.delete(kv.key); // the usual purge loop of a processor
            store.put(key("z" + seen.size()), value("new"));
        }
        assertEquals(List.of("a", "b", "c", "d"), seen);
        assertThrows(NoSuchElementException.class, it::next);
        assertThrows(NoSuchElementException.class, it::peekNextKey);
        it.close();
        it.close();
        assertThrows(InvalidStateStoreException.class, it::hasNext);
        assertEquals(List.of("z1", "z2", "z3", "z4"), keysOf(store.all()));

        KeyValueIterator<Bytes, byte[]> open = store.range(key("z1"), key("z3"));
        store.close();
        assertThrows(InvalidStateStoreException.class, open::hasNext, "an iterator dies with its store");
    }

    @Test
    void shouldScanPrefixesIncludingThoseEndingInFf() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        byte[][] keys = {{0x01}, {0x01, (byte) 0xff}, {0x01, (byte) 0xff, 0x00}, {0x02}, {0x02, 0x00}, {(byte) 0xff},
            {(byte) 0xff, (byte) 0xff}};
        for (byte[] k : keys) {
            store.put(Bytes.wrap(k), k);
        }
        assertEquals(List.of(Bytes.wrap(new byte[] {0x01, (byte) 0xff}), Bytes.wrap(new byte[] {0x01, (byte) 0xff, 0x00})),
                keyList(store.prefixScan(Bytes.wrap(new byte[] {0x01, (byte) 0xff}), new BytesSerializer())));
        assertEquals(2, keyList(store.prefixScan(Bytes.wrap(new byte[] {(byte) 0xff}), new BytesSerializer())).size());
        assertEquals(keys.length, keyList(store.prefixScan(Bytes.wrap(new byte[0]), new BytesSerializer())).size());
        assertEquals(List.of("ab"), keysOf(storeWith(List.of("a", "ab", "b")).prefixScan("ab", new StringSerializer())));
        store.close();
    }

    private MapcaskKeyValueStore storeWith(List<String> keys) {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("with-" + keys.size());
        keys.forEach(k -> store.put(key(k), value(k)));
        return store;
    }

    static List<Bytes> keyList(KeyValueIterator<Bytes, byte[]> it) {
        List<Bytes> keys = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    void shouldRefuseKeysAndValuesOverTheLimitsNamingThem() {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(1 << 20).maxValueSize(1000).build();
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s", options);
        Bytes longest = Bytes.wrap(new byte[options.maxKeySize() - 1]);
        store.put(longest, value("fits"));
        assertArrayEquals(value("fits"), store.get(longest));
        Bytes tooLong = Bytes.wrap(new byte[options.maxKeySize()]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.put(tooLong, value("x")));
        assertTrue(e.getMessage().contains("mapcask.max.key.size"), e.getMessage());
        assertNull(store.get(tooLong), "a key no write can store is absent");
        e = assertThrows(IllegalArgumentException.class, () -> store.put(key("v"), new byte[1001]));
        assertTrue(e.getMessage().contains("mapcask.max.value.size"), e.getMessage());
        assertNull(store.get(key("v")));
        store.close();
    }

    @Test
    void shouldThrowForNullKeysWhatRocksDbThrows() {
        StoreFixture fixture = new StoreFixture(stateDir);
        KeyValueStore<Bytes, byte[]> rocks = fixture.rocksDb("rocks");
        MapcaskKeyValueStore mapcask = fixture.mapcask("mapcask");
        List<KeyValue<Bytes, byte[]>> nullKeyEntry = new ArrayList<>();
        nullKeyEntry.add(KeyValue.pair(null, value("v")));
        for (KeyValueStore<Bytes, byte[]> store : List.<KeyValueStore<Bytes, byte[]>>of(rocks, mapcask)) {
            assertNullKeyGives(rocks, store, s -> s.get(null));
            assertNullKeyGives(rocks, store, s -> s.put(null, value("v")));
            assertNullKeyGives(rocks, store, s -> s.putIfAbsent(null, value("v")));
            assertNullKeyGives(rocks, store, s -> s.delete(null));
            assertNullKeyGives(rocks, store, s -> s.putAll(nullKeyEntry));
        }
        rocks.close();
        mapcask.close();
    }

    private interface StoreCall {
        void call(KeyValueStore<Bytes, byte[]> store);
    }

    private static void assertNullKeyGives(KeyValueStore<Bytes, byte[]> reference, KeyValueStore<Bytes, byte[]> store,
            StoreCall call) {
        Class<? extends Throwable> expected = assertThrows(RuntimeException.class, () -> call.call(reference)).getClass();
        assertEquals(NullPointerException.class, expected);
        assertThrows(expected, () -> call.call(store));
    }

    @Test
    void shouldThrowInvalidStateStoreExceptionForEveryCallAfterCloseAndCloseTwice() {
        MapcaskKeyValueStore store = new StoreFixture(stateDir).mapcask("s");
        store.put(key("a"), value("1"));
        store.close();
        store.close();
        assertFalse(store.isOpen());
        List<Executable> calls = List.of(() -> store.get(key("a")), () -> store.put(key("a"), value("2")),
                () -> store.putIfAbsent(key("b"), value("2")), () -> store.putAll(List.of(KeyValue.pair(key("c"), value("3")))),
                () -> store.delete(key("a")), () -> store.range(key("a"), key("z")), () -> store.reverseRange(key("a"), key("z")),
                store::all, store::reverseAll, () -> store.prefixScan("a", new StringSerializer()),
                store::approximateNumEntries, () -> store.committedOffset(CHANGELOG));
        for (Executable call : calls) {
            assertThrows(InvalidStateStoreException.class, call);
        }
        store.commit(Map.of(CHANGELOG, 1L)); // Kafka Streams' own stores ignore a commit after close, too
    }

    @Test
    void shouldSpillWritesThatOutgrowOneBatchAndReportItselfCorruptedUnderExactlyOnceAfterACrash() {
        MapcaskOptions small = MapcaskOptions.builder().segmentSize(64 << 10).build();
        StoreFixture eos = new StoreFixture(stateDir, StreamsConfig.EXACTLY_ONCE_V2, true);
        MapcaskKeyValueStore store = eos.mapcask("s", small);
        store.put(key("committed"), value("c"));
        store.commit(Map.of(CHANGELOG, 5L));
        for (int i = 0; i < 200; i++) {
            store.put(key("k" + i), new byte[1000]); // 200 KB: more than one 64 KiB segment holds
        }
        assertArrayEquals(new byte[1000], store.get(key("k0")), "spilled writes stay readable");
        assertEquals(201, store.approximateNumEntries());
        store.close(); // a crash: no commit

        TaskCorruptedException e = assertThrows(TaskCorruptedException.class, () -> eos.mapcask("s", small));
        assertTrue(e.getCause().getMessage().contains("no commit covered"), e.getCause().getMessage());

        // At least once tolerates it: the store opens with the spilled writes and the old offsets,
        // and the next commit makes it clean again.
        StoreFixture alos = new StoreFixture(stateDir);
        MapcaskKeyValueStore tolerant = alos.mapcask("s", small);
        assertEquals(5L, tolerant.committedOffset(CHANGELOG));
        assertArrayEquals(new byte[1000], tolerant.get(key("k0")));
        assertNull(tolerant.get(key("k199")), "the writes still buffered at the crash are gone");
        tolerant.commit(Map.of(CHANGELOG, 6L));
        tolerant.close();
        MapcaskKeyValueStore clean = eos.mapcask("s", small);
        assertEquals(6L, clean.committedOffset(CHANGELOG));
        assertEquals(keysOf(clean.all()).size(), clean.approximateNumEntries());
        clean.close();
    }

    @Test
    void shouldReportUncommittedBytesOnlyWhenKafkaStreamsCommitsTheStoreAtEveryCommit() {
        MapcaskKeyValueStore alos = new StoreFixture(stateDir.resolve("alos")).mapcask("s");
        MapcaskKeyValueStore transactional = new StoreFixture(stateDir.resolve("tx"), StreamsConfig.EXACTLY_ONCE_V2, true)
                .mapcask("s");
        MapcaskKeyValueStore eos = new StoreFixture(stateDir.resolve("eos"), StreamsConfig.EXACTLY_ONCE_V2, false)
                .mapcask("s");
        for (MapcaskKeyValueStore store : List.of(alos, transactional, eos)) {
            store.put(key("a"), new byte[100]);
        }
        assertTrue(alos.approximateNumUncommittedBytes() >= 100);
        assertTrue(transactional.approximateNumUncommittedBytes() >= 100);
        assertEquals(0, eos.approximateNumUncommittedBytes(), "Kafka Streams would commit without committing the store");
        alos.commit(Map.of(CHANGELOG, 1L));
        assertEquals(0, alos.approximateNumUncommittedBytes());
        for (MapcaskKeyValueStore store : List.of(alos, transactional, eos)) {
            store.close();
        }
    }

    @Test
    void shouldRestoreChangelogRecordsInBatchesThatFitASegment() {
        MapcaskOptions small = MapcaskOptions.builder().segmentSize(64 << 10).build();
        StoreFixture fixture = new StoreFixture(stateDir);
        MapcaskKeyValueStore store = fixture.mapcask("s", small);
        store.put(key("old"), value("x"));
        store.commit(Map.of(CHANGELOG, 0L));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // 300 KB: five segments' worth
            records.add(new ConsumerRecord<>(CHANGELOG.topic(), 0, i + 1, value("r" + (i % 150)), new byte[1000]));
        }
        records.add(new ConsumerRecord<>(CHANGELOG.topic(), 0, 301, value("old"), null));
        fixture.restore(records);
        assertNull(store.get(key("old")), "a null value in the changelog deletes");
        assertEquals(150, store.approximateNumEntries());
        assertEquals(0, store.approximateNumUncommittedBytes(), "restored records are written, not buffered");
        store.close();
    }

    @Test
    void shouldTrackThePositionOfProcessedRecordsAndKeepItAcrossReopen() {
        StoreFixture fixture = new StoreFixture(stateDir);
        MapcaskKeyValueStore store = fixture.mapcask("s");
        fixture.processorContext.setRecordMetadata("input", 2, 17L);
        store.put(key("a"), value("1"));
        assertEquals(Position.emptyPosition().withComponent("input", 2, 17L), store.getPosition());
        store.commit(Map.of(CHANGELOG, 0L));
        store.close();
        MapcaskKeyValueStore reopened = fixture.mapcask("s");
        assertEquals(Position.emptyPosition().withComponent("input", 2, 17L), reopened.getPosition());
        reopened.close();
    }

    @Test
    void shouldAnswerKeyAndRangeQueries() {
        StoreFixture fixture = new StoreFixture(stateDir);
        MapcaskKeyValueStore store = fixture.mapcask("s");
        fixture.processorContext.setRecordMetadata("input", 0, 5L);
        for (String k : List.of("a", "b", "c")) {
            store.put(key(k), value(k.toUpperCase()));
        }
        QueryResult<byte[]> hit = store.query(KeyQuery.withKey(key("b")), PositionBound.unbounded(), new QueryConfig(false));
        assertTrue(hit.isSuccess(), hit::toString);
        assertArrayEquals(value("B"), hit.getResult());
        QueryResult<byte[]> miss = store.query(KeyQuery.withKey(key("x")), PositionBound.unbounded(), new QueryConfig(false));
        assertNull(miss.getResult());

        QueryResult<KeyValueIterator<Bytes, byte[]>> range = store.query(RangeQuery.withRange(key("b"), key("c")),
                PositionBound.unbounded(), new QueryConfig(false));
        assertEquals(List.of("b", "c"), keysOf(range.getResult()));
        QueryResult<KeyValueIterator<Bytes, byte[]>> descending = store.query(
                RangeQuery.<Bytes, byte[]>withNoBounds().withDescendingKeys(), PositionBound.unbounded(),
                new QueryConfig(false));
        assertEquals(List.of("c", "b", "a"), keysOf(descending.getResult()));

        QueryResult<byte[]> ahead = store.query(KeyQuery.withKey(key("a")),
                PositionBound.at(Position.emptyPosition().withComponent("input", 0, 6L)), new QueryConfig(false));
        assertFalse(ahead.isSuccess(), "a bound past the store's position is not answered");
        store.close();
    }

    @Test
    void shouldRefuseADirectoryHoldingAnotherMapcaskStore() {
        Path dir = stateDir.resolve(MapcaskKeyValueStore.DIRECTORY).resolve("s");
        try (Mapcask other = Mapcask.open(dir)) {
            other.put(value("foreign"), value("data"));
        }
        ProcessorStateException e = assertThrows(ProcessorStateException.class,
                () -> new StoreFixture(stateDir).mapcask("s"));
        assertTrue(e.getMessage().contains("no MapcaskKeyValueStore wrote"), e.getMessage());
        try (Mapcask other = Mapcask.open(dir)) {
            assertArrayEquals(value("data"), other.get(value("foreign")), "the foreign store is untouched");
        }
    }
}
