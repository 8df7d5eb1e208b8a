package dev.outrigger.testsupport;

import dev.outrigger.store.CacheStore;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A real store passed through as it is: a test overrides the one call it holds back, breaks or counts. */
public class DelegatingStore implements CacheStore {

    protected final CacheStore delegate;

    public DelegatingStore(CacheStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Uni<Optional<Entry>> get(String key) {
        return delegate.get(key);
    }

    @Override
    public Uni<Optional<Entry>> readHead(String key, int length) {
        return delegate.readHead(key, length);
    }

    @Override
    public Uni<List<Optional<Entry>>> readHeads(List<String> keys, int length) {
        return delegate.readHeads(keys, length);
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        return delegate.put(key, value, ttl);
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return delegate.remove(key);
    }

    @Override
    public Uni<Boolean> removeAnswered(String key) {
        return delegate.removeAnswered(key);
    }

    @Override
    public boolean announcesWrites() {
        return delegate.announcesWrites();
    }
}
