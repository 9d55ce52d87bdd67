package dev.chatws.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code bench/run.sh} rewrites docs/benchmarks.md from its measurements and
 * {@code bench/findings.md}: the page's hand-written section must be that file, or the next run
 * drops whatever was written only in the page (it once dropped 400 lines).
 */
class FindingsTest {

    private static final String HEADING = "## What the numbers say";

    @Test
    void thePagesHandWrittenSectionIsBenchFindings() throws Exception {
        String page = Files.readString(Path.of("docs/benchmarks.md"));
        String findings = Files.readString(Path.of("bench/findings.md"));
        assertTrue(findings.startsWith(HEADING), "bench/findings.md starts with the section's heading");
        int section = page.indexOf("\n" + HEADING);
        assertTrue(section > 0, "docs/benchmarks.md has the hand-written section");
        assertEquals(findings, page.substring(section + 1),
                "edit docs/benchmarks.md's hand-written section and bench/findings.md together");
    }
}
