package io.mapcask.mmap;

/**
 * A simulated power loss (or process death) raised by {@link SimFs}. It is an {@link Error} on
 * purpose: the engine must never catch {@code Error}, so the crash unwinds the whole call stack
 * the way a real crash ends the process. Once thrown by a {@link SimFs} (or once {@link
 * SimFs#crash(String)} was called), that file system is frozen: every later operation throws
 * another {@code SimulatedCrash}. Build the next file system with {@link SimFs#crashState()} and
 * {@link CrashState#image}.
 */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String message) {
        super(message);
    }
}
