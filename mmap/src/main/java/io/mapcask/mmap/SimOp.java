package io.mapcask.mmap;

import java.nio.file.Path;

/**
 * One call into a {@link SimFs}: its index (0, 1, 2, ... per file system instance, in the order
 * the calls were made), kind, normalized path, rename target and byte range.
 *
 * @param index  position of the call in this file system's history, from 0
 * @param kind   what was called
 * @param path   the file or directory (for a handle or mapping: the path it was opened with)
 * @param target the rename target, else null
 * @param offset file offset of READ, WRITE, MAP and FORCE; the size of ALLOCATE and TRUNCATE; else -1
 * @param length byte count of READ, WRITE, MAP and FORCE; else -1
 */
public record SimOp(long index, SimOpKind kind, Path path, Path target, long offset, long length) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append('#').append(index).append(' ').append(kind).append(' ').append(path);
        if (target != null) {
            sb.append(" -> ").append(target);
        }
        if (length >= 0) {
            sb.append(" [").append(offset).append(", ").append(offset + length).append(')');
        } else if (offset >= 0) {
            sb.append(" size=").append(offset);
        }
        return sb.toString();
    }
}
