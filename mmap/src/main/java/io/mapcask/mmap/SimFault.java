package io.mapcask.mmap;

/** An IO error that a {@link SimHook} can inject into one {@link SimFs} operation. */
public enum SimFault {
    /** errno 5: the device failed. */
    EIO(5, "EIO: input/output error"),
    /** errno 28: no space left. Typical for {@link SimOpKind#ALLOCATE} and {@link SimOpKind#WRITE}. */
    ENOSPC(28, "ENOSPC: the disk is full");

    private final int errno;
    private final String text;

    SimFault(int errno, String text) {
        this.errno = errno;
        this.text = text;
    }

    public int errno() {
        return errno;
    }

    /** The text that the exception message carries, e.g. {@code "ENOSPC: the disk is full"}. */
    public String text() {
        return text;
    }
}
