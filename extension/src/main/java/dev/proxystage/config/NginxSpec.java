package dev.proxystage.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The nginx under test.
 *
 * @param image    the nginx image
 * @param confDir  the real conf.d on the host; it is copied into the container unchanged at {@code /etc/nginx/conf.d}
 * @param files    extra host directories by container path, for includes outside conf.d
 *                 (e.g. {@code /config/nginx -> ./nginx})
 */
public record NginxSpec(String image, Path confDir, Map<String, Path> files) {

    public static final String CONF_D = "/etc/nginx/conf.d";

    public NginxSpec {
        files = Map.copyOf(files);
    }
}
