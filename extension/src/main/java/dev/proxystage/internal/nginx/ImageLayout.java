package dev.proxystage.internal.nginx;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the nginx images ProxyStage knows have on their own: the official image ({@code nginx:*}, from nginx.org's
 * packages) and the offline one ({@code proxystage/nginx:offline}, Debian's nginx). A path one of them has is never
 * reported as missing. For any other image the union of both is assumed, and what is still missing is only a
 * warning: that image may have it.
 */
enum ImageLayout {

    OFFICIAL(List.of("/var/cache/nginx", "/etc/nginx/modules"), List.of()),
    DEBIAN(List.of("/var/lib/nginx", "/etc/nginx/snippets", "/etc/nginx/modules-enabled",
            "/etc/nginx/modules-available", "/etc/nginx/sites-available", "/etc/nginx/sites-enabled",
            "/etc/ssl/private", "/run/lock", "/usr/share/nginx/modules"),
            List.of("/etc/nginx/fastcgi.conf", "/etc/nginx/proxy_params", "/etc/nginx/koi-utf", "/etc/nginx/koi-win",
                    "/etc/nginx/win-utf", "/etc/nginx/snippets/fastcgi-php.conf", "/etc/nginx/snippets/snakeoil.conf",
                    // the offline image's one module file (scripts/build-offline-images.sh), under both of its names
                    "/usr/lib/nginx/modules/ngx_http_echo_module.so",
                    "/usr/share/nginx/modules/ngx_http_echo_module.so")),
    /** An image ProxyStage does not know: either layout may be its. */
    OTHER(List.of(), List.of());

    /** Directories of every Debian-based (and Alpine) nginx image, and of the file system itself. */
    private static final List<String> COMMON_DIRS = List.of("/", "/etc", "/etc/nginx", "/etc/nginx/conf.d", "/etc/ssl",
            "/etc/ssl/certs", "/var", "/var/log", "/var/log/nginx", "/var/run", "/run", "/var/cache", "/var/lib",
            "/var/tmp", "/tmp", "/usr", "/usr/lib", "/usr/share", "/usr/share/nginx", "/usr/share/nginx/html",
            "/usr/lib/nginx", "/usr/lib/nginx/modules", "/usr/local", "/home", "/root", "/srv", "/opt", "/mnt",
            "/dev/shm");
    private static final List<String> COMMON_FILES = List.of("/etc/nginx/nginx.conf", "/etc/nginx/mime.types",
            "/etc/nginx/fastcgi_params", "/etc/nginx/scgi_params", "/etc/nginx/uwsgi_params",
            "/etc/ssl/certs/ca-certificates.crt");
    /**
     * The accounts of both images: Debian's base-passwd (the official image is Debian-based too) and "nginx", which
     * both add. nginx looks up the {@code user} directive's name with getpwnam() at start.
     */
    private static final Set<String> USERS = Set.of("root", "daemon", "bin", "sys", "sync", "games", "man", "lp",
            "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "_apt", "nobody", "nginx");
    /** Trees whose content the system owns (the CA store, devices): nothing under them is reported. */
    private static final List<String> SYSTEM_TREES = List.of("/etc/ssl/certs", "/dev", "/proc", "/sys");

    private final Set<String> dirs = new HashSet<>();
    private final Set<String> files = new HashSet<>();

    ImageLayout(List<String> ownDirs, List<String> ownFiles) {
        dirs.addAll(ownDirs);
        files.addAll(ownFiles);
    }

    /** The layout of {@code image}: by its repository on Docker Hub, whatever its tag or digest. */
    static ImageLayout of(String image) {
        return switch (ImageRef.parse(image.toLowerCase(Locale.ROOT)).hubRepository().orElse("")) {
            case "nginx" -> OFFICIAL;
            case "proxystage/nginx" -> DEBIAN;
            default -> OTHER;
        };
    }

    /** Whether the image is one whose layout ProxyStage knows (what is missing in it is then certain). */
    boolean known() {
        return this != OTHER;
    }

    boolean hasDirectory(String path) {
        return COMMON_DIRS.contains(path) || inSystemTree(path) || dirs.contains(path)
                || this == OTHER && (OFFICIAL.dirs.contains(path) || DEBIAN.dirs.contains(path));
    }

    boolean hasFile(String path) {
        return COMMON_FILES.contains(path) || inSystemTree(path) || files.contains(path)
                || this == OTHER && (OFFICIAL.files.contains(path) || DEBIAN.files.contains(path));
    }

    /**
     * The prefix nginx resolves a relative {@code load_module} path against ({@code --prefix}): Debian's
     * /usr/share/nginx, the official image's /etc/nginx; empty for an image ProxyStage does not know.
     */
    Optional<String> modulePrefix() {
        return switch (this) {
            case OFFICIAL -> Optional.of("/etc/nginx");
            case DEBIAN -> Optional.of("/usr/share/nginx");
            case OTHER -> Optional.empty();
        };
    }

    /**
     * Whether ProxyStage knows every module file of the image, so a {@code load_module} of any other one is certain
     * to fail: the offline image's (the official image's set differs between its variants).
     */
    boolean knowsModuleFiles() {
        return this == DEBIAN;
    }

    /**
     * Whether the image's nginx has {@code module} only as a dynamic module, known once load_module loads it:
     * Debian builds stream and mail that way (--with-stream=dynamic, --with-mail=dynamic); the official image
     * compiles them in; for an image ProxyStage does not know, nothing is assumed.
     */
    boolean loadsOnly(String module) {
        return this == DEBIAN && (module.startsWith("ngx_stream_") || module.startsWith("ngx_mail_"));
    }

    /** Whether the image has account {@code name}; an image ProxyStage does not know may have any. */
    boolean hasUser(String name) {
        return this == OTHER || USERS.contains(name);
    }

    private static boolean inSystemTree(String path) {
        for (String tree : SYSTEM_TREES) {
            if (ParseRequest.isUnder(path, tree)) {
                return true;
            }
        }
        return false;
    }
}
