package dev.proxystage.internal.runtime;

import dev.proxystage.internal.init.ProjectInit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code init}: what it would write for an existing conf.d (pipeline.yml, its offline overlay, a starter routes.yml),
 * and the writing.
 */
public final class InitPlan {

    public static final String PIPELINE = ProjectInit.PIPELINE;
    public static final String OFFLINE = ProjectInit.OFFLINE;
    public static final String ROUTES = ProjectInit.ROUTES;
    public static final String STAND_IN = ProjectInit.STAND_IN;

    private final ProjectInit.Plan plan;

    private InitPlan(ProjectInit.Plan plan) {
        this.plan = plan;
    }

    /**
     * Which compose file gives the backends their real definitions.
     *
     * @param file        the one named ({@code --compose}), else the one found beside conf.d or the main config
     * @param find        whether to look for one when none is named ({@code --no-compose}: not)
     * @param bindMounts  whether bind mounts become the prod stage's {@code hostPath}
     * @param environment where the compose file's {@code ${VAR}} come from (then its {@code .env})
     */
    public record Compose(Optional<Path> file, boolean find, boolean bindMounts, Map<String, String> environment) {
    }

    /** A file written, and whether it replaced one ({@code --force}). */
    public record Written(Path path, boolean replaced) {
    }

    /**
     * Parses the configuration and plans the files; fails with one {@code file:line: message} line when conf.d is
     * missing or broken, or reaches no backend.
     *
     * @param files the host directories and files nginx reads outside conf.d, by container path
     * @param out   where the files are to be written; paths in pipeline.yml are relative to it
     */
    public static InitPlan of(Path confD, Optional<Path> mainConfig, Map<String, Path> files, Path out, Compose compose) {
        return new InitPlan(ProjectInit.plan(new ProjectInit.Request(confD, mainConfig, files, out,
                new ProjectInit.Compose(compose.file(), compose.find(), compose.bindMounts(), compose.environment()))));
    }

    /** Writes the files into {@code out}, all or none; existing ones only with {@code force}. Returns what it wrote. */
    public List<Written> write(Path out, boolean force) {
        return ProjectInit.write(plan, out, force).stream().map(w -> new Written(w.path(), w.replaced())).toList();
    }

    /** How many backends carry their compose service's image. */
    public int composeImages() {
        return plan.composeImages();
    }

    /** The backend aliases of pipeline.yml, in the order conf.d first reaches them. */
    public List<String> backends() {
        return plan.backends();
    }

    /** How many routes routes.yml has. */
    public int routes() {
        return plan.routes();
    }

    /** What init could not decide, {@code file:line: message} each. */
    public List<String> notes() {
        return plan.notes().stream().map(ProjectInit.Note::text).toList();
    }
}
