package io.mapcask.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * How keys and values are written on the command line and printed. {@link #TEXT} round-trips
 * any bytes: UTF-8, with backslash escapes for what a line cannot hold ({@code \\ \t \n \r},
 * {@code \xNN} for other control bytes and for bytes that are not UTF-8), so that a dump line
 * is always {@code key<TAB>value<NEWLINE>} and its text can be given back to {@code get}.
 */
enum ByteFormat {
    /** UTF-8 with backslash escapes. */
    TEXT,
    /** Lowercase hexadecimal, two digits a byte. */
    HEX,
    /** The bytes themselves (printing a value only; as input, the argument's UTF-8 bytes). */
    RAW;

    private static final HexFormat HEX_FORMAT = HexFormat.of();

    /** @throws IllegalArgumentException naming what is malformed */
    byte[] parse(String s) {
        return switch (this) {
            case HEX -> {
                try {
                    yield HEX_FORMAT.parseHex(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + s + "' is not hexadecimal (two digits a byte): "
                            + e.getMessage(), e);
                }
            }
            case RAW -> s.getBytes(StandardCharsets.UTF_8);
            case TEXT -> unescape(s);
        };
    }

    /** @return the bytes as one line's worth of text (not for {@link #RAW}) */
    String format(byte[] b) {
        return switch (this) {
            case HEX -> HEX_FORMAT.formatHex(b);
            case TEXT -> escape(b);
            case RAW -> throw new IllegalStateException("raw bytes are written, not formatted");
        };
    }

    private static String escape(byte[] b) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException notUtf8) {
            text = null;
        }
        StringBuilder sb = new StringBuilder(b.length);
        if (text != null) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (!escapeAscii(sb, c)) {
                    sb.append(c);
                }
            }
        } else {
            for (byte x : b) {
                int c = x & 0xFF;
                if (c >= 0x80) {
                    sb.append(String.format("\\x%02x", c));
                } else if (!escapeAscii(sb, (char) c)) {
                    sb.append((char) c);
                }
            }
        }
        return sb.toString();
    }

    /** @return true when {@code c} needed an escape, which was appended */
    private static boolean escapeAscii(StringBuilder sb, char c) {
        switch (c) {
            case '\\' -> sb.append("\\\\");
            case '\t' -> sb.append("\\t");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            default -> {
                if (c < 0x20 || c == 0x7F) {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] unescape(String s) {
        ByteBuffer out = ByteBuffer.allocate(s.length() * 4);
        CharBuffer plain = CharBuffer.allocate(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                plain.put(c);
                continue;
            }
            flush(plain, out);
            if (i + 1 >= s.length()) {
                throw new IllegalArgumentException("'" + s + "' ends with a lone backslash (write \\\\ for one)");
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\\' -> out.put((byte) '\\');
                case 't' -> out.put((byte) '\t');
                case 'n' -> out.put((byte) '\n');
                case 'r' -> out.put((byte) '\r');
                case 'x' -> {
                    try {
                        out.put((byte) HexFormat.fromHexDigits(s, i + 1, i + 3));
                    } catch (IndexOutOfBoundsException | IllegalArgumentException bad) {
                        throw new IllegalArgumentException("'" + s + "': \\x needs two hexadecimal digits", bad);
                    }
                    i += 2;
                }
                default -> throw new IllegalArgumentException("'" + s + "': unknown escape \\" + e
                        + " (known: \\\\ \\t \\n \\r \\xNN)");
            }
        }
        flush(plain, out);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static void flush(CharBuffer plain, ByteBuffer out) {
        plain.flip();
        out.put(StandardCharsets.UTF_8.encode(plain));
        plain.clear();
    }
}
