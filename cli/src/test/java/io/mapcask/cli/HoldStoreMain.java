package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process of {@link LockedStoreTest}: {@code <dir> <key> <value>} opens the store, puts
 * and syncs the value, prints {@code HELD}, and closes the store when a line (or the end)
 * arrives on stdin; then prints {@code RELEASED}.
 */
public final class HoldStoreMain {
    private HoldStoreMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Mapcask db = Mapcask.open(Path.of(args[0]))) {
            db.put(args[1].getBytes(StandardCharsets.UTF_8), args[2].getBytes(StandardCharsets.UTF_8));
            db.sync();
            System.out.println("HELD");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("RELEASED");
    }
}
