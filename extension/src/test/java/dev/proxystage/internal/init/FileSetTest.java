package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init's files are written all or none, never through a link, and a failure leaves the directory as it was. */
class FileSetTest {

    @TempDir
    Path dir;

    private static final Map<String, String> FILES = new LinkedHashMap<>(Map.of());

    static {
        FILES.put("pipeline.yml", "new pipeline\n");
        FILES.put("pipeline-offline.yml", "new offline\n");
        FILES.put("routes.yml", "new routes\n");
    }

    /** The disk, except that the {@code n}-th call of {@code step} fails as a full disk would. */
    private static FileSet.Ops failing(String step, int n) {
        int[] calls = {0};
        return new FileSet.Ops() {
            private void maybeFail(String name) throws IOException {
                if (name.equals(step) && ++calls[0] == n) {
                    throw new IOException("No space left on device");
                }
            }

            @Override
            public void write(Path file, String content) throws IOException {
                maybeFail("write");
                FileSet.DISK.write(file, content);
            }

            @Override
            public void backup(Path target, Path backup) throws IOException {
                maybeFail("backup");
                FileSet.DISK.backup(target, backup);
            }

            @Override
            public void move(Path from, Path to) throws IOException {
                maybeFail("move");
                FileSet.DISK.move(from, to);
            }
        };
    }

    private List<String> listing(Path where) throws IOException {
        try (Stream<Path> files = Files.list(where)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void allFilesAreWrittenAndSaySo() throws IOException {
        List<FileSet.Written> written = FileSet.write(dir, FILES, false, FileSet.DISK);

        assertThat(written).containsExactly(new FileSet.Written(dir.resolve("pipeline.yml"), false),
                new FileSet.Written(dir.resolve("pipeline-offline.yml"), false),
                new FileSet.Written(dir.resolve("routes.yml"), false));
        assertThat(listing(dir)).containsExactly("pipeline-offline.yml", "pipeline.yml", "routes.yml");
        assertThat(dir.resolve("routes.yml")).hasContent("new routes");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("routes.yml"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void aLaterFileThatFailsLeavesNoneOfTheNewSet() throws IOException {
        assertThatThrownBy(() -> FileSet.write(dir, FILES, false, failing("move", 3)))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("cannot write into " + dir + ": No space left on device; nothing written");

        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void aFullDiskWhileWritingLeavesNoPartialFile() throws IOException {
        assertThatThrownBy(() -> FileSet.write(dir, FILES, false, failing("write", 2)))
                .hasMessageEndingWith("No space left on device; nothing written");

        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void forceNeverLeavesAHalfOverwrittenSet() throws IOException {
        Files.writeString(dir.resolve("pipeline.yml"), "mine\n");
        Files.writeString(dir.resolve("routes.yml"), "my routes\n");
        Files.setPosixFilePermissions(dir.resolve("routes.yml"), PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> FileSet.write(dir, FILES, true, failing("move", 3)))
                .hasMessageEndingWith("; nothing written");

        assertThat(dir.resolve("pipeline.yml")).hasContent("mine");
        assertThat(dir.resolve("routes.yml")).hasContent("my routes");
        assertThat(listing(dir)).containsExactly("pipeline.yml", "routes.yml");

        List<FileSet.Written> written = FileSet.write(dir, FILES, true, FileSet.DISK);

        assertThat(written).extracting(FileSet.Written::replaced).containsExactly(true, false, true);
        assertThat(dir.resolve("pipeline.yml")).hasContent("new pipeline");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("routes.yml"))))
                .isEqualTo("rw-------");
        assertThat(listing(dir)).containsExactly("pipeline-offline.yml", "pipeline.yml", "routes.yml");
    }

    @Test
    void aDanglingLinkOutsideTheDirectoryIsNotWrittenThrough() throws IOException {
        Path outside = dir.resolve("elsewhere/routes.yml");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(out.resolve("routes.yml"), outside);

        assertThatThrownBy(() -> FileSet.write(out, FILES, true, FileSet.DISK))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(out.resolve("routes.yml") + " is a symbolic link to " + outside + "; init writes no file"
                        + " through a link: remove it, or choose another --out; nothing written");

        assertThat(outside).doesNotExist();
        assertThat(dir.resolve("elsewhere")).doesNotExist();
        assertThat(listing(out)).containsExactly("routes.yml");
    }

    @Test
    void aLinkToAFileIsRefusedEvenWithForce() throws IOException {
        Path real = Files.writeString(dir.resolve("real.yml"), "keep\n");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(out.resolve("pipeline.yml"), real);

        assertThatThrownBy(() -> FileSet.write(out, FILES, true, FileSet.DISK)).hasMessageContaining("symbolic link");

        assertThat(real).hasContent("keep");
    }

    @Test
    void aDirectoryItCreatedIsRemovedWhenTheWriteFails() {
        Path out = dir.resolve("new/project");

        assertThatThrownBy(() -> FileSet.write(out, FILES, false, failing("move", 2)))
                .hasMessageEndingWith("; nothing written");

        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void aTargetThatIsADirectoryIsRefusedBeforeAnythingIsWritten() throws IOException {
        Files.createDirectories(dir.resolve("routes.yml"));

        assertThatThrownBy(() -> FileSet.write(dir, FILES, true, FileSet.DISK))
                .hasMessage(dir.resolve("routes.yml") + " exists and is not a regular file; nothing written");

        assertThat(listing(dir)).containsExactly("routes.yml");
    }
}
