package io.mapcask.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process talks to a person: progress bars are drawn only then. */
final class Terminal {
    private Terminal() {
    }

    /** @return true when stdin/stdout are a terminal and stderr (where bars are drawn) is one too */
    static boolean interactive() {
        Console console = System.console();
        return interactive(console != null && console.isTerminal(), stderrTarget());
    }

    /**
     * @param consoleIsTerminal what {@link Console#isTerminal()} says (it looks at stdin and stdout)
     * @param stderrTarget where file descriptor 2 points ({@code /proc/self/fd/2}), or null when unknown
     */
    static boolean interactive(boolean consoleIsTerminal, String stderrTarget) {
        if (!consoleIsTerminal) {
            return false;
        }
        return stderrTarget == null || stderrTarget.startsWith("/dev/pts/") || stderrTarget.startsWith("/dev/tty");
    }

    private static String stderrTarget() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // not Linux: trust the console
        }
    }
}
