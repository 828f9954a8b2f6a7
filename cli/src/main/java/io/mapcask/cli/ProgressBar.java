package io.mapcask.cli;

import io.mapcask.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn with a carriage return at most ten times a second,
 * erased when the work ends. Drawn only on a terminal ({@link Terminal}); otherwise every call
 * is ignored, so piped or redirected output carries no bar.
 */
final class ProgressBar implements ProgressListener, AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final String unit;
    private final boolean enabled;
    private long lastDraw;
    private int drawnWidth;

    /**
     * @param unit "bytes" (shown in MiB) or a noun shown after plain counts, e.g. "keys"
     * @param enabled false: ignore everything
     */
    ProgressBar(PrintWriter err, String label, String unit, boolean enabled) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.enabled = enabled;
    }

    @Override
    public void progress(long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (drawnWidth > 0 && now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) (fraction * WIDTH);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3d%% %s", label, "=".repeat(filled),
                " ".repeat(WIDTH - filled), (int) (fraction * 100), amount(done, total));
        err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
        err.flush();
        drawnWidth = Math.max(drawnWidth, line.length());
    }

    private String amount(long done, long total) {
        if (unit.equals("bytes")) {
            return String.format(Locale.ROOT, "%.1f / %.1f MiB", done / 1048576.0, total / 1048576.0);
        }
        return done + " / " + total + " " + unit;
    }

    /** Erases the bar, so that what follows starts on a clean line. */
    @Override
    public void close() {
        if (drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }
}
