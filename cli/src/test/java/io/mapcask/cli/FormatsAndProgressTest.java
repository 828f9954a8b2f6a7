package io.mapcask.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The text and hex codecs of keys and values, the progress bar, and when it is drawn. */
class FormatsAndProgressTest {
    private static final long SEED = Long.decode(System.getProperty("mapcask.test.seed", "0x464d5450"));

    @Test
    void shouldRoundTripAnyBytesThroughTextAndHexOnOneLine() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(20)];
            if (i % 2 == 0) {
                rnd.nextBytes(b);
            } else {
                b = ("ü€ " + i + " \t\\\n\r\u0001\u007f").getBytes(StandardCharsets.UTF_8);
            }
            for (ByteFormat f : new ByteFormat[] {ByteFormat.TEXT, ByteFormat.HEX}) {
                String line = f.format(b);
                assertFalse(line.contains("\n") || line.contains("\t") || line.contains("\r"),
                        "[seed=" + SEED + "] one field on one line: " + line);
                assertArrayEquals(b, f.parse(line), "[seed=" + SEED + "] " + f + " of " + line);
            }
        }
        assertEquals("ü€ a\\\\b\\t\\x01", ByteFormat.TEXT.format("ü€ a\\b\t\u0001".getBytes(StandardCharsets.UTF_8)),
                "UTF-8 stays readable");
        assertEquals("a\\xc3b", ByteFormat.TEXT.format(new byte[] {'a', (byte) 0xc3, 'b'}), "not UTF-8: bytes escaped");
        assertArrayEquals("a\\b".getBytes(StandardCharsets.UTF_8), ByteFormat.RAW.parse("a\\b"), "raw: no escapes");
        for (String bad : new String[] {"a\\", "\\q", "\\x", "\\x4", "\\xg0"}) {
            assertThrows(IllegalArgumentException.class, () -> ByteFormat.TEXT.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ByteFormat.HEX.parse("abc"));
    }

    @Test
    void shouldDrawABarOnlyWhenEnabledAndEraseIt() {
        StringWriter sw = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(sw), "verify", "bytes", true)) {
            bar.progress(0, 4 << 20);
            bar.progress(1 << 20, 4 << 20); // within 100 ms of the first: not drawn
            bar.progress(4 << 20, 4 << 20); // the end is always drawn
        }
        String s = sw.toString();
        assertTrue(s.startsWith("\rverify [" + " ".repeat(30) + "]   0% 0.0 / 4.0 MiB"), s);
        assertFalse(s.contains(" 25%"), s);
        assertTrue(s.contains("\rverify [" + "=".repeat(30) + "] 100% 4.0 / 4.0 MiB"), s);
        assertTrue(s.endsWith("\r"), "erased at the end: " + s);

        StringWriter keys = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(keys), "dump", "keys", true)) {
            bar.progress(5, 10);
        }
        assertTrue(keys.toString().contains(" 50% 5 / 10 keys"), keys.toString());

        StringWriter none = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(none), "verify", "bytes", false)) {
            bar.progress(1, 2);
            bar.progress(2, 2);
        }
        assertEquals("", none.toString());
    }

    @Test
    void shouldCountAsInteractiveOnlyWithATerminalOnStdoutAndStderr() {
        assertTrue(Terminal.interactive(true, "/dev/pts/3"));
        assertTrue(Terminal.interactive(true, "/dev/tty1"));
        assertTrue(Terminal.interactive(true, null), "no /proc: the console decides");
        assertFalse(Terminal.interactive(true, "pipe:[12345]"), "stderr piped");
        assertFalse(Terminal.interactive(true, "/tmp/err.log"), "stderr redirected to a file");
        assertFalse(Terminal.interactive(false, "/dev/pts/3"), "stdout piped");
        assertFalse(Terminal.interactive(), "the test JVM has no terminal");
    }
}
