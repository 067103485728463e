package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth mqtt ...}: MQTT over mutual TLS with a TPM key. */
@Command(name = "mqtt", mixinStandardHelpOptions = true,
        description = {"Publish and subscribe over MQTT (v3.1.1 or v5) with TLS client authentication by a TPM key; with",
            "--attest, MQTT 5 with evidence bound to the connection. broker: an MQTT 5 broker that can demand it."},
        subcommands = {MqttPublishCommand.class, MqttSubscribeCommand.class, MqttBrokerCommand.class})
final class MqttCommand {
}
