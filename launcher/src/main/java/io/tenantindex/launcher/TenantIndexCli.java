package io.tenantindex.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./tenant-index}: runs the local stack and talks to a running one. Exit codes: 0 success,
 * 1 the server failed or could not be reached, 2 bad usage, 3 the request was rejected (4xx) or the
 * tenant does not exist.
 */
@Command(name = "tenant-index", mixinStandardHelpOptions = true, version = "tenant-index 0.1.0",
        description = "A tenant → placement index replicated to every colo through Kafka.",
        subcommands = {UpCommand.class, ClientCommands.Register.class, ClientCommands.Lookup.class,
                ClientCommands.Delete.class, ClientCommands.Import.class, RebuildCommand.class,
                VerifyCommand.class, ClientCommands.Usage.class, ReplicasCommand.class, WatchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:server error or unreachable", "2:bad usage", "3:rejected (4xx) or not found"})
public final class TenantIndexCli implements Runnable {
    static final int SERVER_ERROR = 1;
    static final int REJECTED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TenantIndexCli())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A stack that is down is an answer for scripts (exit 1), not a stack trace.
                    if (e instanceof ApiClient.Unreachable) {
                        cmd.getErr().println("tenant-index: " + e.getMessage() + " — is the stack up? (./tenant-index up)");
                        return SERVER_ERROR;
                    }
                    throw e;
                })
                .execute(args));
    }
}
