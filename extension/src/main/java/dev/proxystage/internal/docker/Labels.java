package dev.proxystage.internal.docker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels on every container, network and volume ProxyStage creates; the sweeper finds leftovers by them. */
public final class Labels {

    public static final String RUN = "dev.proxystage.run";
    public static final String STAGE = "dev.proxystage.stage";
    public static final String ROLE = "dev.proxystage.role";
    public static final String BACKEND = "dev.proxystage.backend";
    public static final String PID = "dev.proxystage.pid";
    public static final String HOST = "dev.proxystage.host";
    /** On a stage that tests may attach to ({@code up}): its fingerprint as it started. */
    public static final String FINGERPRINT = "dev.proxystage.fingerprint";
    /** On a stage that tests may attach to: the host path of its CA certificate. */
    public static final String CA = "dev.proxystage.ca";

    private Labels() {
    }

    static Map<String, String> forStage(String runId, String stage) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RUN, runId);
        labels.put(STAGE, stage);
        labels.put(PID, Long.toString(ProcessHandle.current().pid()));
        labels.put(HOST, hostName());
        return labels;
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> labels = new LinkedHashMap<>(base);
        labels.put(key, value);
        return labels;
    }

    /** This machine's name, as the {@link #HOST} label records it. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
