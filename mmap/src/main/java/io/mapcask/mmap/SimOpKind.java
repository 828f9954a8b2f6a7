package io.mapcask.mmap;

/**
 * The kinds of {@link SimOp}: one per method of {@link Fs}, {@link FileHandle}, {@link
 * MappedRegion} and {@link DirectoryLock} (creating open distinguishes {@link #CREATE} of a new
 * name from {@link #OPEN} of an existing one). Writes through a mapping are not calls and have
 * no kind; they show up as dirty pages at the next {@link #FORCE} or {@link #SYNC}, or in a crash
 * image.
 */
public enum SimOpKind {
    CREATE_DIRECTORIES(true, true),
    IS_DIRECTORY(false, false),
    EXISTS(false, false),
    LIST(false, true),
    /** {@link Fs#open} with {@code create} of a name that does not exist yet. */
    CREATE(true, true),
    /** {@link Fs#open} of an existing name. */
    OPEN(false, true),
    OPEN_READ_ONLY(false, true),
    RENAME(true, true),
    /** {@link Fs#link}: a second name for an existing file. */
    LINK(true, true),
    DELETE(true, true),
    DIR_SYNC(true, true),
    /** {@link Fs#lock}; creates the lock file when it is missing. */
    LOCK(true, true),
    /** {@link DirectoryLock#close()}. */
    UNLOCK(false, true),
    SIZE(false, true),
    READ(false, true),
    WRITE(true, true),
    ALLOCATE(true, true),
    TRUNCATE(true, true),
    /** {@link FileHandle#sync()}: the file's dirty pages and its size. */
    SYNC(true, true),
    MAP(false, true),
    /** {@link MappedRegion#force}: the dirty pages of the range, not the size. */
    FORCE(true, true),
    /** {@link MappedRegion#close()}. */
    UNMAP(false, false),
    /** {@link FileHandle#close()}. */
    CLOSE(false, true);

    private final boolean changesState;
    private final boolean canFail;

    SimOpKind(boolean changesState, boolean canFail) {
        this.changesState = changesState;
        this.canFail = canFail;
    }

    /**
     * True when the op can change what the file system holds (live or durable). The crash state
     * right before another op equals the one right after the previous op, except for writes made
     * through mappings in between (those only matter at the next {@code FORCE}, {@code SYNC} or
     * crash), so enumeration tests may restrict crash points to these kinds.
     */
    public boolean changesState() {
        return changesState;
    }

    /**
     * True when the method declares {@link java.io.IOException}, so an injected {@link SimFault}
     * can make it fail. A fault returned for another kind is ignored.
     */
    public boolean canFail() {
        return canFail;
    }
}
