package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that the crash suite can fail (CRASH-TESTING §5): each {@link ProtocolMutant} breaks
 * one step of the protocol, and the crash suite must then report a violation: the crash
 * enumeration, or for damage that no crash can cause (a bad record below the durable mark) the
 * corruption campaign.
 */
class ProtocolMutantTest {
    @TempDir
    Path root;

    @AfterEach
    void restore() {
        ProtocolMutant.active = ProtocolMutant.NONE;
    }

    @Test
    void shouldCatchEveryProtocolMutant() throws IOException {
        CorruptionCampaign corruption = new CorruptionCampaign(root);
        Map<ProtocolMutant, String> caught = new TreeMap<>();
        List<ProtocolMutant> missed = new ArrayList<>();
        for (ProtocolMutant m : ProtocolMutant.values()) {
            if (m == ProtocolMutant.NONE) {
                continue;
            }
            ProtocolMutant.active = m;
            String failure = null;
            try {
                for (CrashHarness.Workload w : CrashEnumerationTest.workloads()) {
                    CrashHarness.enumerate(w, 1L, 0);
                }
                corruption.run(1_000, 7L);
            } catch (AssertionError e) {
                failure = e.getMessage();
            } finally {
                ProtocolMutant.active = ProtocolMutant.NONE;
            }
            if (failure == null) {
                missed.add(m);
            } else {
                caught.put(m, failure.length() > 300 ? failure.substring(0, 300) + "..." : failure);
            }
        }
        caught.forEach((m, f) -> System.out.println("mutant " + m + " caught: " + f));
        System.out.println("protocol mutants caught: " + caught.size() + "/" + (caught.size() + missed.size())
                + (missed.isEmpty() ? "" : ", missed " + missed));
        assertEquals(List.of(), missed, "mutants the crash suite did not catch");
    }
}
