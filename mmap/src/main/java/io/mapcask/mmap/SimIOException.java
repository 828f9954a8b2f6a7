package io.mapcask.mmap;

import java.io.IOException;

/**
 * The {@link IOException} that {@link SimFs} throws for an injected {@link SimFault} (or for a
 * full simulated disk, see {@link SimFs#setSpaceLimit(long)}). The engine sees a plain {@code
 * IOException}; tests can check {@link #fault()} and {@link #op()}.
 */
public final class SimIOException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient SimOp op;
    private final SimFault fault;
    private final boolean injected;

    SimIOException(SimOp op, SimFault fault, boolean injected) {
        super(op.path() + ": " + op.kind() + " failed with errno " + fault.errno() + " (" + fault.text() + ")"
                + (injected ? ", injected by SimFs at op #" + op.index() : ", SimFs space limit reached at op #" + op.index()));
        this.op = op;
        this.fault = fault;
        this.injected = injected;
    }

    public SimOp op() {
        return op;
    }

    public SimFault fault() {
        return fault;
    }

    /** True when a {@link SimHook} injected it, false when the simulated disk was really full. */
    public boolean injected() {
        return injected;
    }
}
