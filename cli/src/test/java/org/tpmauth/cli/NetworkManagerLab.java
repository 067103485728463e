package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.testing.Tools;

/**
 * A real NetworkManager that touches nothing of the host: its own D-Bus system bus (a dbus-daemon on a
 * socket in a temporary directory, reached through DBUS_SYSTEM_BUS_ADDRESS), run inside a network
 * namespace of the test where it manages one interface, its keyfiles, state and run directory in
 * temporary places (tmpfs over /run/NetworkManager and /var/lib/NetworkManager in its private mount
 * namespace). /sys is read-only for it, which tells NetworkManager not to wait for udev (there is none
 * in a test's namespace); and a wpa_supplicant on the same bus, as NetworkManager expects one.
 */
final class NetworkManagerLab implements AutoCloseable {
    final Path dir;
    final Path connections;
    final String busAddress;
    private final List<LoggedProcess> processes = new ArrayList<>();
    final LoggedProcess networkManager;
    final LoggedProcess supplicant;

    /** Starts the bus, wpa_supplicant and NetworkManager (inside {@code netns}, managing only {@code iface}). */
    NetworkManagerLab(Path dir, String netns, String iface) throws Exception {
        this.dir = dir;
        this.connections = Files.createDirectories(dir.resolve("system-connections"));
        Path bus = dir.resolve("system_bus_socket");
        busAddress = "unix:path=" + bus;
        Files.writeString(dir.resolve("bus.conf"), """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_destination="*"/>
                    <allow receive_sender="*"/>
                  </policy>
                </busconfig>
                """.formatted(busAddress));
        Files.writeString(dir.resolve("NetworkManager.conf"), """
                [main]
                plugins=keyfile
                no-auto-default=*
                [keyfile]
                path=%s
                unmanaged-devices=except:interface-name:%s
                [logging]
                level=DEBUG
                domains=SUPPLICANT,DEVICE,CORE,SETTINGS
                """.formatted(connections, iface));
        try {
            start(List.of("dbus-daemon", "--nofork", "--config-file=" + dir.resolve("bus.conf")), "dbus.log");
            awaitBus(bus);
            supplicant = start(List.of("env", "DBUS_SYSTEM_BUS_ADDRESS=" + busAddress, "ip", "netns", "exec", netns,
                    "wpa_supplicant", "-u", "-dd"), "wpa_supplicant.log");
            supplicant.awaitLog("dbus: Register D-Bus object", Duration.ofSeconds(10));
            String run = "mkdir -p /run/NetworkManager /var/lib/NetworkManager"
                    + " && mount -o remount,ro /sys && mount -t tmpfs tmpfs /run/NetworkManager"
                    + " && mount -t tmpfs tmpfs /var/lib/NetworkManager"
                    + " && exec NetworkManager --no-daemon --debug --config=" + dir.resolve("NetworkManager.conf")
                    + " --config-dir=" + dir.resolve("conf.d") + " --intern-config=" + dir.resolve("intern.conf")
                    + " --state-file=" + dir.resolve("NetworkManager.state");
            networkManager = start(List.of("env", "DBUS_SYSTEM_BUS_ADDRESS=" + busAddress, "ip", "netns", "exec", netns,
                    "sh", "-c", run), "NetworkManager.log");
            awaitManaged(iface);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private LoggedProcess start(List<String> command, String log) throws IOException {
        LoggedProcess p = new LoggedProcess(command, dir.resolve(log));
        processes.add(p);
        return p;
    }

    private void awaitBus(Path bus) throws InterruptedException {
        for (int i = 0; i < 250 && !Files.exists(bus); i++) {
            Thread.sleep(20);
        }
        if (!Files.exists(bus)) {
            throw new IllegalStateException("dbus-daemon did not create " + bus + ":\n" + processes.get(0).log());
        }
    }

    /** Waits until NetworkManager manages {@code iface} (state no longer "unmanaged"). */
    private void awaitManaged(String iface) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            Tools.Output r = nmcli("-t", "-f", "DEVICE,STATE", "device");
            state = r.out();
            if (r.code() == 0 && state.lines().anyMatch(l -> l.startsWith(iface + ":") && !l.endsWith(":unmanaged"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("NetworkManager does not manage " + iface + " (" + state + "):\n"
                + LoggedProcess.tail(networkManager.log()));
    }

    /** nmcli on this NetworkManager's bus. */
    Tools.Output nmcli(String... args) {
        List<String> command = new ArrayList<>(List.of("nmcli"));
        command.addAll(List.of(args));
        return Tools.capture(dir, env(), command.toArray(String[]::new));
    }

    /** The environment that points D-Bus clients (nmcli) at this bus. */
    Map<String, String> env() {
        return Map.of("DBUS_SYSTEM_BUS_ADDRESS", busAddress);
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
