package org.tpmauth.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth mqtt subscribe}: print the messages of a topic, one per line. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Subscribe and print each message on a line (until --count messages or --timeout).")
final class MqttSubscribeCommand implements Callable<Integer> {
    @Mixin
    MqttOptions mqtt;

    @Option(names = {"--count", "-C"}, defaultValue = "0", paramLabel = "N", description = "Stop after N messages (0: never).")
    int count;

    @Option(names = {"--timeout", "-W"}, defaultValue = "0", paramLabel = "SECONDS",
            description = "Give up after this many seconds (0: never); exit 1 if fewer than --count arrived.")
    int timeout;

    @Option(names = {"--ready"}, description = "Print 'subscribed' once the subscription is in place.")
    boolean ready;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch remaining = new CountDownLatch(count > 0 ? count : Integer.MAX_VALUE);
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm);
                TpmMqttClient client = mqtt.connect(tpm, keys)) {
            client.subscribe(mqtt.topic, mqtt.qos, (topic, payload) -> {
                synchronized (out) {
                    out.println(new String(payload, StandardCharsets.UTF_8));
                    out.flush();
                }
                remaining.countDown();
            });
            if (ready) {
                out.println("subscribed");
                out.flush();
            }
            boolean done = timeout > 0 ? remaining.await(timeout, TimeUnit.SECONDS) : await(remaining);
            if (!done && count > 0) {
                throw new IllegalStateException("only " + (count - remaining.getCount()) + " of " + count
                        + " messages arrived within " + timeout + " s");
            }
        }
        return 0;
    }

    private static boolean await(CountDownLatch latch) throws InterruptedException {
        latch.await();
        return true;
    }
}
