import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.attribute.TopicMessageType;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Applies scripts/rocketmq/topics.txt to every master of a cluster in ONE JVM and verifies the result.
 * Why not mqadmin: it needs a multi-second JVM per command and exits 0 even when a command fails.
 * Only differences are written, so re-running is cheap and idempotent.
 *
 * Usage: EnsureTopics <namesrv> <cluster> <topics.txt> <timeout-seconds>; exit 0 = everything present and as declared.
 */
public final class EnsureTopics {
    private static final Pattern NAME = Pattern.compile("^[%|a-zA-Z0-9_-]{1,127}$");
    private static final int PERM_RW = 6; // PermName.PERM_READ | PermName.PERM_WRITE

    record TopicSpec(String name, TopicMessageType type, int queues) {}

    record GroupSpec(String name, int retryMaxTimes, boolean fifo, boolean dlq) {}

    private final List<TopicSpec> topics = new ArrayList<>();
    private final List<GroupSpec> groups = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();

    public static void main(String[] args) {
        if (args.length != 4) {
            fail("usage: EnsureTopics <namesrv> <cluster> <topics.txt> <timeout-seconds>");
        }
        EnsureTopics run = new EnsureTopics();
        try {
            run.parse(Path.of(args[2]));
            run.apply(args[0], args[1], System.currentTimeMillis() + Long.parseLong(args[3]) * 1000);
        } catch (Exception e) {
            fail(e.toString());
        }
        if (!run.changes.isEmpty()) {
            System.out.println("rocketmq: " + String.join("; ", run.changes));
        }
        System.exit(0); // skip the client's slow non-daemon shutdown threads
    }

    private static void fail(String message) {
        System.err.println("EnsureTopics: " + message);
        System.exit(1);
    }

    /** Lines: `topic <name> <TYPE> [queues]`, `group <name> [retry=N] [fifo] [dlq]`, or shorthand `<name> <TYPE>`. */
    private void parse(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            String where = file + ":" + (i + 1) + ": ";
            try {
                if (f[0].equals("group")) {
                    groups.add(parseGroup(f));
                } else if (f[0].equals("topic")) {
                    topics.add(parseTopic(f, 1));
                } else {
                    topics.add(parseTopic(f, 0));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage() + " in '" + line + "'");
            }
        }
    }

    private static TopicSpec parseTopic(String[] f, int at) {
        if (f.length < at + 2 || f.length > at + 3) {
            throw new IllegalArgumentException("expected <name> <NORMAL|FIFO|DELAY|TRANSACTION> [queues]");
        }
        TopicMessageType type = switch (f[at + 1]) {
            case "NORMAL", "FIFO", "DELAY", "TRANSACTION" -> TopicMessageType.valueOf(f[at + 1]);
            default -> throw new IllegalArgumentException("unknown message type " + f[at + 1]);
        };
        int queues = f.length == at + 3 ? Integer.parseInt(f[at + 2]) : 4;
        return new TopicSpec(checkName(f[at]), type, queues);
    }

    private static GroupSpec parseGroup(String[] f) {
        if (f.length < 2) {
            throw new IllegalArgumentException("expected group <name> [retry=N] [fifo] [dlq]");
        }
        int retry = 16; // broker default
        boolean fifo = false;
        boolean dlq = false;
        for (int i = 2; i < f.length; i++) {
            if (f[i].startsWith("retry=")) {
                retry = Integer.parseInt(f[i].substring("retry=".length()));
            } else if (f[i].equals("fifo")) {
                fifo = true;
            } else if (f[i].equals("dlq")) {
                dlq = true;
            } else {
                throw new IllegalArgumentException("unknown group option " + f[i]);
            }
        }
        return new GroupSpec(checkName(f[1]), retry, fifo, dlq);
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal name " + name);
        }
        return name;
    }

    private void apply(String namesrv, String cluster, long deadline) throws Exception {
        DefaultMQAdminExt admin = new DefaultMQAdminExt(10_000);
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName("stack-ensure-topics-" + ProcessHandle.current().pid());
        admin.start();
        try {
            for (String broker : waitForMasters(admin, cluster, deadline)) {
                applyTo(admin, broker);
            }
            waitForRoutes(admin, deadline);
        } finally {
            admin.shutdown();
        }
    }

    /** The broker registers with the namesrv a moment after the proxy reports startup, so poll. */
    private static List<String> waitForMasters(DefaultMQAdminExt admin, String cluster, long deadline) throws Exception {
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                ClusterInfo info = admin.examineBrokerClusterInfo();
                Set<String> names = info.getClusterAddrTable() == null ? null : info.getClusterAddrTable().get(cluster);
                if (names != null && !names.isEmpty()) {
                    List<String> masters = new ArrayList<>();
                    for (String name : names) {
                        BrokerData data = info.getBrokerAddrTable().get(name);
                        String addr = data == null ? null : data.getBrokerAddrs().get(0L);
                        if (addr != null) {
                            masters.add(addr);
                        }
                    }
                    if (!masters.isEmpty()) {
                        return masters;
                    }
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no master of cluster " + cluster + " registered with the namesrv"
                + (last == null ? "" : ": " + last));
    }

    private void applyTo(DefaultMQAdminExt admin, String broker) throws Exception {
        Map<String, TopicConfig> haveTopics = admin.getAllTopicConfig(broker, 10_000).getTopicConfigTable();
        Map<String, SubscriptionGroupConfig> haveGroups =
                admin.getAllSubscriptionGroup(broker, 10_000).getSubscriptionGroupTable();

        for (TopicSpec t : topics) {
            TopicConfig have = haveTopics.get(t.name());
            if (have == null || have.getReadQueueNums() != t.queues() || have.getWriteQueueNums() != t.queues()
                    || have.getTopicMessageType() != t.type()) {
                // read == write: rocketmq-client-nodejs only uses queue id 0, which is read-only if read > write.
                TopicConfig want = new TopicConfig(t.name(), t.queues(), t.queues(), PERM_RW);
                Map<String, String> attributes = new HashMap<>();
                attributes.put("+message.type", t.type().name());
                want.setAttributes(attributes);
                admin.createAndUpdateTopicConfig(broker, want);
                changes.add((have == null ? "created topic " : "updated topic ") + t.name() + " " + t.type());
            }
        }
        for (GroupSpec g : groups) {
            SubscriptionGroupConfig have = haveGroups.get(g.name());
            if (have == null || have.getRetryMaxTimes() != g.retryMaxTimes()
                    || have.isConsumeMessageOrderly() != g.fifo()) {
                SubscriptionGroupConfig want = have == null ? new SubscriptionGroupConfig() : have;
                want.setGroupName(g.name());
                want.setRetryMaxTimes(g.retryMaxTimes());
                want.setConsumeMessageOrderly(g.fifo()); // a FIFO topic is only consumed in order by an orderly group
                admin.createAndUpdateSubscriptionGroupConfig(broker, want);
                changes.add((have == null ? "created group " : "updated group ") + g.name());
            }
            // The broker creates %DLQ%<group> only on the first dead letter, and the proxy caches "topic not found":
            // pre-create it (1 queue, like the broker does) so a DLQ reader can subscribe up front.
            String dlq = "%DLQ%" + g.name();
            if (g.dlq() && !haveTopics.containsKey(dlq)) {
                admin.createAndUpdateTopicConfig(broker, new TopicConfig(dlq, 1, 1, PERM_RW));
                changes.add("created topic " + dlq);
            }
        }
    }

    /** gRPC clients resolve routes through the namesrv: make sure every declared topic is routable there. */
    private void waitForRoutes(DefaultMQAdminExt admin, long deadline) throws Exception {
        List<String> names = new ArrayList<>();
        topics.forEach(t -> names.add(t.name()));
        groups.stream().filter(GroupSpec::dlq).forEach(g -> names.add("%DLQ%" + g.name()));
        for (String name : names) {
            while (true) {
                Exception last = null;
                try {
                    if (!admin.examineTopicRouteInfo(name).getQueueDatas().isEmpty()) {
                        break;
                    }
                } catch (Exception e) {
                    last = e;
                }
                if (System.currentTimeMillis() >= deadline) {
                    throw new IllegalStateException("topic " + name + " has no route on the namesrv"
                            + (last == null ? "" : ": " + last));
                }
                Thread.sleep(200);
            }
        }
    }
}
