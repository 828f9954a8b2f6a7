package io.mapcask.kafka.streams;

import io.mapcask.MapcaskOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.utils.Bytes;

/**
 * Opens stores outside a topology, on the state-store context of Kafka's {@link
 * MockProcessorContext} (task 0_0, a state directory of the test's choosing), and keeps the
 * restore callback a store registers, so that tests can feed it changelog records.
 */
final class StoreFixture {
    final MockProcessorContext<Object, Object> processorContext;
    private final StateStoreContext context;
    private StateRestoreCallback restoreCallback;

    /** @param processingGuarantee {@code at_least_once} or {@code exactly_once_v2} */
    StoreFixture(Path stateDir, String processingGuarantee, boolean transactionalStores) {
        Properties config = new Properties();
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        config.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, Boolean.toString(transactionalStores));
        processorContext = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        context = new RecordingContext(processorContext.getStateStoreContext());
    }

    StoreFixture(Path stateDir) {
        this(stateDir, StreamsConfig.AT_LEAST_ONCE, false);
    }

    /** @return an initialised Mapcask store named {@code name} with {@code options} (null: system properties) */
    MapcaskKeyValueStore mapcask(String name, MapcaskOptions options) {
        MapcaskKeyValueStore store = (MapcaskKeyValueStore) (options == null
                ? MapcaskStores.keyValueStore(name) : MapcaskStores.keyValueStore(name, options)).get();
        store.init(context, store);
        return store;
    }

    MapcaskKeyValueStore mapcask(String name) {
        return mapcask(name, null);
    }

    /** @return an initialised RocksDB store of Kafka Streams, the reference the Mapcask store is held to */
    KeyValueStore<Bytes, byte[]> rocksDb(String name) {
        KeyValueStore<Bytes, byte[]> store = Stores.persistentKeyValueStore(name).get();
        store.init(context, store);
        return store;
    }

    /** Feeds {@code records} to the restore callback the last initialised store registered. */
    void restore(Collection<ConsumerRecord<byte[], byte[]>> records) {
        ((RecordBatchingStateRestoreCallback) restoreCallback).restoreBatch(records);
    }

    /** Delegates to the mock's context and keeps the restore callback. */
    private final class RecordingContext implements StateStoreContext {
        private final StateStoreContext inner;

        RecordingContext(StateStoreContext inner) {
            this.inner = inner;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback) {
            restoreCallback = callback;
            inner.register(store, callback);
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback, CommitCallback commitCallback) {
            restoreCallback = callback;
            inner.register(store, callback, commitCallback);
        }

        @Override
        public String applicationId() {
            return inner.applicationId();
        }

        @Override
        public TaskId taskId() {
            return inner.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return inner.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return inner.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return inner.valueSerde();
        }

        @Override
        public File stateDir() {
            return inner.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return inner.metrics();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return inner.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return inner.appConfigsWithPrefix(prefix);
        }
    }
}
