package dev.proxystage.internal.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.NginxRules;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.nginx.Readiness;
import dev.proxystage.internal.nginx.StagePlanCheck;
import dev.proxystage.internal.nginx.StartFiles;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.tls.HandshakeCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a stage needs before any container starts, worked out from its definition and its conf.d: the parsed
 * configuration, checked against the stage's backends; the ports nginx listens on; the certificates to place at
 * the paths the conf.d names; and what the client must trust. Preparing it fails fast, with {@code file:line}, on
 * anything that would only fail later inside a container.
 *
 * @param definition   the stage
 * @param config       the parsed conf.d
 * @param warnings     plan problems that do not stop the stage
 * @param nginxPorts   the ports nginx listens on from outside its container (published on loopback, waited on at
 *                     start); a port it listens on only at 127.0.0.1 is not among them
 * @param nginxFiles   files for the nginx container by absolute path (generated certificates and keys)
 * @param certificates the generated certificates, by container path of the certificate
 * @param trust        what the stage client trusts and the CA behind it; empty in a plan that is only {@link #checked}
 */
public record StagePlan(StageDefinition definition, NginxConfig config, List<Problem> warnings, Set<Integer> nginxPorts,
                        Map<String, FileContent> nginxFiles, Map<String, Certificates.Issued> certificates,
                        Optional<Trust> trust) {

    private static final Logger LOG = LoggerFactory.getLogger(StagePlan.class);

    /**
     * What a plan's certificates were issued with; the two come together or not at all.
     *
     * @param client           what the stage client trusts: the run's test CA (and any configured extra certificates)
     * @param caCertificatePem the run's test CA certificate, as a PEM file (for curl's --cacert and the like)
     */
    public record Trust(HandshakeCertificates client, Path caCertificatePem) {

        public Trust {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(caCertificatePem, "caCertificatePem");
        }
    }

    public StagePlan {
        warnings = List.copyOf(warnings);
        nginxPorts = Set.copyOf(nginxPorts);
        nginxFiles = Map.copyOf(nginxFiles);
        certificates = Map.copyOf(certificates);
    }

    /** Parses and checks {@code definition}'s conf.d and issues its certificates from {@code ca}. */
    public static StagePlan prepare(StageDefinition definition, TestCertificateAuthority ca, boolean allowProd) {
        return checked(definition, allowProd).issuedBy(ca);
    }

    /**
     * As {@link #prepare(StageDefinition, TestCertificateAuthority, boolean)} for a stage that runs with
     * {@code running}'s certificates (issued by the same {@code ca}): those whose paths and names are unchanged are
     * kept, new paths and names get new ones.
     */
    public static StagePlan prepareAfter(StagePlan running, StageDefinition definition, TestCertificateAuthority ca,
                                         boolean allowProd) {
        return checked(definition, allowProd).issuedBy(ca, running.certificates());
    }

    /**
     * Parses and checks {@code definition}'s conf.d, issuing no certificates: enough to attach to a running stage
     * (whose certificates exist) or to hand to {@link #issuedBy} before starting one.
     */
    public static StagePlan checked(StageDefinition definition, boolean allowProd) {
        return checked(definition, allowProd, false);
    }

    /**
     * As {@link #checked(StageDefinition, boolean)}; when {@code nginxAccepted} ({@code nginx -t} passed on these very
     * files), nginx is the judge of its own rules and ProxyStage's static reading of them ({@link NginxRules}) stops
     * nothing: only what nginx cannot know (backends, ports, certificates) does.
     */
    public static StagePlan checked(StageDefinition definition, boolean allowProd, boolean nginxAccepted) {
        ProdSafety.check(definition, allowProd);
        NginxConfig config = NginxConfig.parse(definition.nginx().parseRequest());
        List<Problem> problems = check(definition, config);
        if (nginxAccepted) {
            problems = withoutNginxErrors(problems, config);
        }
        List<Problem> errors = problems.stream().filter(Problem::isError).toList();
        if (!errors.isEmpty()) {
            throw new ProxyStageException(errors.size() == 1 ? errors.get(0).toString()
                    : errors.size() + " problems in the conf.d of stage '" + definition.name() + "': "
                    + errors.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        }
        List<Problem> warnings = problems.stream().filter(p -> !p.isError()).toList();
        warnings.forEach(w -> LOG.warn("{}: {}", definition.name(), w));

        // Only ports reachable from outside the container are published and waited on; none at all is a warning of
        // Readiness, not an error: nginx starts fine on such a configuration.
        Set<Integer> ports = new LinkedHashSet<>(Readiness.outsidePorts(config));
        return new StagePlan(definition, config, warnings, ports, Map.of(), Map.of(), Optional.empty());
    }

    /** This checked plan with its certificates issued from {@code ca}: what starting a stage needs. */
    public StagePlan issuedBy(TestCertificateAuthority ca) {
        return issuedBy(ca, Map.of());
    }

    private StagePlan issuedBy(TestCertificateAuthority ca, Map<String, Certificates.Issued> reuse) {
        Certificates issued = Certificates.plan(config, definition.tls(), ca, reuse);
        return new StagePlan(definition, config, warnings, nginxPorts, issued.files(), issued.issued(),
                Optional.of(new Trust(issued.clientTrust(), ca.caCertificatePem())));
    }

    /** Whether certificates were issued ({@link #issuedBy}); a plan without them can attach but not start. */
    public boolean hasCertificates() {
        return trust.isPresent();
    }

    /** {@code problems} less the errors of nginx's own rules, which nginx -t has judged instead. */
    public static List<Problem> withoutNginxErrors(List<Problem> problems, NginxConfig config) {
        Set<Problem> nginxRules = new HashSet<>(NginxRules.check(config));
        return problems.stream().filter(p -> !(p.isError() && nginxRules.contains(p))).toList();
    }

    /** The plan problems of {@code definition}'s conf.d, errors and warnings, without starting anything. */
    public static List<Problem> check(StageDefinition definition, NginxConfig config) {
        // Every port a backend serves on: its port, and an echo backend's ports (the offline overlay's among them).
        Map<String, List<Integer>> ports = new LinkedHashMap<>();
        Map<String, String> moreNames = new LinkedHashMap<>();
        for (BackendSpec backend : definition.backends()) {
            ports.put(backend.alias(), backend.ports());
            backend.aliases().forEach(name -> moreNames.put(name, backend.alias()));
        }
        List<Problem> problems = new ArrayList<>(StagePlanCheck.check(config, definition.name(),
                new LinkedHashSet<>(definition.allStages()), ports, moreNames,
                NginxRules.Options.forImage(definition.nginx().image(), new LinkedHashSet<>(definition.nginx().modules()))));
        problems.addAll(StartFiles.check(config, definition.nginx().image()));
        List<Problem> ordered = new ArrayList<>(problems.stream().filter(Problem::isError).toList());
        ordered.addAll(problems.stream().filter(p -> !p.isError()).toList());
        return ordered;
    }
}
