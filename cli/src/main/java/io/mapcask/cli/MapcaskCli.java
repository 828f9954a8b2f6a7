package io.mapcask.cli;

import io.mapcask.MapcaskException;
import io.mapcask.MapcaskLockedException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mapcask}: look at and operate a store directory from a shell ({@code scripts/mapcask}).
 * One subcommand per job; each opens the store, does its job and closes it. Exit codes are the
 * constants below, listed in every {@code --help} and in {@code docs/operations.md}.
 */
@Command(name = "mapcask", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = "Inspect, check and operate a Mapcask store directory.",
        subcommands = {StatsCommand.class, VerifyCommand.class, DumpCommand.class, GetCommand.class,
                PutCommand.class, DeleteCommand.class, CompactCommand.class, BackupCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_PROBLEMS, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED,
                MapcaskCli.EXIT_ERROR, MapcaskCli.EXIT_NOT_FOUND})
public final class MapcaskCli implements Callable<Integer> {
    /** Success. */
    static final int OK = 0;
    /** {@code verify} found problems. */
    static final int PROBLEMS = 1;
    /** Bad command line: unknown command or option, missing or malformed argument. */
    static final int USAGE = 2;
    /** Another process (or instance) holds the store; nothing was changed. */
    static final int LOCKED = 3;
    /** Any other failure: not a store, corrupt store, IO error. */
    static final int ERROR = 4;
    /** {@code get} or {@code delete} of a key that is not there. */
    static final int NOT_FOUND = 5;

    static final String EXIT_CODE_HEADING = "%nExit codes:%n";
    static final String EXIT_OK = "0:success";
    static final String EXIT_PROBLEMS = "1:verify found problems";
    static final String EXIT_USAGE = "2:usage error (bad command, option or argument)";
    static final String EXIT_LOCKED = "3:the store is held by another process; nothing was changed";
    static final String EXIT_ERROR = "4:other error: not a store, corrupt store, IO error";
    static final String EXIT_NOT_FOUND = "5:get or delete: the key is not there";

    /** Where a run reads and writes, and whether it may draw progress bars. */
    record Io(InputStream in, OutputStream out, OutputStream err, boolean interactive) {
    }

    final Io io;

    @Spec
    CommandSpec spec;

    MapcaskCli(Io io) {
        this.io = io;
    }

    /** Without a subcommand: the usage, on stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(new Io(System.in, System.out, System.err, Terminal.interactive()), args));
    }

    /** Runs one command line; returns its exit code. */
    static int run(Io io, String... args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(io.out(), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(io.err(), StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new MapcaskCli(io));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println("mapcask: " + message(e));
            command.getErr().flush();
            return exitCode(e);
        });
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int exitCode(Exception e) {
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof MapcaskLockedException) {
            return LOCKED;
        }
        if (e instanceof IllegalArgumentException) {
            return USAGE; // a key or value over the store's limits
        }
        return ERROR;
    }

    private static String message(Exception e) {
        if (e instanceof MapcaskLockedException locked) {
            return "the store is in use: its lock file " + locked.lockFile() + " is held by another process (or"
                    + " instance). Nothing was changed; stop that process, or run the command in it.";
        }
        if (e instanceof CliException || e instanceof MapcaskException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.toString();
    }

    /** {@code --version}: the jar's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = MapcaskCli.class.getPackage().getImplementationVersion();
            return new String[] {"mapcask " + (v == null ? "(development build)" : v)};
        }
    }
}
