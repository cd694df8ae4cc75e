package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.runtime.InitPlan;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code init}: onboarding from an existing conf.d. Discovers the backends the configuration reaches and writes
 * pipeline.yml, pipeline-offline.yml and routes.yml; prints what it wrote and, one {@code file:line:} line each,
 * what it could not decide.
 */
@Command(name = "init", sortOptions = false,
        header = "Write pipeline.yml, its offline overlay and a starter routes.yml from an existing conf.d.",
        description = {
                "Discovers every upstream host the configuration reaches (proxy_pass, fastcgi_pass, uwsgi_pass,"
                        + " scgi_pass and grpc_pass hosts, upstream blocks, set/map variables) with its ports, and writes"
                        + " one backend per host under its shared alias, the stages seed, wip, prep, ship and prod, the"
                        + " offline overlay, and one route per server and location that reaches a backend, as nginx's"
                        + " rules take the request there. With the stack's compose file, the services the"
                        + " configuration reaches carry their real definitions. Existing files are kept unless --force"
                        + " is given.",
                "Exit codes: 0 written, 1 nothing written (printed, one line), 2 usage error."})
final class InitCommand implements Callable<Integer> {

    private final Main.Io io;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--conf-d", paramLabel = "<dir>", required = true,
            description = "The conf.d directory (may be empty when --main-config holds every server).")
    Path confD;

    @Option(names = "--main-config", paramLabel = "<nginx.conf>",
            description = "A main nginx.conf, placed at /etc/nginx/nginx.conf (default: the image's own).")
    Path mainConfig;

    @Option(names = "--files", paramLabel = "<container-path>=<host-path>",
            description = "A host directory (or single file) that nginx reads outside conf.d, by its container path,"
                    + " e.g. /config/nginx=nginx or /etc/nginx/dhparams.pem=certs/dhparams.pem (repeatable).")
    List<String> files = List.of();

    @Option(names = "--out", paramLabel = "<dir>", defaultValue = ".",
            description = "Where to write the files (default: the current directory).")
    Path out;

    @Option(names = "--compose", paramLabel = "<file>",
            description = "The stack's compose file: the services the configuration reaches become backends with their"
                    + " image, environment (secrets as ${env:NAME}), health check and data (default: compose.yaml,"
                    + " compose.yml, docker-compose.yaml or docker-compose.yml beside conf.d or the main config).")
    Path compose;

    @Option(names = "--no-compose", description = "Read no compose file, even when there is one beside conf.d.")
    boolean noCompose;

    @Option(names = "--bind-mounts",
            description = "Carry the compose file's bind mounts over as the prod stage's data.hostPath (the test"
                    + " stages get fresh volumes).")
    boolean bindMounts;

    @Option(names = "--force", description = "Overwrite files that exist.")
    boolean force;

    @Mixin
    CommonOptions common;

    InitCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Map<String, Path> mappings = new LinkedHashMap<>();
        for (String mapping : files) {
            int eq = mapping.indexOf('=');
            if (eq <= 0 || eq == mapping.length() - 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--files expects"
                        + " <container-path>=<host-path>, got '" + mapping + "'");
            }
            mappings.put(mapping.substring(0, eq), Path.of(mapping.substring(eq + 1)));
        }
        if (compose != null && noCompose) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--compose and --no-compose exclude each other");
        }
        // The compose file's ${VAR} come from this environment (then its .env), as compose takes them.
        InitPlan.Compose composeRequest = new InitPlan.Compose(Optional.ofNullable(compose), !noCompose, bindMounts,
                System.getenv());
        InitPlan plan;
        List<InitPlan.Written> written;
        try {
            plan = InitPlan.of(confD, Optional.ofNullable(mainConfig), mappings, out, composeRequest);
            written = plan.write(out, force);
        } catch (ProxyStageException e) {
            io.err().println(Main.shown(e.getMessage()));
            io.err().println("init: nothing written");
            return Main.PROBLEMS;
        }
        for (InitPlan.Written file : written) {
            io.out().println(Main.shown((file.replaced() ? "replaced " : "wrote ") + file.path().normalize()
                    + describe(plan, file.path().getFileName().toString())));
        }
        for (String note : plan.notes()) {
            io.out().println(Main.shown(note));
        }
        io.err().println("init: " + CheckCommand.count(plan.backends().size(), "backend") + ", "
                + CheckCommand.count(plan.routes(), "route")
                + (plan.notes().isEmpty() ? "" : ", " + plan.notes().size() + " to review (above)"));
        return Main.OK;
    }

    private static String describe(InitPlan plan, String name) {
        return switch (name) {
            case InitPlan.PIPELINE -> " (" + CheckCommand.count(plan.backends().size(), "backend")
                    + (plan.composeImages() == 0 ? ", each the echo backend until its image is named)"
                    : plan.composeImages() == plan.backends().size() ? ", each with its compose service's image)"
                    : ", " + plan.composeImages() + " with their compose service's image, the others the echo backend"
                    + " until their image is named)");
            case InitPlan.OFFLINE -> " (offline images, every backend the echo backend)";
            case InitPlan.ROUTES -> " (" + CheckCommand.count(plan.routes(), "route") + ")";
            case InitPlan.STAND_IN -> " (an empty stand-in for the scripts nginx's try_files looks for; nginx.files"
                    + " places it)";
            default -> "";
        };
    }
}
