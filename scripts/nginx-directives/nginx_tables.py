#!/usr/bin/env python3
"""Reads nginx's own source trees and writes what `check` needs to know about them as data.

    nginx_tables.py OUT_DIR VERSION=SRC_DIR [VERSION=SRC_DIR ...]

For every module that nginx's official image or Debian's nginx builds carry, it reads:
  - the ngx_command_t arrays: each directive's name, module, the contexts its flags allow, its
    argument rule, whether it opens a block, the handler that parses it (and so whether a second
    one in the same block is refused as "is duplicate"), and the words an enum/bitmask accepts;
  - the variable tables (ngx_http_variable_t, ngx_stream_variable_t, and names registered one by
    one with ngx_http_add_variable), prefixes such as "http_" included;
  - the parameters the listen directives of http, stream and mail, and the server directive of http
    and stream upstreams, compare their arguments with;
and the CHANGES file of the newest tree, for the version that added or removed a directive.

Facts only: names, flags and version numbers. No nginx code is copied.
Writes directives.tsv, variables.tsv and parameters.tsv into OUT_DIR.
"""

import os
import re
import sys

# Modules no build of the official image or of Debian carries on Linux: other platforms' event
# methods, profiling and C++ test modules, and the degradation module nobody configures.
SKIP_FILES = {
    "ngx_devpoll_module.c", "ngx_eventport_module.c", "ngx_iocp_module.c", "ngx_kqueue_module.c",
    "ngx_select_module.c", "ngx_win32_select_module.c", "ngx_win32_poll_module.c",
    "ngx_google_perftools_module.c", "ngx_cpp_test_module.cpp", "ngx_http_degradation_module.c",
}

# Modules that both the official image and Debian build only as loadable modules (load_module).
DYNAMIC_ONLY = {
    "ngx_http_geoip_module", "ngx_stream_geoip_module", "ngx_http_image_filter_module",
    "ngx_http_xslt_filter_module", "ngx_http_perl_module",
}

# Handlers of ngx_conf_file.c that refuse a second directive setting the same field.
DUPLICATE_SLOTS = {
    "ngx_conf_set_flag_slot", "ngx_conf_set_str_slot", "ngx_conf_set_num_slot",
    "ngx_conf_set_size_slot", "ngx_conf_set_off_slot", "ngx_conf_set_msec_slot",
    "ngx_conf_set_sec_slot", "ngx_conf_set_bufs_slot", "ngx_conf_set_enum_slot",
}

CONTEXTS = {
    "NGX_CORE_MODULE": {"NGX_MAIN_CONF": "main", "NGX_ANY_CONF": "any"},
    "NGX_CONF_MODULE": {"NGX_ANY_CONF": "any", "NGX_MAIN_CONF": "main"},
    "NGX_EVENT_MODULE": {"NGX_EVENT_CONF": "events"},
    "NGX_HTTP_MODULE": {
        "NGX_HTTP_MAIN_CONF": "http", "NGX_HTTP_SRV_CONF": "server", "NGX_HTTP_LOC_CONF": "location",
        "NGX_HTTP_UPS_CONF": "upstream", "NGX_HTTP_SIF_CONF": "if_in_server",
        "NGX_HTTP_LIF_CONF": "if_in_location", "NGX_HTTP_LMT_CONF": "limit_except",
    },
    "NGX_STREAM_MODULE": {
        "NGX_STREAM_MAIN_CONF": "stream", "NGX_STREAM_SRV_CONF": "stream_server",
        "NGX_STREAM_UPS_CONF": "stream_upstream",
    },
    "NGX_MAIL_MODULE": {"NGX_MAIL_MAIN_CONF": "mail", "NGX_MAIL_SRV_CONF": "mail_server"},
}
CONTEXT_ORDER = ["any", "main", "events", "http", "server", "location", "upstream", "if_in_server",
                 "if_in_location", "limit_except", "stream", "stream_server", "stream_upstream",
                 "mail", "mail_server"]
TYPE_NAMES = {"NGX_CORE_MODULE": "core", "NGX_CONF_MODULE": "conf", "NGX_EVENT_MODULE": "event",
              "NGX_HTTP_MODULE": "http", "NGX_STREAM_MODULE": "stream", "NGX_MAIL_MODULE": "mail"}

TAKE = {"NGX_CONF_NOARGS": "0", "NGX_CONF_TAKE1": "1", "NGX_CONF_TAKE2": "2", "NGX_CONF_TAKE3": "3",
        "NGX_CONF_TAKE4": "4", "NGX_CONF_TAKE5": "5", "NGX_CONF_TAKE6": "6", "NGX_CONF_TAKE7": "7",
        "NGX_CONF_TAKE12": "12", "NGX_CONF_TAKE13": "13", "NGX_CONF_TAKE23": "23",
        "NGX_CONF_TAKE123": "123", "NGX_CONF_TAKE1234": "1234"}


def version_key(v):
    return tuple(int(p) for p in v.split("."))


def strip_comments(text):
    # Keeps newlines so that line structure (and preprocessor lines) survive.
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def source_files(root):
    for base, dirs, files in os.walk(os.path.join(root, "src")):
        dirs[:] = sorted(d for d in dirs if d not in ("win32",))
        for name in sorted(files):
            if name.endswith(".c") and name not in SKIP_FILES:
                yield os.path.join(base, name)


def array_body(text, ctype, name=None):
    """(array name, [(entry text, conditions)]) for each `ctype NAME[] = { ... };` in text."""
    pattern = re.compile(r"\b" + ctype + r"\s+(" + (re.escape(name) if name else r"\w+") + r")\[\]\s*=\s*\{")
    for m in pattern.finditer(text):
        entries, conds, depth, start = [], [], 0, None
        i = m.end()
        line_start = True
        while i < len(text):
            c = text[i]
            if line_start and depth == 0:
                eol = text.find("\n", i)
                line = text[i:eol].strip()
                if line.startswith("#"):
                    directive = line[1:].strip()
                    if directive.startswith("if"):
                        conds.append(directive)
                    elif directive.startswith("else"):
                        conds[-1] = "!(" + conds[-1] + ")"
                    elif directive.startswith("endif"):
                        conds.pop()
                    i = eol + 1
                    continue
            line_start = c == "\n"
            if c == "{":
                if depth == 0:
                    start = i
                depth += 1
            elif c == "}":
                if depth == 0:
                    break  # end of the array
                depth -= 1
                if depth == 0:
                    entries.append((text[start + 1:i], list(conds)))
            i += 1
        yield m.group(1), entries


def disabled(conds):
    """Whether an entry sits in an `#if 0` block: compiled in no build."""
    return any(re.fullmatch(r"if\s*0", c) for c in conds)


def split_top(text):
    parts, depth, cur = [], 0, []
    for c in text:
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def function_body(text, name):
    m = re.search(r"^" + re.escape(name) + r"\(\s*ngx_conf_t\b[^)]*\)\s*\{", text, re.M)
    if not m:
        return None
    end = re.search(r"^\}", text[m.end():], re.M)
    return text[m.end():m.end() + end.start()] if end else None


def string_names(text, ctype, array):
    for _, entries in array_body(text, ctype, array):
        return [re.search(r'ngx_string\("([^"]*)"\)', e).group(1)
                for e, _ in entries if re.search(r'ngx_string\("([^"]*)"\)', e)]
    return None


def handler_conditions(root):
    """{handler: the conditions of the `if`s before its first "is duplicate"} over the whole tree.

    A handler that starts by calling another one (ngx_http_set_complex_value_size_slot calls
    ngx_http_set_complex_value_slot) inherits that one's conditions.
    """
    found, calls = {}, {}
    for path in source_files(root):
        text = strip_comments(open(path, encoding="latin-1").read())
        for m in re.finditer(r"^(\w+)\(ngx_conf_t \*cf,\s*ngx_command_t \*cmd,\s*void \*conf\)\s*\{", text, re.M):
            body = function_body(text, m.group(1))
            if body is None:
                continue
            # preprocessor lines are not code: "#if (NGX_WIN32)" is no condition
            code = "\n".join(line for line in body.splitlines() if not line.strip().startswith("#"))
            if '"is duplicate"' in code:
                before = code[:code.index('"is duplicate"')]
                conds = re.findall(r"if \((.*?)\)\s*\{", before, re.S)
                found[m.group(1)] = re.sub(r"\s+", " ", " && ".join(conds))
            else:
                call = re.search(r"=\s*(\w+)\(cf, cmd, conf\);\s*if \(rv != NGX_CONF_OK\)", code)
                if call:
                    calls[m.group(1)] = call.group(1)
    for handler, callee in calls.items():
        if callee in found:
            found[handler] = found[callee]
        elif callee in DUPLICATE_SLOTS:
            found[handler] = ""
    return found


def refuses_repeat(condition):
    """Whether a handler whose duplicate test is `condition` refuses any second directive of its name.

    Not when the test looks at the arguments (limit_req: the same zone only), nor when it fires only
    after an "off" (proxy_redirect, proxy_cookie_*: "== 0" / "== NULL"), nor when the first value
    may leave the field as it was (worker_priority 0: "!= 0").
    """
    return not re.search(r"value|shm_zone|== 0\b|== NULL|priority", condition)


def read_tree(root):
    directives, variables, listen = [], [], []
    duplicate_tests = handler_conditions(root)
    for path in source_files(root):
        text = strip_comments(open(path, encoding="latin-1").read())
        modules = {}
        for m in re.finditer(r"ngx_module_t\s+(\w+)\s*=\s*\{\s*NGX_MODULE_V1\s*,\s*[^,]+,\s*(\w+)\s*,\s*(\w+)", text):
            modules[m.group(2)] = (m.group(1), m.group(3))
        for array, entries in array_body(text, "ngx_command_t"):
            if array not in modules:
                continue
            module, mtype = modules[array]
            for entry, conds in entries:
                fields = split_top(entry)
                name = re.match(r'ngx_string\("([^"]+)"\)', fields[0])
                if not name or disabled(conds):
                    continue
                flags = [f.strip() for f in fields[1].split("|")]
                handler = fields[2]
                post = fields[5] if len(fields) > 5 else "NULL"
                contexts = {CONTEXTS[mtype][f] for f in flags if f in CONTEXTS[mtype]}
                args = "".join(sorted(set("".join(TAKE[f] for f in flags if f in TAKE))))
                for special, word in (("NGX_CONF_FLAG", "flag"), ("NGX_CONF_1MORE", "1+"),
                                      ("NGX_CONF_2MORE", "2+"), ("NGX_CONF_ANY", "any")):
                    if special in flags:
                        args = word if not args else args + "," + word
                values = "-"
                if handler in ("ngx_conf_set_enum_slot", "ngx_conf_set_bitmask_slot") and post.startswith("&"):
                    ctype = "ngx_conf_enum_t" if handler == "ngx_conf_set_enum_slot" else "ngx_conf_bitmask_t"
                    words = string_names(text, ctype, post[1:])
                    if words:
                        values = "|".join(words)
                duplicate = "-"
                if handler in DUPLICATE_SLOTS:
                    duplicate = "slot"
                elif handler in duplicate_tests and refuses_repeat(duplicate_tests[handler]):
                    duplicate = "handler"
                directives.append({
                    "name": name.group(1), "module": module, "type": TYPE_NAMES[mtype],
                    "contexts": ",".join(c for c in CONTEXT_ORDER if c in contexts) or "-",
                    "args": args or "-", "block": "block" if "NGX_CONF_BLOCK" in flags else "-",
                    "handler": handler, "duplicate": duplicate, "values": values,
                    "load": "dynamic" if module in DYNAMIC_ONLY else "static",
                })
        module_names = [n for n, _ in modules.values()]
        module = module_names[0] if module_names else os.path.basename(path)[:-2]
        for kind in ("http", "stream"):
            ctype = "ngx_%s_variable_t" % kind
            prefix_flag = "NGX_%s_VAR_PREFIX" % kind.upper()
            for _, entries in array_body(text, ctype):
                for entry, conds in entries:
                    fields = split_top(entry)
                    name = re.match(r'ngx_string\("([^"]+)"\)', fields[0])
                    if name and not disabled(conds):
                        variables.append({"name": name.group(1), "module": module, "kind": kind,
                                          "prefix": "prefix" if prefix_flag in entry else "-"})
            # Names registered one at a time from a ngx_str_t constant.
            for m in re.finditer(r"ngx_%s_add_variable\(cf,\s*&(\w+)\s*," % kind, text):
                const = re.search(r"ngx_str_t\s+" + m.group(1) + r'\s*=\s*ngx_string\("([^"]+)"\)', text)
                if const:
                    variables.append({"name": const.group(1), "module": module, "kind": kind, "prefix": "-"})
        for directive, kind, func in (("listen", "http", "ngx_http_core_listen"),
                                      ("listen", "stream", "ngx_stream_core_listen"),
                                      ("listen", "mail", "ngx_mail_core_listen"),
                                      ("server", "http", "ngx_http_upstream_server"),
                                      ("server", "stream", "ngx_stream_upstream_server")):
            body = function_body(text, func)
            if body is None:
                continue
            for m in re.finditer(r'ngx_str(n?)cmp\(value\[(?:n|i)\]\.data,\s*"([^"]+)"', body):
                listen.append({"name": m.group(2), "directive": directive, "kind": kind,
                               "match": "prefix" if m.group(1) else "exact"})
    return directives, variables, listen


def changes(root):
    """{version: [(kind, text)]} from the CHANGES file, kind "Feature", "Change", ..."""
    path = os.path.join(root, "CHANGES")
    result, version, entry = {}, None, None
    for line in open(path, encoding="latin-1"):
        m = re.match(r"Changes with nginx (\d+\.\d+\.\d+)", line)
        if m:
            version = m.group(1)
            result.setdefault(version, [])
            entry = None
            continue
        m = re.match(r"\s+\*\) (\w[\w ]*?):\s*(.*)", line)
        if m and version:
            entry = [m.group(1), m.group(2)]
            result[version].append(entry)
        elif entry is not None and line.strip():
            entry[1] += " " + line.strip()
        else:
            entry = None
    return {v: [(k, t) for k, t in e] for v, e in result.items()}


def quoted(text):
    return set(re.findall(r'"([a-z0-9_]+)"', text))


def added_in(name, module, changelog, after, upto):
    """The version in (after, upto] whose Feature entry introduces directive `name` or its module."""
    for v in sorted(changelog, key=version_key):
        if version_key(v) <= version_key(after) or version_key(v) > version_key(upto):
            continue
        for kind, text in changelog[v]:
            if kind != "Feature":
                continue
            if name in quoted(text) and re.search(r"directives?\b", text):
                return v
            if re.fullmatch(r"the " + module + r"\.?", text.strip()):
                return v
    return None


def removed_in(name, changelog, after, upto):
    for v in sorted(changelog, key=version_key):
        if version_key(v) <= version_key(after) or version_key(v) > version_key(upto):
            continue
        for kind, text in changelog[v]:
            if kind == "Change" and name in quoted(text) and re.search(r"removed|not supported anymore|no longer supported", text):
                return v
    return None


def main(argv):
    out = argv[1]
    trees = sorted((a.split("=", 1) for a in argv[2:]), key=lambda t: version_key(t[0]))
    versions = [v for v, _ in trees]
    per_version = {v: read_tree(root) for v, root in trees}
    changelog = changes(trees[-1][1])

    def merge(index, key):
        rows = {}
        for v in versions:
            for row in per_version[v][index]:
                k = key(row)
                if k not in rows:
                    rows[k] = dict(row, versions=[])
                else:
                    # The newest tree's facts win (contexts and flags change over time).
                    rows[k].update({f: row[f] for f in row})
                if v not in rows[k]["versions"]:
                    rows[k]["versions"].append(v)
        return rows

    def span(row):
        present = row["versions"]
        first, last = present[0], present[-1]
        before = [v for v in versions if version_key(v) < version_key(first)]
        after = [v for v in versions if version_key(v) > version_key(last)]
        added = added_in(row["name"], row.get("module", ""), changelog, before[-1], first) if before else None
        removed = removed_in(row["name"], changelog, last, after[0]) if after else None
        return first, last, added or "-", removed or "-"

    header = ("# Generated by scripts/nginx-directives/generate.sh from the sources of nginx "
              + ", ".join(versions) + " (Debian's source packages); do not edit by hand.\n"
              + "# versions\t" + "\t".join(versions) + "\n")
    os.makedirs(out, exist_ok=True)

    rows = merge(0, lambda r: (r["name"], r["module"]))
    with open(os.path.join(out, "directives.tsv"), "w") as f:
        f.write(header)
        f.write("# first/last: the first and last of these versions that have it; added/removed: the version"
                " nginx's CHANGES names for it between two of them ('-': none named).\n")
        cols = ["name", "module", "type", "contexts", "args", "block", "handler", "duplicate", "values",
                "load", "first", "last", "added", "removed"]
        f.write("\t".join(cols) + "\n")
        for k in sorted(rows):
            r = rows[k]
            r["first"], r["last"], r["added"], r["removed"] = span(r)
            f.write("\t".join(r[c] for c in cols) + "\n")

    rows = merge(1, lambda r: (r["name"], r["kind"], r["module"]))
    with open(os.path.join(out, "variables.tsv"), "w") as f:
        f.write(header)
        cols = ["name", "kind", "module", "prefix", "first", "last"]
        f.write("\t".join(cols) + "\n")
        for k in sorted(rows):
            r = rows[k]
            r["first"], r["last"] = r["versions"][0], r["versions"][-1]
            f.write("\t".join(r[c] for c in cols) + "\n")

    rows = merge(2, lambda r: (r["name"], r["directive"], r["kind"]))
    with open(os.path.join(out, "parameters.tsv"), "w") as f:
        f.write(header)
        f.write("# the parameters listen and upstream server compare their arguments with (match: exact or prefix)\n")
        cols = ["name", "directive", "kind", "match", "first", "last"]
        f.write("\t".join(cols) + "\n")
        for k in sorted(rows, key=lambda k: (k[1], k[2], k[0])):
            r = rows[k]
            r["first"], r["last"] = r["versions"][0], r["versions"][-1]
            f.write("\t".join(r[c] for c in cols) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv)
