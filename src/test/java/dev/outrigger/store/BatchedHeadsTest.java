package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.outrigger.store.CacheStore.Entry;
import dev.outrigger.testsupport.DelegatingStore;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The confirmations a turn of an event loop asks for go to a real redis-server as one batch, each caller getting
 * its own key's answer; one nobody waits for goes with the next batch or on its own shortly after.
 */
class BatchedHeadsTest {

    static final Duration MINUTE = Duration.ofMinutes(1);

    TestRedis redis;
    Vertx vertx;
    RedisStore redisStore;
    List<Integer> batches;
    BatchedHeads heads;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
        redisStore = new RedisStore(redis.client(), "orc:v1:");
        batches = java.util.Collections.synchronizedList(new ArrayList<>());
        heads = new BatchedHeads(redisStore, batches::add);
    }

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        redis.close();
    }

    /** Runs {@code calls} in one task on an event loop; returns each call's answer, in order. */
    List<CompletableFuture<Optional<Entry>>> inOneTurn(List<java.util.function.Function<BatchedHeads, io.smallrye.mutiny.Uni<Optional<Entry>>>> calls) {
        List<CompletableFuture<Optional<Entry>>> answers = new ArrayList<>();
        calls.forEach(c -> answers.add(new CompletableFuture<>()));
        vertx.runOnContext(v -> {
            for (int i = 0; i < calls.size(); i++) {
                CompletableFuture<Optional<Entry>> answer = answers.get(i);
                calls.get(i).apply(heads).subscribe().with(answer::complete, answer::completeExceptionally);
            }
        });
        return answers;
    }

    static Optional<Entry> answer(CompletableFuture<Optional<Entry>> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void theConfirmationsOfOneTurnGoAsOneBatchAndEachCallerGetsItsOwnKey() throws Exception {
        List<java.util.function.Function<BatchedHeads, io.smallrye.mutiny.Uni<Optional<Entry>>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i % 2 == 0) {
                redisStore.put("k" + i, new byte[] {(byte) i, 1, 2, 3}, MINUTE).await().atMost(MINUTE);
            }
            String key = "k" + i;
            calls.add(h -> h.readHead(key, 2));
        }

        List<CompletableFuture<Optional<Entry>>> answers = inOneTurn(calls);

        for (int i = 0; i < 40; i++) {
            Optional<Entry> head = answer(answers.get(i));
            if (i % 2 == 0) {
                assertArrayEquals(new byte[] {(byte) i, 1}, head.orElseThrow().value(), "k" + i);
            } else {
                assertFalse(head.isPresent(), "k" + i + " was never stored");
            }
        }
        assertEquals(List.of(40), batches, "one round trip for the turn's 40 confirmations");
    }

    @Test
    void aConfirmationNobodyWaitsForGoesWithTheNextWaitedForOneOrOnItsOwn() throws Exception {
        redisStore.put("lazy", new byte[] {7}, MINUTE).await().atMost(MINUTE);
        redisStore.put("urgent", new byte[] {8}, MINUTE).await().atMost(MINUTE);

        List<CompletableFuture<Optional<Entry>>> both = inOneTurn(List.of(h -> h.readHeadLater("lazy", 1), h -> h.readHead("urgent", 1)));
        assertArrayEquals(new byte[] {7}, answer(both.get(0)).orElseThrow().value());
        assertArrayEquals(new byte[] {8}, answer(both.get(1)).orElseThrow().value());
        assertEquals(List.of(2), batches, "the waited-for one carried the other");

        CompletableFuture<Optional<Entry>> alone = inOneTurn(List.of(h -> h.readHeadLater("lazy", 1))).get(0);
        assertArrayEquals(new byte[] {7}, answer(alone).orElseThrow().value(), "sent on its own after a moment");
        assertEquals(List.of(2, 1), batches);
    }

    @Test
    void aTurnAskingForMoreThanABatchHoldsSendsSeveral() throws Exception {
        List<java.util.function.Function<BatchedHeads, io.smallrye.mutiny.Uni<Optional<Entry>>>> calls = new ArrayList<>();
        for (int i = 0; i < BatchedHeads.MAX_BATCH + 10; i++) {
            String key = "k" + i;
            calls.add(h -> h.readHead(key, 4));
        }
        for (CompletableFuture<Optional<Entry>> a : inOneTurn(calls)) {
            assertFalse(answer(a).isPresent());
        }
        assertEquals(List.of(BatchedHeads.MAX_BATCH, 10), batches);
    }

    @Test
    void aConfirmationThatBecomesWaitedForGoesAtTheEndOfTheTurn() throws Exception {
        redisStore.put("lazy", new byte[] {7}, MINUTE).await().atMost(MINUTE);
        CompletableFuture<Optional<Entry>> lazy = new CompletableFuture<>();
        CompletableFuture<List<Integer>> sentBeforeTheNextTask = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            heads.readHeadLater("lazy", 1).subscribe().with(lazy::complete, lazy::completeExceptionally);
            heads.hurry(); // a request now waits on it
            // queued after the send hurry() queued: it sees the batch gone (without hurry, the 10 ms timer would not have fired)
            vertx.runOnContext(w -> sentBeforeTheNextTask.complete(List.copyOf(batches)));
        });
        assertEquals(List.of(1), sentBeforeTheNextTask.get(5, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {7}, answer(lazy).orElseThrow().value());
    }

    @Test
    void offAnEventLoopAReadGoesStraightThrough() throws Exception {
        redisStore.put("k", new byte[] {1, 2}, MINUTE).await().atMost(MINUTE);
        assertArrayEquals(new byte[] {1}, heads.readHead("k", 1).await().atMost(MINUTE).orElseThrow().value());
        assertEquals(List.of(), batches);
    }

    @Test
    void aStoreThatAnswersForFewerKeysThanAskedFailsEveryCallerRatherThanLeavingOneWaiting() throws Exception {
        CacheStore short1 = new DelegatingStore(redisStore) {
            @Override
            public io.smallrye.mutiny.Uni<List<Optional<Entry>>> readHeads(List<String> keys, int length) {
                return delegate.readHeads(keys, length).map(all -> all.subList(0, all.size() - 1));
            }
        };
        heads = new BatchedHeads(short1, batches::add);

        for (CompletableFuture<Optional<Entry>> a : inOneTurn(List.of(h -> h.readHead("a", 1), h -> h.readHead("b", 1)))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> answer(a));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void whenTheStoreCannotAnswerEveryCallerOfTheBatchIsToldSo() throws Exception {
        heads = new BatchedHeads(new FailOpenStore(redisStore, Duration.ofMillis(200), Duration.ofMillis(200), 3,
                Duration.ofSeconds(5), Clock.systemUTC(), FailOpenStore.Listener.NONE), batches::add);
        redis.server().kill();

        List<CompletableFuture<Optional<Entry>>> answers = inOneTurn(List.of(h -> h.readHead("a", 1), h -> h.readHead("b", 1),
                h -> h.readHeadLater("c", 1)));

        for (CompletableFuture<Optional<Entry>> a : answers) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> answer(a));
            assertInstanceOf(FailOpenStore.Unavailable.class, e.getCause(), "a failure, not a miss: the caller keeps its copy");
        }
        assertEquals(List.of(3), batches);
    }
}
