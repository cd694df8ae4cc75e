package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageRefTest {

    @Test
    void aPlainNameHasNoRegistryTagOrDigest() {
        assertThat(ImageRef.parse("nginx"))
                .isEqualTo(new ImageRef(Optional.empty(), "nginx", Optional.empty(), Optional.empty()));
    }

    @Test
    void aRegistryPortIsNoTag() {
        ImageRef ref = ImageRef.parse("host:5000/nginx:1.25");

        assertThat(ref).isEqualTo(new ImageRef(Optional.of("host:5000"), "nginx", Optional.of("1.25"), Optional.empty()));
        assertThat(ImageRef.parse("host:5000/nginx").tag()).isEmpty();
        assertThat(ImageRef.parse("localhost/proxystage/nginx:offline").registry()).contains("localhost");
    }

    @Test
    void aDigestComesOffBeforeTheTag() {
        ImageRef ref = ImageRef.parse("registry.example:5000/library/nginx:1.26.3-perl@sha256:ab12");

        assertThat(ref.registry()).contains("registry.example:5000");
        assertThat(ref.repository()).isEqualTo("library/nginx");
        assertThat(ref.tag()).contains("1.26.3-perl");
        assertThat(ref.digest()).contains("sha256:ab12");
        assertThat(ImageRef.parse("nginx@sha256:ab12").tag()).isEmpty();
    }

    @Test
    void aFirstComponentWithoutDotOrPortIsPartOfTheRepository() {
        ImageRef ref = ImageRef.parse("proxystage/nginx:offline");

        assertThat(ref.registry()).isEmpty();
        assertThat(ref.repository()).isEqualTo("proxystage/nginx");
        assertThat(ref.name()).isEqualTo("nginx");
    }

    @Test
    void dockerHubNamesLoseLibrary() {
        assertThat(ImageRef.parse("library/nginx:1.25").hubRepository()).contains("nginx");
        assertThat(ImageRef.parse("docker.io/library/nginx").hubRepository()).contains("nginx");
        assertThat(ImageRef.parse("index.docker.io/proxystage/nginx:offline").hubRepository()).contains("proxystage/nginx");
        assertThat(ImageRef.parse("host:5000/library/nginx:1.25").hubRepository()).isEmpty();
    }

    @Test
    void theLayoutAndTheVersionReadTheSameReference() {
        assertThat(ImageLayout.of("docker.io/library/nginx:1.25@sha256:ab")).isEqualTo(ImageLayout.OFFICIAL);
        assertThat(ImageLayout.of("host:5000/nginx:1.25")).isEqualTo(ImageLayout.OTHER);
        assertThat(ImageLayout.of("Proxystage/Nginx:offline")).isEqualTo(ImageLayout.DEBIAN);
        assertThat(NginxRules.Options.imageVersion("host:5000/nginx:1.25")).contains("1.25.x");
        assertThat(NginxRules.Options.imageVersion("host:5000/nginx")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("nginx@sha256:ab12")).isEmpty();
    }
}
