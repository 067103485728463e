package org.tpmauth.attestation.eventlog;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A whole boot event log in memory: its events, its Spec ID event (crypto-agile logs) and the PCR
 * values it replays to. For logs too large to hold, {@link #replay(InputStream)} streams.
 */
public record EventLog(Optional<SpecIdEvent> specId, List<TcgEvent> events, PcrValues replayed,
        Integer startupLocality) {
    public EventLog {
        events = List.copyOf(events);
    }

    /** "crypto-agile" or "sha1-legacy". */
    public String format() {
        return specId.isPresent() ? "crypto-agile" : "sha1-legacy";
    }

    /**
     * Parses and replays a log.
     *
     * @throws EventLogFormatException for a malformed log, naming the event and offset
     */
    public static EventLog parse(byte[] log) {
        return parse(log, bank -> true);
    }

    /**
     * Parses a log and replays only the banks {@code replay} selects, e.g. those a quote covers: the
     * replay of a bank nothing compares is a third of the work for a SHA-1 + SHA-256 log.
     *
     * @throws EventLogFormatException for a malformed log, naming the event and offset
     */
    public static EventLog parse(byte[] log, Predicate<TpmAlg> replay) {
        List<TcgEvent> events = new ArrayList<>();
        Walk walk = walk(new EventLogReader(log), replay, events::add);
        return new EventLog(walk.specId(), events, walk.replay().values(), walk.replay().startupLocality());
    }

    /** Replays a log of any length holding one event at a time. */
    public static PcrValues replay(InputStream log) {
        return walk(new EventLogReader(log), bank -> true, e -> { }).replay().values();
    }

    private record Walk(Optional<SpecIdEvent> specId, PcrReplay replay) {
    }

    /** Reads every event, replays it into the selected banks, and hands it to {@code each}. */
    private static Walk walk(EventLogReader log, Predicate<TpmAlg> banks, Consumer<TcgEvent> each) {
        try (EventLogReader reader = log) {
            PcrReplay replay = null;
            for (Optional<TcgEvent> e = reader.next(); e.isPresent(); e = reader.next()) {
                if (replay == null) {
                    replay = new PcrReplay(PcrReplay.banksOf(reader).stream().filter(banks).toList());
                }
                replay.accept(e.get());
                each.accept(e.get());
            }
            return new Walk(reader.specId(), replay);
        }
    }
}
