package dev.proxystage.internal.config;

import dev.proxystage.internal.nginx.ParseRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The nginx under test.
 *
 * @param image    the nginx image
 * @param confDir  the real conf.d on the host; it is copied into the container unchanged at {@code /etc/nginx/conf.d}
 * @param files    extra host directories or single files by container path, for includes outside conf.d and files
 *                 nginx reads (e.g. {@code /config/nginx -> ./nginx}, {@code /etc/nginx/dhparams.pem ->
 *                 ./certs/dhparams.pem})
 * @param mainConfig the host's main nginx.conf, placed at {@code /etc/nginx/nginx.conf}; without it the image's own
 *                 main configuration (which includes conf.d/*.conf in its http block) is used
 * @param modules  third-party modules the image's nginx carries ({@code nginx.modules}); with any, a directive or
 *                 variable that no module of nginx's own has is a warning instead of an error
 */
public record NginxSpec(String image, Path confDir, Map<String, Path> files, Optional<Path> mainConfig,
                        List<String> modules) {

    public static final String CONF_D = "/etc/nginx/conf.d";
    public static final String MAIN_CONFIG = "/etc/nginx/nginx.conf";

    public NginxSpec {
        files = Map.copyOf(files);
        modules = List.copyOf(modules);
    }

    /** Without third-party modules. */
    public NginxSpec(String image, Path confDir, Map<String, Path> files, Optional<Path> mainConfig) {
        this(image, confDir, files, mainConfig, List.of());
    }

    /** How the parser sees this nginx: conf.d, the extra directories and, if given, the main configuration. */
    public ParseRequest parseRequest() {
        ParseRequest request = ParseRequest.of(confDir).withFiles(files);
        return mainConfig.map(request::withMainConf).orElse(request);
    }
}
