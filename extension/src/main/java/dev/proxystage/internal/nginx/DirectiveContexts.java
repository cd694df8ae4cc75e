package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where nginx allows each directive of its core and http modules, after the "Context:" lines of nginx.org's directive
 * reference. A directive in a context its module does not allow stops nginx ({@code "location" directive is not
 * allowed here}), so it is an error. Unknown names (third-party modules) are not judged; stream and mail blocks are
 * other modules with other rules and are not entered.
 */
final class DirectiveContexts {

    static final int MAIN = 1;
    static final int EVENTS = 1 << 1;
    static final int HTTP = 1 << 2;
    static final int SERVER = 1 << 3;
    static final int LOCATION = 1 << 4;
    static final int IF_IN_SERVER = 1 << 5;
    static final int IF_IN_LOCATION = 1 << 6;
    static final int LIMIT_EXCEPT = 1 << 7;

    private static final int HSL = HTTP | SERVER | LOCATION;
    private static final int HS = HTTP | SERVER;
    private static final int REWRITE = SERVER | LOCATION | IF_IN_SERVER | IF_IN_LOCATION;

    private static final Map<String, Integer> ALLOWED = new HashMap<>();

    static {
        allow(MAIN, "user", "worker_processes", "pid", "daemon", "master_process", "worker_rlimit_nofile",
                "worker_rlimit_core", "load_module", "env", "pcre_jit", "thread_pool", "worker_shutdown_timeout",
                "worker_cpu_affinity", "worker_priority", "lock_file", "timer_resolution", "working_directory",
                "ssl_engine", "events", "http", "stream", "mail", "debug_points");
        allow(EVENTS, "worker_connections", "use", "multi_accept", "accept_mutex", "accept_mutex_delay",
                "debug_connection", "worker_aio_requests");
        allow(MAIN | HSL, "error_log");
        allow(HTTP, "server", "upstream", "map", "geo", "split_clients", "log_format", "limit_req_zone",
                "limit_conn_zone", "proxy_cache_path", "server_names_hash_bucket_size", "server_names_hash_max_size",
                "variables_hash_bucket_size", "variables_hash_max_size", "map_hash_bucket_size",
                "map_hash_max_size", "http2_recv_buffer_size", "fastcgi_cache_path", "uwsgi_cache_path",
                "scgi_cache_path", "geoip_country",
                "geoip_city");
        allow(SERVER | LOCATION, "location", "try_files", "valid_referers", "stub_status");
        allow(SERVER, "listen", "server_name");
        allow(LOCATION, "alias", "internal", "limit_except", "fastcgi_split_path_info", "empty_gif", "flv", "mp4",
                "secure_link_secret");
        allow(SERVER | LOCATION, "if");
        allow(REWRITE, "return", "rewrite", "set", "break");
        allow(HTTP | REWRITE, "rewrite_log", "uninitialized_variable_warn");
        allow(LOCATION | IF_IN_LOCATION | LIMIT_EXCEPT, "proxy_pass");
        allow(LOCATION | IF_IN_LOCATION, "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass");
        allow(HSL | IF_IN_LOCATION, "root", "error_page", "sendfile", "limit_rate", "limit_rate_after", "add_header",
                "add_trailer", "expires", "gzip", "charset", "source_charset", "override_charset", "ssi");
        allow(HSL | IF_IN_LOCATION | LIMIT_EXCEPT, "access_log");
        allow(HSL | LIMIT_EXCEPT, "allow", "deny", "auth_basic", "auth_basic_user_file");
        allow(HS, "client_header_timeout", "client_header_buffer_size", "large_client_header_buffers",
                "underscores_in_headers", "ignore_invalid_headers", "merge_slashes", "request_pool_size",
                "connection_pool_size", "http2", "http2_max_concurrent_streams", "http2_body_preread_size", "http3",
                "http3_hq", "quic_retry", "quic_gso",
                "quic_host_key", "proxy_protocol_timeout", "ssl_certificate", "ssl_certificate_key",
                "ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_session_cache",
                "ssl_session_timeout", "ssl_session_tickets", "ssl_session_ticket_key", "ssl_dhparam",
                "ssl_ecdh_curve", "ssl_stapling", "ssl_stapling_verify", "ssl_stapling_file",
                "ssl_stapling_responder", "ssl_trusted_certificate", "ssl_client_certificate", "ssl_verify_client",
                "ssl_verify_depth", "ssl_buffer_size", "ssl_early_data", "ssl_conf_command", "ssl_password_file",
                "ssl_crl", "ssl_reject_handshake", "ssl_ocsp", "ssl_ocsp_cache", "ssl_ocsp_responder",
                "ssl_certificate_cache");
        allow(HSL, "index", "client_max_body_size", "client_body_buffer_size", "client_body_timeout",
                "client_body_temp_path", "client_body_in_file_only", "client_body_in_single_buffer",
                "keepalive_timeout", "keepalive_requests", "keepalive_time", "keepalive_disable", "send_timeout",
                "tcp_nopush", "tcp_nodelay", "types_hash_max_size", "types_hash_bucket_size", "server_tokens",
                "default_type", "types", "resolver", "resolver_timeout", "open_log_file_cache",
                "absolute_redirect", "port_in_redirect", "server_name_in_redirect", "chunked_transfer_encoding",
                "etag", "if_modified_since", "log_not_found", "log_subrequest", "satisfy", "reset_timedout_connection",
                "lingering_close", "lingering_time", "lingering_timeout", "aio", "aio_write", "directio",
                "directio_alignment", "output_buffers", "postpone_output", "recursive_error_pages", "auth_delay",
                "open_file_cache", "open_file_cache_errors", "open_file_cache_min_uses", "open_file_cache_valid",
                "disable_symlinks", "subrequest_output_buffer_size", "max_ranges", "msie_padding", "msie_refresh",
                "read_ahead", "send_lowat", "sendfile_max_chunk", "auth_request", "auth_request_set",
                "gzip_types", "gzip_comp_level", "gzip_min_length", "gzip_proxied", "gzip_vary", "gzip_disable",
                "gzip_buffers", "gzip_http_version", "gzip_static", "limit_req", "limit_req_status",
                "limit_req_log_level", "limit_req_dry_run", "limit_conn", "limit_conn_status",
                "limit_conn_log_level", "limit_conn_dry_run", "set_real_ip_from", "real_ip_header",
                "real_ip_recursive", "charset_types", "sub_filter", "sub_filter_once", "sub_filter_types",
                "sub_filter_last_modified", "autoindex", "autoindex_exact_size", "autoindex_format",
                "autoindex_localtime", "ssi_types", "ssi_silent_errors", "ssi_value_length", "ssi_min_file_chunk",
                "mirror", "mirror_request_body", "secure_link", "secure_link_md5", "userid", "ssi_last_modified",
                "http2_chunk_size",
                "userid_domain", "userid_expires", "userid_name", "userid_path", "userid_flags", "userid_p3p",
                "fastcgi_param", "fastcgi_index", "fastcgi_read_timeout", "fastcgi_connect_timeout",
                "fastcgi_send_timeout", "fastcgi_buffers", "fastcgi_buffer_size", "fastcgi_buffering",
                "fastcgi_intercept_errors", "fastcgi_hide_header", "fastcgi_pass_header", "fastcgi_keep_conn",
                "uwsgi_param", "uwsgi_read_timeout", "uwsgi_connect_timeout", "uwsgi_send_timeout", "scgi_param",
                "grpc_set_header", "grpc_read_timeout", "grpc_connect_timeout", "grpc_send_timeout",
                "grpc_hide_header", "grpc_pass_header", "grpc_ssl_verify", "grpc_ssl_server_name", "grpc_ssl_name",
                "grpc_ssl_trusted_certificate", "grpc_intercept_errors", "grpc_buffer_size", "grpc_next_upstream",
                "proxy_set_header", "proxy_hide_header", "proxy_pass_header", "proxy_http_version",
                "proxy_redirect", "proxy_buffering", "proxy_buffers", "proxy_buffer_size", "proxy_busy_buffers_size",
                "proxy_read_timeout", "proxy_connect_timeout", "proxy_send_timeout", "proxy_cache",
                "proxy_cache_valid", "proxy_cache_key", "proxy_cache_bypass", "proxy_no_cache",
                "proxy_cache_use_stale", "proxy_cache_lock", "proxy_cache_lock_timeout", "proxy_cache_lock_age",
                "proxy_cache_methods", "proxy_cache_min_uses", "proxy_cache_revalidate",
                "proxy_cache_background_update", "proxy_cache_convert_head", "proxy_cache_max_range_offset",
                "proxy_intercept_errors", "proxy_next_upstream", "proxy_next_upstream_tries",
                "proxy_next_upstream_timeout", "proxy_request_buffering", "proxy_ssl_verify",
                "proxy_ssl_server_name", "proxy_ssl_name", "proxy_ssl_trusted_certificate", "proxy_ssl_protocols",
                "proxy_ssl_certificate", "proxy_ssl_certificate_key", "proxy_ssl_verify_depth",
                "proxy_ssl_session_reuse", "proxy_ssl_ciphers", "proxy_ssl_crl", "proxy_ssl_conf_command",
                "proxy_ssl_password_file", "proxy_cookie_domain", "proxy_cookie_path", "proxy_cookie_flags",
                "proxy_ignore_headers", "proxy_max_temp_file_size", "proxy_temp_path", "proxy_temp_file_write_size",
                "proxy_method", "proxy_pass_request_body", "proxy_pass_request_headers", "proxy_set_body",
                "proxy_socket_keepalive", "proxy_bind", "proxy_headers_hash_max_size",
                "proxy_headers_hash_bucket_size", "proxy_store", "proxy_store_access", "proxy_limit_rate",
                "proxy_ignore_client_abort", "proxy_force_ranges", "proxy_connect_timeout");
    }

    private DirectiveContexts() {
    }

    private static void allow(int contexts, String... names) {
        for (String name : names) {
            ALLOWED.merge(name, contexts, (a, b) -> a | b);
        }
    }

    /** Every directive of {@code top} (the main context) that sits where nginx does not allow it, in order. */
    /** Whether nginx's core or http modules know {@code name}. */
    static boolean isKnown(String name) {
        return ALLOWED.containsKey(name);
    }

    static List<Problem> check(List<Directive> top) {
        List<Problem> problems = new ArrayList<>();
        walk(top, MAIN, problems);
        return problems;
    }

    private record Frame(java.util.Iterator<Directive> directives, int context) {
    }

    private static void walk(List<Directive> top, int mainContext, List<Problem> problems) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        java.util.Deque<Frame> open = new java.util.ArrayDeque<>();
        open.push(new Frame(top.iterator(), mainContext));
        while (!open.isEmpty()) {
            Frame frame = open.peek();
            if (!frame.directives().hasNext()) {
                open.pop();
                continue;
            }
            Directive d = frame.directives().next();
            int context = frame.context();
            Integer allowed = ALLOWED.get(d.name());
            if (allowed != null && (allowed & context) == 0) {
                problems.add(new Problem(Severity.ERROR, d.file(), d.line(), "\"" + d.name()
                        + "\" directive is not allowed here (in " + name(context) + "; nginx allows it in "
                        + names(allowed) + ")"));
                continue;
            }
            if (allowed == null || !d.hasBlock()) {
                continue;
            }
            int inner = switch (d.name()) {
                case "events" -> EVENTS;
                case "http" -> HTTP;
                case "server" -> SERVER;
                case "location" -> LOCATION;
                case "if" -> context == SERVER ? IF_IN_SERVER : IF_IN_LOCATION;
                case "limit_except" -> LIMIT_EXCEPT;
                default -> 0; // upstream, map, types, stream, mail: other rules or data
            };
            if (inner != 0) {
                open.push(new Frame(d.block().iterator(), inner));
            }
        }
    }

    private static String names(int contexts) {
        List<String> names = new ArrayList<>();
        for (int bit = MAIN; bit <= LIMIT_EXCEPT; bit <<= 1) {
            if ((contexts & bit) != 0) {
                names.add(name(bit));
            }
        }
        return String.join(", ", names);
    }

    private static String name(int context) {
        return switch (context) {
            case MAIN -> "main";
            case EVENTS -> "events";
            case HTTP -> "http";
            case SERVER -> "server";
            case LOCATION -> "location";
            case IF_IN_SERVER -> "if in server";
            case IF_IN_LOCATION -> "if in location";
            default -> "limit_except";
        };
    }
}
