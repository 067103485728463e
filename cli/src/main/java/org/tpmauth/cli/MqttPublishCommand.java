package org.tpmauth.cli;

import java.util.concurrent.Callable;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth mqtt publish}: publish one message. */
@Command(name = "publish", mixinStandardHelpOptions = true, description = "Publish one message.")
final class MqttPublishCommand implements Callable<Integer> {
    @Mixin
    MqttOptions mqtt;

    @Option(names = {"--message", "-m"}, required = true, paramLabel = "TEXT", description = "The message.")
    String message;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm);
                TpmMqttClient client = mqtt.connect(tpm, keys)) {
            client.publish(mqtt.topic, MqttOptions.utf8(message), mqtt.qos);
        }
        return 0;
    }
}
