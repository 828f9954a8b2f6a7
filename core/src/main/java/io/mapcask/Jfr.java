package io.mapcask;

import jdk.jfr.FlightRecorder;

/**
 * The gate in front of every Mapcask JFR event ({@code io.mapcask.*}). Initializing a {@link
 * jdk.jfr.Event} class registers it with the Flight Recorder, which costs about 100 ms the first
 * time in a JVM that never started JFR (measured on JDK 25); so no event class is touched until
 * JFR has been initialized (a recording started with {@code -XX:StartFlightRecording}, {@code
 * jcmd JFR.start} or {@link jdk.jfr.Recording}). After that an event costs a few nanoseconds when
 * no recording enables it. A runtime without the {@code jdk.jfr} module emits nothing.
 */
final class Jfr {
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Jfr() {
    }

    /** @return true when events may be recorded; false means: do not create an event object */
    static boolean on() {
        return PRESENT && FlightRecorder.isInitialized();
    }
}
