package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init} on the multi-app tree: what it prints, that {@code check} passes the project it writes, and how it
 * refuses: existing files, a broken conf.d, bad options.
 */
class InitCommandTest {

    static final Path MULTIAPP = Path.of("../extension/src/test/resources/trees/multiapp").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** The tree copied into {@code dir}, without its hand-written pipeline files. */
    static Path copyTree(Path into) throws IOException {
        try (Stream<Path> files = Files.walk(MULTIAPP)) {
            for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = into.resolve(MULTIAPP.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().startsWith("pipeline")) {
                    Files.copy(source, target);
                }
            }
        }
        return into;
    }

    static CliRun init(Path tree, String... more) {
        String[] args = {"init", "--conf-d", tree.resolve("conf.d").toString(), "--main-config",
                tree.resolve("nginx.conf").toString(), "--files", "/config/nginx=" + tree.resolve("nginx"),
                "--out", tree.toString()};
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void writesTheThreeFilesAndPrintsWhatItCouldNotDecide() throws IOException {
        Path tree = copyTree(dir);

        CliRun run = init(tree);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.outLines()).startsWith(
                "wrote " + tree.resolve("pipeline.yml") + " (38 backends, each the echo backend until its image is named)",
                "wrote " + tree.resolve("pipeline-offline.yml") + " (offline images, every backend the echo backend)",
                "wrote " + tree.resolve("routes.yml") + " (49 routes)");
        assertThat(run.outLines()).hasSize(6).last().asString()
                .isEqualTo(tree.resolve("conf.d/vaultwarden.subdomain.conf") + ":26: location /admin is restricted by"
                        + " \"deny all\" (line 29); its route https://vault.example.com/admin is commented out in routes.yml");
        assertThat(run.err()).isEqualTo("init: 38 backends, 49 routes, 3 to review (above)\n");
    }

    @Test
    void checkPassesTheGeneratedProjectForEveryStageAndTheOfflineProfile() throws IOException {
        Path tree = copyTree(dir);
        assertThat(init(tree).exitCode()).isEqualTo(Main.OK);
        String pipeline = tree.resolve("pipeline.yml").toString();

        CliRun check = CliRun.of("check", "--config", pipeline);
        CliRun offline = CliRun.of("check", "--config", pipeline, "--profile", "offline");

        assertThat(check.exitCode()).as(check.toString()).isEqualTo(Main.OK);
        assertThat(check.out()).isEmpty();
        assertThat(check.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stages seed, wip, prep, ship, prod)\n");
        assertThat(offline.exitCode()).as(offline.toString()).isEqualTo(Main.OK);
        assertThat(offline.out()).isEmpty();
    }

    @Test
    void checkListsTheRealProblemsOfATreeWithUndecidedTargets() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), "server {\n    listen 80;\n    server_name a.example.com;\n"
                + "    location / {\n        proxy_pass http://app:8080;\n    }\n    location /ext {\n"
                + "        proxy_pass http://api.example.org;\n    }\n}\n");

        CliRun run = CliRun.of("init", "--conf-d", confD.toString(), "--out", dir.toString());
        CliRun check = CliRun.of("check", "--config", dir.resolve("pipeline.yml").toString(), "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.outLines()).endsWith(confD.resolve("site.conf") + ":8: upstream host 'api.example.org' is"
                + " outside the stage (a public host name, not a container name); no backend written for it (if your stage"
                + " network gives a container that alias, add it to pipeline.yml)");
        assertThat(check.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(check.outLines()).containsExactly(confD.resolve("site.conf") + ":8: upstream host 'api.example.org'"
                + " is not a backend of stage 'prep' (known backends: app)");
        assertThat(dir.resolve("routes.yml")).content().contains("  - request: 'GET http://a.example.com/'\n"
                + "    expect: {backend: app}\n");
    }

    @Test
    void serversAllInTheMainConfigBesideAnEmptyConfDCheckClean() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path main = Files.writeString(dir.resolve("nginx.conf"), """
                events {}
                http {
                    server {
                        listen 80;
                        location / { proxy_pass http://app:8080; }
                        location ~ \\.php$ { fastcgi_pass php:9000; }
                    }
                }
                """);

        CliRun run = CliRun.of("init", "--conf-d", confD.toString(), "--main-config", main.toString(), "--out",
                dir.toString());
        CliRun check = CliRun.of("check", "--config", dir.resolve("pipeline.yml").toString(), "--static");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.err()).isEqualTo("init: 2 backends, 2 routes\n");
        assertThat(dir.resolve("routes.yml")).content()
                .contains("  - request: 'GET http://default.proxystage.invalid/'\n    expect: {backend: app}\n")
                .contains("  - request: 'GET http://default.proxystage.invalid/index.php'\n    expect: {backend: php}\n");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(Main.OK);
        assertThat(check.out()).isEmpty();
    }

    @Test
    void existingFilesAreKeptUnlessForced() throws IOException {
        Path tree = copyTree(dir);
        Files.writeString(tree.resolve("pipeline.yml"), "mine\n");

        CliRun refused = init(tree);

        assertThat(refused.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).isEqualTo(tree.resolve("pipeline.yml") + " exists; nothing written (--force"
                + " overwrites)\ninit: nothing written\n");
        assertThat(tree.resolve("pipeline.yml")).hasContent("mine");
        assertThat(tree.resolve("routes.yml")).doesNotExist();

        CliRun forced = init(tree, "--force");

        assertThat(forced.exitCode()).as(forced.toString()).isEqualTo(Main.OK);
        assertThat(forced.outLines()).startsWith(
                "replaced " + tree.resolve("pipeline.yml") + " (38 backends, each the echo backend until its image is named)",
                "wrote " + tree.resolve("pipeline-offline.yml") + " (offline images, every backend the echo backend)",
                "wrote " + tree.resolve("routes.yml") + " (49 routes)");
        assertThat(tree.resolve("pipeline.yml")).content().startsWith("# Written by proxystage init");
    }

    @Test
    void aDanglingRoutesLinkIsRefusedInOneLineAndNothingIsWritten() throws IOException {
        Path tree = copyTree(dir.resolve("tree"));
        Path outside = dir.resolve("outside/routes.yml");
        Files.createSymbolicLink(tree.resolve("routes.yml"), outside);

        CliRun run = init(tree, "--force");

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).isEqualTo(tree.resolve("routes.yml") + " is a symbolic link to " + outside + "; init writes"
                + " no file through a link: remove it, or choose another --out; nothing written\ninit: nothing written\n");
        assertThat(outside).doesNotExist();
        assertThat(tree.resolve("pipeline.yml")).doesNotExist();
    }

    @Test
    void aBrokenConfDIsOneLineWithFileAndLineAndNothingIsWritten() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), "server {\n    listen 80;\n    location / {\n"
                + "        proxy_pass http://app:8080\n    }\n}\n");

        CliRun run = CliRun.of("init", "--conf-d", confD.toString(), "--out", dir.resolve("out").toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).startsWith(confD.resolve("site.conf") + ":").endsWith("\ninit: nothing written\n")
                .doesNotContain("\tat ");
        assertThat(run.err().lines()).hasSize(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMissingIncludeDirectoryNamesTheOption() throws IOException {
        Path tree = copyTree(dir);

        CliRun run = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--files",
                "/config/nginx=" + tree.resolve("nope"), "--out", tree.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).isEqualTo("directory for /config/nginx not found: " + tree.resolve("nope")
                + "\ninit: nothing written\n");
    }

    @Test
    void withoutTheFilesMappingTheIncludeIsReportedWhereItIsWritten() throws IOException {
        Path tree = copyTree(dir);

        CliRun run = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).startsWith(tree.resolve("conf.d") + "/").contains("/config/nginx/")
                .endsWith("\ninit: nothing written\n");
    }

    @Test
    void usageErrors() {
        CliRun noConfD = CliRun.of("init");
        CliRun badFiles = CliRun.of("init", "--conf-d", dir.toString(), "--files", "nginx");
        CliRun unknown = CliRun.of("init", "--conf-d", dir.toString(), "--forse");

        assertThat(noConfD.exitCode()).isEqualTo(Main.USAGE);
        assertThat(noConfD.err()).startsWith("Missing required option: '--conf-d=<dir>'")
                .contains("Usage: java -jar proxystage-cli.jar init");
        assertThat(badFiles.exitCode()).as(badFiles.toString()).isEqualTo(Main.USAGE);
        assertThat(badFiles.err()).startsWith("--files expects <container-path>=<host-path>, got 'nginx'");
        assertThat(unknown.exitCode()).isEqualTo(Main.USAGE);
        assertThat(unknown.err()).startsWith("Unknown option: '--forse'").contains("Possible solutions: --force");
    }

    @Test
    void pathsUnderTheWorkingDirectoryArePrintedRelativeToItAsCheckPrintsThem() {
        Path confD = CliRun.fixture("init-notes").resolve("conf.d").toAbsolutePath();

        CliRun run = CliRun.of("init", "--conf-d", confD.toString(), "--out", dir.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.outLines()).last().asString().startsWith("src/test/resources/cli/init-notes/conf.d/site.conf:8:"
                + " upstream host 'api.example.org' is outside the stage");
        assertThat(run.outLines()).first().asString().startsWith("wrote " + dir.resolve("pipeline.yml"));
    }
}
