package dev.proxystage.internal.config;

import dev.proxystage.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link Fault} from its kind and value as a route table ({@code hang: true}, {@code slow: 1500ms}) or the command
 * line ({@code slow 1500ms}) writes them. A bad one is an {@link IllegalArgumentException} whose message says what
 * is wrong and what is expected; the caller adds where.
 */
public final class FaultSpecs {

    /** Each kind, with the value it takes, as usage lines show them. */
    public static final String USAGE = "down, hang, slow <duration>, slowChunks <duration>, throttle <bytes per second>,"
            + " reset, resetAfter <bytes>, flaky <fraction>, restartWithNewAddress";

    private static final Map<String, String> SPELLINGS = Map.of(
            "slow-chunks", "slowChunks", "reset-after", "resetAfter", "restart-with-new-address", "restartWithNewAddress",
            "restart", "restartWithNewAddress");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");
    private static final Pattern FRACTION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(%?)");
    private static final Duration MAX_DURATION = Duration.ofHours(1);

    private FaultSpecs() {
    }

    /** The kind as the API names it ({@code slowChunks}), from that name or its dashed spelling ({@code slow-chunks}). */
    public static Optional<String> kind(String text) {
        String kind = SPELLINGS.getOrDefault(text.strip(), text.strip());
        return Fault.KINDS.contains(kind) ? Optional.of(kind) : Optional.empty();
    }

    /**
     * The fault {@code kind} with {@code value}: nothing (or {@code true}) for down, hang, reset and
     * restartWithNewAddress; a duration ({@code 1500ms}, {@code 2s}, {@code 1m}; a bare number is milliseconds) for
     * slow and slowChunks; a whole number of bytes for throttle (per second) and resetAfter; a fraction
     * ({@code 0.25} or {@code 25%}) for flaky.
     */
    public static Fault parse(String kind, Optional<String> value) {
        String name = kind(kind).orElseThrow(() -> new IllegalArgumentException("unknown fault '" + kind + "' (known: "
                + USAGE + ")"));
        String text = value.map(String::strip).orElse("");
        return switch (name) {
            case "down", "hang", "reset", "restartWithNewAddress" -> {
                if (!text.isEmpty() && !text.equals("true")) {
                    throw new IllegalArgumentException("fault '" + name + "' takes no value (or true), got '" + text + "'");
                }
                yield switch (name) {
                    case "down" -> Fault.down();
                    case "hang" -> Fault.hang();
                    case "reset" -> Fault.reset();
                    default -> Fault.restartWithNewAddress();
                };
            }
            case "slow" -> Fault.slow(duration(name, text));
            case "slowChunks" -> Fault.slowChunks(duration(name, text));
            case "throttle" -> Fault.throttle(bytes(name, text, "bytes per second, e.g. 1000"));
            case "resetAfter" -> Fault.resetAfter(bytes(name, text, "bytes, e.g. 100"));
            default -> Fault.flaky(fraction(text));
        };
    }

    private static Duration duration(String kind, String text) {
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("fault '" + kind + "' takes a duration such as 500ms, 2s or 1m, got '"
                    + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofMillis(amount);
        };
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("fault '" + kind + "' takes more than 0 and at most 1h, got '" + text + "'");
        }
        return duration;
    }

    private static long bytes(String kind, String text, String expected) {
        try {
            long bytes = Long.parseLong(text);
            if (bytes >= 1 && bytes <= 1L << 40) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("fault '" + kind + "' takes a whole number of " + expected + ", got '" + text + "'");
    }

    private static double fraction(String text) {
        Matcher m = FRACTION.matcher(text);
        if (m.matches()) {
            double value = Double.parseDouble(m.group(1)) / (m.group(2).isEmpty() ? 1 : 100);
            if (value > 0 && value <= 1) {
                return value;
            }
        }
        throw new IllegalArgumentException("fault 'flaky' takes a fraction of connections, more than 0 and at most 1"
                + " (0.25 or 25%), got '" + text + "'");
    }

    /** Every kind, as route tables key them. */
    public static List<String> kinds() {
        return Fault.KINDS;
    }
}
