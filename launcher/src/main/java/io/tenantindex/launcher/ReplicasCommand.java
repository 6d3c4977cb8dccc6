package io.tenantindex.launcher;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.ReplicaList;
import io.tenantindex.common.api.ReplicaPruneReport;
import io.tenantindex.common.http.BearerAuth;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tenant-index replicas list|prune}: the colo instances the writer sees in Kafka, and the
 * clean-up of retired ones. Prune goes through the writer's admin endpoint rather than an Admin
 * client of its own, so the CLI needs the admin token and the writer's URL but no Kafka access or
 * credentials, and "last seen" is decided in one place, the same one {@code GET /replicas} shows.
 */
@Command(name = "replicas", mixinStandardHelpOptions = true, description = "List colo instances, or delete the groups of retired ones.",
        subcommands = {ReplicasCommand.ListReplicas.class, ReplicasCommand.Prune.class})
final class ReplicasCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every colo instance: live or not, last seen, lag.")
    static final class ListReplicas implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HttpResponse<String> r = ApiClient.send(ApiClient.request(target.writerUrl, "/replicas").GET());
            if (r.statusCode() != 200 || target.json) {
                return target.print(r);
            }
            PrintWriter out = spec.commandLine().getOut();
            long now = System.currentTimeMillis();
            for (ReplicaList.Replica replica : Json.readAnswer(r.body(), ReplicaList.class).replicas()) {
                out.printf("%-4s %-24s %-5s %-16s lag %-8d %s%n", replica.colo(), replica.instance()
                                + (replica.generation() == 0 ? "" : " g" + replica.generation()),
                        replica.live() ? "live" : "gone", replica.state(), replica.lag(), seen(replica.lastSeen(), now, replica.live()));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Delete the consumer groups (and nothing else) of colo instances not seen for --older-than. "
                    + "A group with members, or seen within the bound, is kept. Needs the admin token.")
    static final class Prune implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--older-than", required = true, description = "Not seen for this long: 7d, 12h, 30m, 2s (at least 1s).")
        String olderThan;
        @Option(names = "--colo", description = "Only this colo's instances.")
        String colo;
        @Option(names = "--dry-run", description = "Only say what would be deleted.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            String query = "/admin/replicas:prune?olderThan=" + URLEncoder.encode(olderThan, StandardCharsets.UTF_8)
                    + "&dryRun=" + dryRun + (colo == null ? "" : "&colo=" + URLEncoder.encode(colo, StandardCharsets.UTF_8));
            HttpResponse<String> r = ApiClient.send(target.authorized(ApiClient.request(target.writerUrl, query)
                    .POST(HttpRequest.BodyPublishers.noBody()), BearerAuth.Role.ADMIN));
            if (r.statusCode() != 200 || target.json) {
                return target.print(r);
            }
            ReplicaPruneReport report = Json.readAnswer(r.body(), ReplicaPruneReport.class);
            PrintWriter out = spec.commandLine().getOut();
            long now = System.currentTimeMillis();
            String verb = report.dryRun() ? "would delete" : "deleted";
            for (ReplicaPruneReport.Group g : report.deleted()) {
                out.printf("%-12s %-4s %-24s %s  (%s)%n", verb, g.colo(), g.instance(), g.applicationId(), seen(g.lastSeen(), now, false));
            }
            for (ReplicaPruneReport.Group g : report.kept()) {
                out.printf("%-12s %-4s %-24s %s  (%s)%n", "kept", g.colo(), g.instance(), g.applicationId(), g.reason());
            }
            out.printf("%s %d group(s), kept %d%n", verb, report.deleted().size(), report.kept().size());
            out.flush();
            return 0;
        }
    }

    private static String seen(Long lastSeen, long now, boolean live) {
        if (live) {
            return "seen now";
        }
        if (lastSeen == null) {
            return "last seen unknown";
        }
        return "last seen " + Instant.ofEpochMilli(lastSeen) + ", " + Duration.ofMillis(Math.max(0, now - lastSeen)).toSeconds() + " s ago";
    }
}
