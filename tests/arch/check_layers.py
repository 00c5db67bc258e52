#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The house rules the build cannot enforce alone (docs/ARCHITECTURE.md).

Reads every source file under common/, node/ and broker/ and checks:
  1. layer rules: a file includes only headers of its own folder or of the
     folders its layer may use (LAYERS below; generated *.pb-c.h headers
     belong to the `proto` layer);
  2. no include cycle: with each file stem (foo.c and foo.h) one module,
     no two modules include each other in a loop;
  3. no call cycle: with the object files of a build directory given as
     the second argument, no two source files call each other in a loop
     (a `_priv.h` shared by two files hides such a loop from rule 2);
  4. prefix = file: with that build directory, every public name a
     source file defines is its file's name or starts with it and `_`.
Exits 1 naming every broken rule, 0 when the house is in order.

usage: check_layers.py SOURCE_DIR [BUILD_DIR] | --self-test
"""
import os
import re
import subprocess
import sys

# What each folder may include besides itself. Lower layers first.
LAYERS = {
    "common/base": [],
    "common/trust": ["common/base", "proto"],
    "common/store": ["common/trust", "common/base", "proto"],
    "common/net": ["common/store", "common/trust", "common/base", "proto"],
    "common/rules": ["common/trust", "common/base", "proto"],
    "common/board": ["common/rules", "common/trust", "common/base", "proto"],
    "common/pool": ["common/board", "common/rules", "common/trust", "common/base", "proto"],
    "common/geo": ["common/base"],
    "common/proof": ["common/pool", "common/board", "common/rules", "common/trust",
                     "common/base", "proto"],
    "broker": ["common/net", "common/store", "common/board", "common/rules", "common/trust",
               "common/base", "proto"],
    "node/daemon": ["common/net", "common/store", "common/proof", "common/pool",
                    "common/board", "common/rules", "common/geo", "common/trust",
                    "common/base", "proto"],
    "node/lab": ["common/net", "common/store", "common/proof", "common/pool", "common/board",
                 "common/rules", "common/geo", "common/trust", "common/base", "proto"],
    "node/cli": ["node/lab", "common/net", "common/store", "common/proof", "common/pool",
                 "common/board", "common/rules", "common/geo", "common/trust", "common/base",
                 "proto"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    files = {}
    for folder in LAYERS:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                files[os.path.join(folder, name)] = folder
    return files


def find_cycle(graph):
    """Returns one cycle (a list of nodes) in graph, or None."""
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def cycles(graph):
    """Every cycle found by removing one edge of each found cycle in turn."""
    g = {k: set(v) for k, v in graph.items()}
    found = []
    while True:
        c = find_cycle(g)
        if not c:
            return found
        found.append(c)
        g[c[0]].discard(c[1])


def stem(path):
    return os.path.splitext(path)[0]


def self_test():
    """The checker must catch what it claims to: a tree with a layer rule
    broken, an include cycle and a clean tree, each judged as it should."""
    import tempfile

    def tree(files):
        root = tempfile.mkdtemp(prefix="concord-arch-")
        for path, text in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(text)
        return root

    def run(files):
        out = subprocess.run([sys.executable, __file__, tree(files)], capture_output=True,
                             text=True)
        return out.returncode, out.stdout

    clean = {"common/base/err.h": "", "common/trust/wire.c": '#include "err.h"\n'}
    upward = {"common/base/err.c": '#include "wire.h"\n', "common/trust/wire.h": ""}
    loop = {"common/trust/a.c": '#include "b.h"\n', "common/trust/a.h": "",
            "common/trust/b.c": '#include "a.h"\n', "common/trust/b.h": ""}
    def built(files):
        root = tree(files)
        build = os.path.join(root, "build")
        for path in files:
            if path.endswith(".c"):
                obj = os.path.join(build, "CMakeFiles", "t.dir", path + ".o")
                os.makedirs(os.path.dirname(obj), exist_ok=True)
                subprocess.run(["cc", "-c", "-o", obj, os.path.join(root, path)], check=True)
        out = subprocess.run([sys.executable, __file__, root, build], capture_output=True,
                             text=True)
        return out.returncode, out.stdout

    calls = {"common/trust/a.c": "int b_f(void);\nint a_f(void) { return b_f(); }\n",
             "common/trust/b.c": "int a_f(void);\nint b_f(void) { return a_f(); }\n"}
    misnamed = {"common/trust/a.c": "int wire_f(void) { return 0; }\n"}
    checks = [(run(clean), 0, "layers, includes and calls in order"),
              (built(calls), 1, "call cycle: common/trust/a -> common/trust/b -> common/trust/a"),
              (built(misnamed), 1, "prefix = file: wire_f is defined in common/trust/a.c"),
              (run(upward), 1, "layer rule: common/base/err.c (common/base) includes wire.h"),
              (run(loop), 1, "include cycle: common/trust/a -> common/trust/b -> common/trust/a")]
    failed = 0
    for (rc, out), want_rc, want in checks:
        if rc != want_rc or want not in out:
            print("self-test: wanted exit %d with %r, got %d:\n%s" % (want_rc, want, rc, out))
            failed = 1
    print("self-test: %s" % ("failed" if failed else "the checker catches what it claims"))
    return failed


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = sys.argv[1]
    files = sources(root)
    where = {}  # header name -> folder
    for path, folder in files.items():
        where.setdefault(os.path.basename(path), []).append(folder)
    problems = []
    for name, folders in sorted(where.items()):
        if len(folders) > 1:
            problems.append("header %s is in %s: a name must say one file" %
                            (name, " and ".join(folders)))
    graph = {}
    for path, folder in sorted(files.items()):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            if inc.endswith(".pb-c.h"):
                target = "proto"
                dep = None
            elif inc in where:
                target = where[inc][0]
                dep = os.path.join(target, inc)
            else:
                continue  # a test's or a generated header outside the checked tree
            if target != folder and target not in LAYERS[folder]:
                problems.append("layer rule: %s (%s) includes %s (%s)" %
                                (path, folder, inc, target))
            if dep and stem(dep) != stem(path):
                graph.setdefault(stem(path), set()).add(stem(dep))
    for c in cycles(graph):
        problems.append("include cycle: " + " -> ".join(c))
    if len(sys.argv) == 3:
        problems += call_cycles(sys.argv[2], files)
    for p in problems:
        print(p)
    if problems:
        print("%d problem(s) in the house rules (docs/ARCHITECTURE.md)" % len(problems))
        return 1
    print("layers, includes and calls in order: %d files" % len(files))
    return 0


def call_cycles(build, files):
    """Call cycles between source files, and public names whose prefix does
    not name their file, from `nm` over the objects CMake built from them
    (CMakeFiles/<target>.dir/<source path>.o: objects of moved or removed
    sources are not read)."""
    sources = {path + ".o": stem(path) for path in files if path.endswith(".c")}
    defined, used, problems = {}, {}, []
    seen = set()
    for dirpath, _, names in os.walk(build):
        for name in names:
            if not name.endswith(".c.o"):
                continue
            full = os.path.join(dirpath, name)
            rel = full.split(".dir" + os.sep, 1)[-1] if ".dir" + os.sep in full else ""
            src = sources.get(rel)
            if not src or src in seen:
                continue
            seen.add(src)
            out = subprocess.run(["nm", full], capture_output=True, text=True,
                                 check=True).stdout
            base = os.path.basename(src)
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDBR":
                    defined[parts[2]] = src
                    sym = parts[2]
                    # Names the compiler or a sanitizer makes (__odr_asan.x, .str) are
                    # not the code's own.
                    own = not sym.startswith("_") and "." not in sym
                    if own and sym != "main" and sym != base and not sym.startswith(base + "_"):
                        problems.append("prefix = file: %s is defined in %s.c" % (sym, src))
                elif len(parts) == 2 and parts[0] == "U":
                    used.setdefault(src, set()).add(parts[1])
    if not defined:
        return ["no object files under %s: build first" % build]
    graph = {}
    for src, syms in used.items():
        for sym in syms:
            d = defined.get(sym)
            if d and d != src:
                graph.setdefault(src, set()).add(d)
    return problems + ["call cycle: " + " -> ".join(c) for c in cycles(graph)]


if __name__ == "__main__":
    sys.exit(main())
