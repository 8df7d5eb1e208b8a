package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which Redis set-ups get writes announced in their own transaction (see {@link Producers#announcingStore}). */
class AnnouncingStoreChoiceTest {

    static boolean announcing(String clientType, String replicas) {
        Producers p = new Producers();
        p.redisClientType = clientType;
        p.redisReplicas = replicas;
        return p.announcingStore();
    }

    @Test
    void oneServerOrSentinelOrReplicationReadingFromThePrimaryAnnounceInTheWrite() {
        assertEquals(true, announcing("standalone", "never"));
        assertEquals(true, announcing("sentinel", "never"));
        assertEquals(true, announcing(" Replication ", "NEVER"));
    }

    @Test
    void aClusterOrAReplicationClientThatMaySendReadsToReplicasAnnounceApart() {
        assertEquals(false, announcing("cluster", "never"));
        assertEquals(false, announcing("replication", "share"));
        assertEquals(false, announcing("replication", "always"));
    }
}
