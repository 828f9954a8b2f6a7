package io.mapcask;

/** A call on a store after {@link Mapcask#close()}. */
public final class MapcaskClosedException extends MapcaskException {
    private static final long serialVersionUID = 1L;

    /** @param dir the store's directory */
    public MapcaskClosedException(java.nio.file.Path dir) {
        super("the Mapcask store at " + dir + " is closed");
    }
}
