package io.mapcask;

/**
 * Every failure of a Mapcask store that is not a bad argument. Unchecked: the caller decides
 * where to handle it. Subclasses tell corruption, a closed store and a locked directory apart;
 * the message always names the file involved.
 */
public class MapcaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the file involved */
    public MapcaskException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the file involved
     * @param cause the original failure
     */
    public MapcaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
