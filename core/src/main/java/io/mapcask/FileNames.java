package io.mapcask;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names of the files a store directory holds; anything else in the directory is never touched. */
final class FileNames {
    static final String LOCK = "LOCK";
    static final String CURRENT = "CURRENT";
    static final String CURRENT_TEMP = "CURRENT.tmp";
    /** The keydir checkpoint written at close ({@link KeydirCheckpoint}). */
    static final String KEYDIR = "KEYDIR";
    static final String KEYDIR_TEMP = "KEYDIR.tmp";
    private static final Pattern DATA = Pattern.compile("(\\d{6,19})\\.data");
    private static final Pattern HINT = Pattern.compile("(\\d{6,19})\\.hint");
    private static final Pattern MANIFEST = Pattern.compile("MANIFEST-(\\d{6,19})");

    private FileNames() {
    }

    static String data(long id) {
        return String.format("%06d.data", id);
    }

    static String hint(long id) {
        return String.format("%06d.hint", id);
    }

    static String manifest(long number) {
        return String.format("MANIFEST-%06d", number);
    }

    static Path data(Path dir, long id) {
        return dir.resolve(data(id));
    }

    static Path hint(Path dir, long id) {
        return dir.resolve(hint(id));
    }

    /** @return the segment id of a data file name, or -1 */
    static long dataId(String name) {
        return number(DATA.matcher(name));
    }

    /** @return the segment id of a hint file name, or -1 */
    static long hintId(String name) {
        return number(HINT.matcher(name));
    }

    /** @return the number of a manifest file name, or -1 */
    static long manifestNumber(String name) {
        return number(MANIFEST.matcher(name));
    }

    /** True for every name a Mapcask store creates. */
    static boolean isStoreFile(String name) {
        return name.equals(LOCK) || name.equals(CURRENT) || name.equals(CURRENT_TEMP)
                || name.equals(KEYDIR) || name.equals(KEYDIR_TEMP) || dataId(name) >= 0 || hintId(name) >= 0 || manifestNumber(name) >= 0;
    }

    private static long number(Matcher m) {
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
