package io.mapcask;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Mapcask#verify(Path)} found. {@link #problems()} are damage that no run of Mapcask,
 * crashed or not, can leave (a bad record in a sealed segment or below the durable mark, a hint
 * that disagrees with its segment, a damaged manifest edit followed by others, a missing file);
 * {@link #warnings()} are states a crash or a running writer leaves and recovery handles (a torn
 * tail above the durable mark, a torn last manifest edit, orphan files, a missing hint).
 *
 * @param problems damage, each with its file and byte offset; empty when the store verified
 * @param warnings crash leftovers that the next {@code open} repairs, each with file and offset
 * @param segmentsChecked live data segments checked
 * @param recordsChecked records whose CRC was checked
 * @param hintsChecked hint files cross-checked with their segments
 * @param bytesChecked bytes of data segments and hints read
 */
public record VerificationReport(List<Finding> problems, List<Finding> warnings, int segmentsChecked,
        long recordsChecked, int hintsChecked, long bytesChecked) {

    /**
     * One finding.
     *
     * @param file the file concerned
     * @param offset byte offset in {@code file} of the first byte concerned (the start of the
     *     record, entry or field), or -1 when it concerns the whole file
     * @param message what is wrong
     */
    public record Finding(Path file, long offset, String message) {
        /** @return {@code file at offset n: message} */
        @Override
        public String toString() {
            return file + (offset >= 0 ? " at offset " + offset : "") + ": " + message;
        }
    }

    /** Copies the lists. */
    public VerificationReport {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** @return true when no problem was found (warnings allowed) */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** @return one line: the counts and the verdict */
    @Override
    public String toString() {
        return "checked " + segmentsChecked + " segments, " + recordsChecked + " records, " + hintsChecked + " hints, "
                + MapcaskStats.bytes(bytesChecked) + ": " + (ok() ? "OK" : problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s")) + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning"
                + (warnings.size() == 1 ? "" : "s"));
    }
}
